"""In Chromium, on a phone-sized console: a booth run by two recruiters. The presenter's console
shows them presenting and free and their teammate interviewing whom, live; the busy teammate's
"Call next" is disabled."""

from __future__ import annotations

from playwright.async_api import expect

from rooms.people import People
from tests.browser.conftest import ARTIFACTS, OpenPage
from tests.clients import Fixture, connect, ok


async def test_the_console_shows_the_team_presenting_interviewing_and_free_live(
    fx: Fixture, people: People, open_page: OpenPage
) -> None:
    console = f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/console"
    second = await people.add_recruiter(fx.fair.id, fx.booth_a.id, "Trần Minh")
    presenter = await open_page(fx.recruiter_a, console)
    await presenter.set_viewport_size({"width": 360, "height": 740})
    mine = presenter.locator(f".queue-team li[data-member='{fx.recruiter_a.id}']")
    theirs = presenter.locator(f".queue-team li[data-member='{second.id}']")
    await expect(theirs).to_have_attribute("data-state", "free")
    await presenter.click("#go-live")
    await expect(mine.locator(".queue-presenting")).to_be_visible(timeout=15_000)

    teammate_ws = await connect(fx, second)
    candidate = await connect(fx, fx.worker)
    entry = await ok(candidate, "queue.join", {"booth_id": fx.booth_a.id})
    await ok(teammate_ws, "queue.call_next", {"booth_id": fx.booth_a.id})
    await ok(candidate, "queue.accept", {"entry_id": entry["id"]})
    await expect(theirs).to_have_attribute("data-state", "interviewing")
    await expect(theirs).to_contain_text(fx.worker.name)
    await expect(mine).to_have_attribute("data-state", "free")
    await presenter.locator(".queue-team").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    await presenter.screenshot(path=ARTIFACTS / "booth-team-360x740.png")

    busy = await open_page(second, console)
    await ok(
        await connect(
            fx, await people.register_worker(fx.fair.id, {"name": "Hoa", "contact": "0912345678"})
        ),
        "queue.join",
        {"booth_id": fx.booth_a.id},
    )
    await expect(busy.locator(".queue-line li")).to_have_count(1)
    await expect(busy.locator(".queue-call-next")).to_be_disabled()
    await expect(presenter.locator(".queue-call-next")).to_be_enabled()
