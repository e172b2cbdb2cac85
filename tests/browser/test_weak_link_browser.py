"""The pages' side of weak links (issue 14) on a good link (the weak link itself:
tests/weaklink/): the recruiter's page sends two video layers; audio only chosen by hand is
remembered across a reload, sent with the first `stream.view` (the server sends no video, and
the recruiter's console counts the viewer on audio only), and unticking it brings video back."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import OpenPage
from tests.clients import Fixture

# The video layers the console sends: the width of each video sender's track, in offer order
# (the encoder may start the large one smaller while its bandwidth estimate ramps up).
LAYERS = """async () => {
  const { publisher } = await import("/static/js/console.js");
  return publisher.pc.getTransceivers()
    .filter((t) => t.sender.track?.kind === "video")
    .map((t) => t.sender.track.getSettings().width);
}"""
# The worker's received video: bytes and frames decoded.
RECEIVED = """async () => {
  const { viewer } = await import("/static/js/booth.js");
  const out = { connected: viewer.pc?.connectionState === "connected", bytes: 0, decoded: 0 };
  if (!viewer.pc) return out;
  (await viewer.pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") {
      out.bytes = s.bytesReceived || 0;
      out.decoded = s.framesDecoded || 0;
    }
  });
  return out;
}"""


async def received(page: Page) -> dict[str, int]:
    result: dict[str, int] = await page.evaluate(RECEIVED)
    return result


async def test_the_recruiter_sends_two_layers_and_audio_only_by_hand_is_remembered(
    fx: Fixture, open_page: OpenPage
) -> None:
    booth = f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}"
    recruiter = await open_page(fx.recruiter_a, f"{booth}/console")
    await recruiter.click("#go-live")
    await expect(recruiter.locator("#stream-state")).to_have_attribute("data-kind", "live")
    assert await recruiter.evaluate(LAYERS) == [640, 320]  # the camera's own, then its copy

    worker = await open_page(fx.worker, booth)
    await expect(worker.locator("#stream-state")).to_have_attribute("data-kind", "live")
    await worker.check("#audio-only")
    await worker.reload()
    await expect(worker.locator("#audio-only")).to_be_checked()
    await worker.wait_for_function(f"({RECEIVED})().then((r) => r.connected)")
    await expect(worker.locator("#stream-state")).to_have_text("chỉ âm thanh")
    # audio only from the first offer: not one byte of video, and no weak-link notice
    await worker.wait_for_timeout(2000)
    assert (await received(worker))["bytes"] == 0
    await expect(worker.locator(".link-notice")).to_be_hidden()
    levels = recruiter.locator("#viewer-levels")
    await expect(levels.locator("[data-level=audio] .n")).to_have_text("1")

    # video again: unticked, the server sends it (from the small layer)
    await worker.uncheck("#audio-only")
    await worker.wait_for_function(f"({RECEIVED})().then((r) => r.decoded > 10)")
    await expect(levels.locator("[data-level=audio] .n")).to_have_text("0")
    await worker.reload()
    await expect(worker.locator("#audio-only")).not_to_be_checked()
