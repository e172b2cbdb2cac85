"""In Chromium with a fake camera: the moderator goes live on the main stage from the lobby, a
worker's lobby shows it on top and plays it, the moderator invites booth A, its recruiter presents
from the console, and the worker's video goes on ("now presenting: Công ty A") without ever going
offline or reconnecting; the lobby fits a 360 px phone in Vietnamese and English."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import ARTIFACTS, OpenPage
from tests.clients import Fixture

RECORD = """() => {
  window.stageStates = [];
  const line = document.getElementById("stage-state");
  new MutationObserver(() => window.stageStates.push(line.dataset.kind))
    .observe(line, { attributes: true, attributeFilter: ["data-kind"] });
  window.stagePc = () => import("/static/js/stage.js").then((m) => m.viewer.pc);
}"""
FRAMES = (
    """() => document.getElementById("stage-video").getVideoPlaybackQuality().totalVideoFrames"""
)


async def frames(page: Page) -> int:
    return int(await page.evaluate(FRAMES))


async def test_the_stage_goes_live_in_the_lobby_and_passes_to_a_booth_without_going_offline(
    fx: Fixture, open_page: OpenPage
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    host = await open_page(fx.moderator, f"/fairs/{fx.fair.id}?lang=en")
    worker = await open_page(fx.worker, f"/fairs/{fx.fair.id}?lang=en")
    await expect(worker.locator("#main-stage")).to_be_hidden()
    await host.click("#stage-go-live")
    await expect(host.locator("#stage-host-state")).to_have_attribute("data-kind", "live")
    await expect(worker.locator("#main-stage")).to_be_visible(timeout=15_000)
    await expect(worker.locator("#stage-state")).to_have_attribute(
        "data-kind", "live", timeout=15_000
    )
    await worker.evaluate(RECORD)
    first = await frames(worker)
    await worker.wait_for_timeout(1000)
    assert await frames(worker) > first

    await host.select_option("#stage-invite select", fx.booth_a.id)
    await host.click("#stage-invite button[type=submit]")
    console = await open_page(
        fx.recruiter_a, f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/console?lang=en"
    )
    await expect(console.locator("#stage-invitation")).to_be_visible()
    await console.click("#stage-present")
    await expect(worker.locator("#stage-presenting")).to_have_text(
        "Now presenting: Công ty A", timeout=15_000
    )
    await expect(host.locator("#stage-host-state")).to_contain_text("Handed over")
    before = await frames(worker)
    await worker.wait_for_timeout(1500)
    assert await frames(worker) > before  # the recruiter's video plays on the same connection
    assert "offline" not in await worker.evaluate("window.stageStates")
    assert await worker.evaluate("window.stagePc().then((pc) => pc.connectionState)") == "connected"

    for lang in ("vi", "en"):
        await worker.goto(f"{fx.base}/fairs/{fx.fair.id}?lang={lang}")
        await worker.set_viewport_size({"width": 360, "height": 740})
        await expect(worker.locator("#stage-state")).to_have_attribute(
            "data-kind", "live", timeout=15_000
        )
        width = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        assert await worker.evaluate(width) <= 0
        await worker.screenshot(path=ARTIFACTS / f"stage-lobby-360-{lang}.png")
        await host.goto(f"{fx.base}/fairs/{fx.fair.id}?lang={lang}")
        await host.set_viewport_size({"width": 360, "height": 740})
        await host.locator("#stage-host").scroll_into_view_if_needed()
        assert await host.evaluate(width) <= 0
        await host.screenshot(path=ARTIFACTS / f"stage-host-360-{lang}.png")
