"""In Chromium: the moderator console as a new moderator walks it — tabs for lines, Q&A and the
schedule, one booth picker that every card follows, a paused line whose Call buttons are off,
and destructive actions that change nothing unless confirmed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Dialog, expect

from rooms.fairs import Fairs
from tests.browser.conftest import OpenPage
from tests.clients import Fixture, connect, ok


async def test_the_moderator_walks_lines_qa_and_schedule_with_one_booth_picker(
    fx: Fixture, fairs: Fairs, open_page: OpenPage
) -> None:
    tomorrow = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    hours = {"starts_at": tomorrow, "ends_at": tomorrow + timedelta(hours=2)}
    await fairs.update_fair(fx.fair.id, hours)
    worker = await connect(fx, fx.worker)
    await ok(worker, "queue.join", {"booth_id": fx.booth_b.id, "share": True})
    page = await open_page(fx.moderator, f"/fairs/{fx.fair.id}/moderate?lang=en")
    await expect(page.locator("#conn-status")).to_have_attribute("data-kind", "ok")
    picker = page.locator("#booth-picker")
    await expect(page.locator("select", has=page.locator(f"option[value='{fx.booth_b.id}']")))\
        .to_have_count(1)  # fmt: skip
    await expect(picker).to_have_value(fx.booth_a.id)

    # lines: the picked booth's line; picking booth B shows its one worker, dossier shared
    lines = page.locator("#queue .queue-line li[data-entry]")
    await expect(lines).to_have_count(0)
    await picker.select_option(fx.booth_b.id)
    await expect(lines).to_have_count(1)
    await expect(lines.first).to_contain_text(fx.worker.name)
    await expect(lines.first.locator("a.queue-dossier")).to_have_count(1)
    await expect(page.locator("#queue .queue-summary")).to_contain_text("0 interviewing now")

    # paused: no Call button works
    await page.click("#queue .queue-pause")
    await expect(page.locator("#queue .queue-summary .badge")).to_have_text("paused")
    await expect(lines.first.locator(".queue-call")).to_be_disabled()
    await expect(page.locator("#queue .queue-call-next")).to_be_disabled()

    # removing someone without confirming changes nothing (Playwright dismisses the question)
    await lines.first.locator(".queue-remove").click()
    await page.wait_for_timeout(300)
    view = await ok(worker, "queue.mine", {})
    assert [e["state"] for e in view["entries"]] == ["waiting"]
    await expect(lines).to_have_count(1)

    # Q&A and the schedule follow the same picker
    await page.click("#tab-qa")
    await expect(page.locator("#qa")).to_be_visible()
    await expect(page.locator("#queue")).to_be_hidden()
    await expect(page.locator("#qa .qa-channel option")).to_have_count(2)  # stage, booth B
    await page.click("#tab-schedule")
    starts = tomorrow.astimezone(ZoneInfo(fx.fair.timezone)).strftime("%Y-%m-%dT%H:%M")
    await page.fill("#slots input[name=starts_at]", starts)
    await page.click("#slots .slots-publish button[type=submit]")
    slot = page.locator("#slots .slots-list li[data-slot]")
    await expect(slot).to_have_count(1)
    await slot.locator(".slots-remove").click()  # dismissed: the time stays
    await page.wait_for_timeout(300)
    await expect(slot).to_have_count(1)

    async def accept(dialog: Dialog) -> None:
        await dialog.accept()

    page.on("dialog", accept)
    await slot.locator(".slots-remove").click()
    await expect(slot).to_have_count(0)
    await page.click("#tab-lines")
    await lines.first.locator(".queue-remove").click()
    await expect(lines).to_have_count(0)

    # reports are one tab away
    await page.click("#tab-reports")
    await expect(page.locator(f"a[href='/fairs/{fx.fair.id}/report']")).to_be_visible()
    await expect(page.locator(f"a[href='/fairs/{fx.fair.id}/dashboard']")).to_be_visible()
