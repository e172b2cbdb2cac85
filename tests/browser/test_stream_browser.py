"""In Chromium with a fake camera: a recruiter goes live from the console, a worker's booth page
plays the video (frames decoded, from the browser's own WebRTC stats)."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import OpenPage
from tests.clients import Fixture

FRAMES_DECODED = """async () => {
  const { viewer } = await import("/static/js/booth.js");
  if (!viewer.pc) return 0;
  let decoded = 0;
  (await viewer.pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") decoded = s.framesDecoded || 0;
  });
  return decoded;
}"""


async def frames_decoded(page: Page) -> int:
    return int(await page.evaluate(FRAMES_DECODED))


async def test_a_recruiter_goes_live_and_the_worker_sees_video_playing(
    fx: Fixture, open_page: OpenPage
) -> None:
    lobby = await open_page(fx.worker, f"/fairs/{fx.fair.id}")
    worker = await open_page(fx.worker, f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}")
    await expect(worker.locator("#stream-state")).to_have_attribute("data-kind", "offline")
    recruiter = await open_page(
        fx.recruiter_a, f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/console"
    )
    await recruiter.click("#go-live")
    await expect(recruiter.locator("#stream-state")).to_have_attribute("data-kind", "live")

    badge = lobby.locator(f'article[data-booth="{fx.booth_a.id}"] .badge')
    await expect(badge).to_have_class("badge live")
    await expect(worker.locator("#stream-state")).to_have_attribute(
        "data-kind", "live", timeout=15_000
    )
    first = await frames_decoded(worker)
    await worker.wait_for_timeout(1500)
    assert await frames_decoded(worker) > first + 10  # playing, not a frozen picture
    await expect(recruiter.locator("#viewer-count")).to_contain_text("1")

    await recruiter.click("#stop-live")
    await expect(worker.locator("#stream-state")).to_have_attribute("data-kind", "offline")
    await expect(badge).to_have_class("badge offline")


SENT_WIDTH = """async () => {
  const { publisher } = await import("/static/js/console.js");
  let width = 0;
  (await publisher.pc.getStats()).forEach((s) => {
    if (s.type === "outbound-rtp" && s.kind === "video") width = s.frameWidth || 0;
  });
  return width;
}"""


async def test_a_low_bandwidth_booth_streams_small_video_for_weak_links(
    fx: Fixture, open_page: OpenPage
) -> None:
    recruiter = await open_page(
        fx.recruiter_a, f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/console"
    )
    await recruiter.check("#booth-form input[name=low_bandwidth]")
    await recruiter.click("#booth-form button[type=submit]")
    await recruiter.reload()
    await expect(recruiter.locator("#booth-form input[name=low_bandwidth]")).to_be_checked()
    await expect(recruiter.locator("#conn-status")).to_have_attribute("data-kind", "ok")
    await recruiter.click("#go-live")
    await expect(recruiter.locator("#stream-state")).to_have_attribute("data-kind", "live")
    sent = await recruiter.wait_for_function(f"({SENT_WIDTH})().then((w) => w > 0 && w)")
    assert 0 < await sent.json_value() <= 320  # the first frames the encoder sent
