"""In Chromium with a fake camera: a live recruiter calls the next person, interviews them in the
panel beside the console and ends; a viewer of the booth never sees "offline", sees the paused
card meanwhile, and video plays again after, with no "Go live" clicked a second time."""

from __future__ import annotations

from playwright.async_api import expect

from rooms.people import People
from tests.browser.conftest import OpenPage
from tests.browser.test_stream_browser import frames_decoded
from tests.clients import Fixture, connect, ok

RECORD_STATES = """() => {
  window.streamStates = [];
  const line = document.getElementById("stream-state");
  new MutationObserver(() => window.streamStates.push(line.dataset.kind))
    .observe(line, { attributes: true, attributeFilter: ["data-kind"] });
}"""


async def test_the_booth_pauses_while_its_recruiter_interviews_in_the_panel_and_resumes_alone(
    fx: Fixture, people: People, open_page: OpenPage
) -> None:
    watcher = await people.register_worker(
        fx.fair.id, {"name": "Người xem", "contact": "0911111111"}
    )
    recruiter = await open_page(
        fx.recruiter_a, f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/console"
    )
    await recruiter.click("#go-live")
    await expect(recruiter.locator("#stream-state")).to_have_attribute("data-kind", "live")
    viewer = await open_page(watcher, f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}")
    await expect(viewer.locator("#stream-state")).to_have_attribute(
        "data-kind", "live", timeout=15_000
    )
    await viewer.evaluate(RECORD_STATES)
    first = await frames_decoded(viewer)
    await viewer.wait_for_timeout(1000)
    assert await frames_decoded(viewer) > first

    candidate = await connect(fx, fx.worker)
    entry = await ok(candidate, "queue.join", {"booth_id": fx.booth_a.id})
    await expect(recruiter.locator(".queue-line li")).to_have_count(1)
    await recruiter.click(".queue-call-next")
    await ok(candidate, "queue.accept", {"entry_id": entry["id"]})

    panel = recruiter.locator("#interview-panel")
    await expect(panel).to_be_visible()
    assert "/interviews/" in (
        await recruiter.locator("#interview-frame").get_attribute("src") or ""
    )
    await expect(recruiter.locator("#stream-state")).to_have_attribute("data-kind", "paused")
    await expect(viewer.locator("#stream-state")).to_have_attribute("data-kind", "paused")
    await expect(viewer.locator("#stream-state")).to_contain_text("15")
    await viewer.wait_for_timeout(500)
    frozen = await frames_decoded(viewer)
    await viewer.wait_for_timeout(1000)
    assert await frames_decoded(viewer) == frozen, "nothing of the booth plays while paused"

    await recruiter.frame_locator("#interview-frame").locator("#iv-end").click()
    await expect(panel).to_be_hidden()
    await expect(viewer.locator("#stream-state")).to_have_attribute("data-kind", "live")
    await expect(recruiter.locator("#stream-state")).to_have_attribute("data-kind", "live")
    resumed = await frames_decoded(viewer)
    for _ in range(50):  # video plays again (given time on a busy machine)
        if await frames_decoded(viewer) > resumed + 10:
            break
        await viewer.wait_for_timeout(200)
    assert await frames_decoded(viewer) > resumed + 10, "video plays again"
    states = await viewer.evaluate("() => window.streamStates")
    assert "offline" not in states, states
    assert await recruiter.locator("#go-live").is_hidden()
