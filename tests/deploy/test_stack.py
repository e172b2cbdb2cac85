"""The production stack on loopback: Chromium (trusting a test CA) → nginx (TLS, HTTP/2, the SNI
router on the HTTPS port) → two jobfair nodes → one Redis, with coturn beside them."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import replace

import httpx
from playwright.async_api import Browser, Page, expect

from tests.clients import Fixture
from tests.deploy.conftest import Stack
from tests.peers import Publisher

FRAMES_DECODED = """async () => {
  const { viewer } = await import("/static/js/booth.js");
  let decoded = 0;
  if (viewer.pc) (await viewer.pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") decoded = s.framesDecoded || 0;
  });
  return decoded;
}"""


async def open_as(browser: Browser, fx: Fixture, who: object, path: str) -> Page:
    context = await browser.new_context(viewport={"width": 412, "height": 915})
    page = await context.new_page()
    page.on("console", lambda m: print(f"[console {m.type}] {m.text}"))
    await page.goto(fx.link(who))  # type: ignore[arg-type]
    await page.goto(fx.base + path)
    return page


async def frames_decoded(page: Page) -> int:
    return int(await page.evaluate(FRAMES_DECODED))


async def test_a_recruiter_publishes_and_a_viewer_plays_through_nginx_over_https(
    stack: Stack, sfx: Fixture, trusting_browser: Browser
) -> None:
    booth = f"/fairs/{sfx.fair.id}/booths/{sfx.booth_a.id}"
    worker = await open_as(trusting_browser, sfx, sfx.worker, booth)
    recruiter = await open_as(trusting_browser, sfx, sfx.recruiter_a, f"{booth}/console")
    try:
        assert worker.url.startswith(stack.url)  # the CA is trusted: no certificate error page
        await recruiter.click("#go-live")
        await expect(worker.locator("#stream-state")).to_have_attribute(
            "data-kind", "live", timeout=15_000
        )
        await worker.wait_for_function(f"({FRAMES_DECODED})().then((n) => n > 10)")
        protocol = await worker.evaluate(
            "performance.getEntriesByType('navigation')[0].nextHopProtocol"
        )
        assert protocol == "h2"
    finally:
        await worker.context.close()
        await recruiter.context.close()


async def test_an_event_made_through_either_node_reaches_a_page_served_through_nginx(
    stack: Stack, sfx: Fixture, trusting_browser: Browser
) -> None:
    """Whichever node nginx gave the page's websocket to, one of the two events below was made
    through the other node."""
    lobby = await open_as(trusting_browser, sfx, sfx.worker, f"/fairs/{sfx.fair.id}")
    badge = lobby.locator(f'article[data-booth="{sfx.booth_a.id}"] .badge')
    try:
        await expect(badge).to_have_class("badge offline")
        for node in stack.nodes:
            direct = replace(sfx, base=node.url, opened=[])
            session = await direct.session(sfx.recruiter_a)
            ws = await session.ws(sfx.fair.id, origin=stack.url)
            assert (await ws.recv())["type"] == "welcome"
            publisher = Publisher(ws, sfx.booth_a.id)
            try:
                assert (await publisher.go_live())["type"] == "ack"
                await expect(badge).to_have_class("badge live", timeout=15_000)
            finally:
                await publisher.close()
                await ws.request("stream.stop", {"booth_id": sfx.booth_a.id})
                await direct.aclose()
            await expect(badge).to_have_class("badge offline", timeout=15_000)
    finally:
        await lobby.context.close()


async def test_nginx_serves_static_files_and_logs_no_sign_in_token(
    stack: Stack, sfx: Fixture
) -> None:
    verify = ssl.create_default_context(cafile=str(stack.ca.ca))
    link = sfx.link(sfx.worker)
    token = link.split("?t=", 1)[1]
    async with httpx.AsyncClient(verify=verify) as client:
        signed_in = await client.get(link)
        assert signed_in.status_code == 303
        static = await client.get(f"{stack.url}/static/js/client.js")
        assert static.status_code == 200
        assert "expires" in static.headers  # nginx's, not the node's
        plain = await client.get(f"http://127.0.0.1:{stack.env['HTTP_PORT']}/fairs?x=1")
        assert plain.status_code == 301
        assert plain.headers["location"] == f"{stack.url}/fairs?x=1"
    await asyncio.sleep(0.2)  # nginx writes the access log line after the response
    log = stack.nginx.access_log.read_text()
    assert "GET /signin HTTP" in log
    assert token not in log and "?t=" not in log
    static_line = next(line for line in log.splitlines() if "/static/js/client.js" in line)
    assert static_line.endswith(" -")  # no upstream: nginx served it
