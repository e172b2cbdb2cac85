"""TURN through coturn with credentials minted by jobfair: pages that may only use relays
(`iceTransportPolicy: "relay"`) still stream over TURN/UDP and over TURN/TLS on the HTTPS port;
credentials expire, and coturn refuses a stale one or one made with another secret."""

from __future__ import annotations

import asyncio
import json
import re
import ssl
import subprocess
import sys
import time

import httpx
import pytest
from aioice import stun
from aioice.turn import create_turn_endpoint
from playwright.async_api import Browser, Page, expect

from server.settings import Settings
from server.turn import turn_ice_server, turn_password
from tests.clients import Fixture
from tests.deploy.conftest import Stack
from tests.deploy.test_stack import FRAMES_DECODED
from tests.procs import ROOT, SECRET

# Every RTCPeerConnection the page makes keeps only the ICE servers whose URL matches, and may use
# relayed candidates only.
RELAY_ONLY = """(() => {
  const Native = window.RTCPeerConnection;
  const keep = new RegExp(%s);
  window.RTCPeerConnection = function (config = {}) {
    const iceServers = (config.iceServers || [])
      .map((s) => ({ ...s, urls: [].concat(s.urls).filter((u) => keep.test(u)) }))
      .filter((s) => s.urls.length);
    return new Native({ ...config, iceServers, iceTransportPolicy: "relay" });
  };
  window.RTCPeerConnection.prototype = Native.prototype;
})();"""

SELECTED_PAIR = """async (module) => {
  const m = await import(module);
  const pc = (m.viewer || m.publisher).pc;
  if (!pc) return null;
  const stats = new Map();
  (await pc.getStats()).forEach((s) => stats.set(s.id, s));
  for (const s of stats.values()) {
    if (s.type === "transport" && s.selectedCandidatePairId) {
      const local = stats.get(stats.get(s.selectedCandidatePairId).localCandidateId);
      return [local.candidateType, local.relayProtocol || ""];
    }
  }
  return null;
}"""


def settings_of(stack: Stack) -> Settings:
    return Settings(
        turn_secret=stack.node_env["JOBFAIR_TURN_SECRET"],
        turn_urls=tuple(stack.node_env["JOBFAIR_TURN_URLS"].split(",")),
    )


async def relay_only_page(browser: Browser, fx: Fixture, who: object, path: str, keep: str) -> Page:
    context = await browser.new_context()
    await context.add_init_script(RELAY_ONLY % json.dumps(keep))
    page = await context.new_page()
    page.on("console", lambda m: print(f"[console {m.type}] {m.text}"))
    await page.goto(fx.link(who))  # type: ignore[arg-type]
    await page.goto(fx.base + path)
    return page


@pytest.mark.parametrize(
    ("keep", "relay_protocol"),
    [(r"^turn:.*transport=udp", "udp"), (r"^turns:", "tls")],
    ids=["turn-udp", "turns-on-the-https-port"],
)
async def test_relay_only_pages_stream_through_coturn(
    stack: Stack, sfx: Fixture, trusting_browser: Browser, keep: str, relay_protocol: str
) -> None:
    booth = f"/fairs/{sfx.fair.id}/booths/{sfx.booth_a.id}"
    worker = await relay_only_page(trusting_browser, sfx, sfx.worker, booth, keep)
    recruiter = await relay_only_page(
        trusting_browser, sfx, sfx.recruiter_a, f"{booth}/console", keep
    )
    try:
        await recruiter.click("#go-live")
        await expect(worker.locator("#stream-state")).to_have_attribute(
            "data-kind", "live", timeout=20_000
        )
        await worker.wait_for_function(f"({FRAMES_DECODED})().then((n) => n > 10)", timeout=20_000)
        for page, module in ((worker, "/static/js/booth.js"), (recruiter, "/static/js/console.js")):
            assert await page.evaluate(SELECTED_PAIR, module) == ["relay", relay_protocol]
    finally:
        await worker.context.close()
        await recruiter.context.close()


async def test_a_page_gets_turn_credentials_that_expire(stack: Stack, sfx: Fixture) -> None:
    verify = ssl.create_default_context(cafile=str(stack.ca.ca))
    async with httpx.AsyncClient(verify=verify, base_url=stack.url) as client:
        await client.get(sfx.link(sfx.worker))
        page = (await client.get(f"/fairs/{sfx.fair.id}")).text
    servers = json.loads(re.search(r'id="ice-servers">(.*?)</script>', page).group(1))  # type: ignore[union-attr]
    (turn,) = [s for s in servers if "username" in s]
    expiry, user = turn["username"].split(":")
    assert user == sfx.worker.id
    assert 0 < int(expiry) - time.time() <= Settings().turn_ttl
    assert turn["credential"] == turn_password(
        stack.node_env["JOBFAIR_TURN_SECRET"], turn["username"]
    )
    assert set(turn["urls"]) == set(stack.node_env["JOBFAIR_TURN_URLS"].split(","))
    assert "static-auth-secret" not in page and stack.node_env["JOBFAIR_TURN_SECRET"] not in page


async def allocate(stack: Stack, username: str, password: str) -> None:
    transport, _ = await asyncio.wait_for(
        create_turn_endpoint(
            asyncio.DatagramProtocol,
            server_addr=("127.0.0.1", int(stack.env["TURN_PORT"])),
            username=username,
            password=password,
        ),
        5,
    )
    transport.close()


async def test_coturn_takes_a_fresh_credential_and_refuses_a_stale_or_forged_one(
    stack: Stack,
) -> None:
    settings = settings_of(stack)
    fresh = turn_ice_server(settings, "someone", time.time())
    await allocate(stack, fresh["username"], fresh["credential"])

    stale = turn_ice_server(settings, "someone", time.time() - settings.turn_ttl - 5)
    with pytest.raises(stun.TransactionFailed, match="401"):
        await allocate(stack, stale["username"], stale["credential"])
    forged = turn_password("not-the-secret", fresh["username"])
    with pytest.raises(stun.TransactionFailed, match="401"):
        await allocate(stack, fresh["username"], forged)


def test_a_node_whose_turn_secret_does_not_match_stops_with_one_line(
    stack: Stack, redis_server: object, tmp_path: object
) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "JOBFAIR_SECRET": SECRET,
        "REDIS_URL": stack.nodes[0].redis_url or "",
        "JOBFAIR_TURN_SECRET": "another-secret-0123456789",
        "JOBFAIR_TURN_URLS": f"turn:127.0.0.1:{stack.env['TURN_PORT']}?transport=udp",
    }
    done = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--port", "0", "--data-dir", str(tmp_path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("jobfair: JOBFAIR_TURN_SECRET: ")
