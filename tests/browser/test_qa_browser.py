"""In Chromium: two workers and a moderator use a booth's Q&A; every change shows on every page
without a reload, and a question's markup is shown as text."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from rooms.people import People
from tests.browser.conftest import OpenPage
from tests.clients import Fixture


async def booth_page(open_page: OpenPage, fx: Fixture, who: object) -> Page:
    page = await open_page(who, f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}?lang=en")  # type: ignore[arg-type]
    await expect(page.locator("#conn-status")).to_have_attribute("data-kind", "ok")
    return page


async def test_a_question_is_asked_approved_upvoted_and_answered_live_on_every_page(
    fx: Fixture, people: People, open_page: OpenPage
) -> None:
    other = await people.register_worker(
        fx.fair.id, {"name": "Giàng A Páo", "contact": "0911111111"}
    )
    moderator = await open_page(fx.moderator, f"/fairs/{fx.fair.id}/moderate?lang=en")
    await moderator.click("#tab-qa")
    await moderator.select_option("#qa .qa-channel", fx.booth_a.id)
    await moderator.locator("#qa .qa-premod").check()
    asker = await booth_page(open_page, fx, fx.worker)
    watcher = await booth_page(open_page, fx, other)
    await expect(asker.locator(".qa-note")).to_contain_text("approves")

    await asker.fill("#qa textarea[name=text]", "Làm ở Nhật có phải đặt cọc không?")
    await asker.click("#qa .qa-ask button[type=submit]")
    mine = asker.locator("#qa .qa-item", has_text="đặt cọc")
    await expect(mine).to_contain_text("Waiting for approval")
    pending = moderator.locator("#qa .qa-pending-list .qa-item", has_text="đặt cọc")
    await expect(pending).to_contain_text("Lò Văn Duy")
    await expect(watcher.locator("#qa .qa-item")).to_have_count(0)

    await pending.locator(".qa-approve").click()
    seen = watcher.locator("#qa .qa-item", has_text="đặt cọc")
    await expect(seen).to_be_visible()
    await expect(mine).not_to_contain_text("Waiting for approval")

    await seen.locator(".qa-vote").click()
    await expect(seen.locator(".qa-votes")).to_have_text("1")
    await expect(seen.locator(".qa-vote")).to_have_attribute("aria-pressed", "true")
    await expect(mine.locator(".qa-votes")).to_have_text("1")
    approved = moderator.locator("#qa .qa-approved-list .qa-item", has_text="đặt cọc")
    await expect(approved.locator(".qa-votes-static")).to_have_text("▲ 1")

    await approved.locator(".qa-answering").click()
    await expect(watcher.locator("#qa .qa-now")).to_contain_text("đặt cọc")
    await expect(seen).to_have_class(re.compile(r"\banswering\b"))

    await approved.locator(".qa-answer-form summary").click()
    await approved.locator(".qa-answer-form textarea").fill("Không. Không ai được thu tiền cọc.")
    await approved.locator(".qa-answer-form button[type=submit]").click()
    for item in (seen, mine):
        await expect(item.locator(".qa-answer")).to_contain_text("Không ai được thu tiền cọc.")
        await expect(item.locator(".qa-badges")).to_contain_text("Answered")
    await expect(watcher.locator("#qa .qa-now")).to_be_hidden()


async def test_a_question_with_script_and_html_is_shown_as_text(
    fx: Fixture, people: People, open_page: OpenPage
) -> None:
    other = await people.register_worker(
        fx.fair.id, {"name": "Giàng A Páo", "contact": "0911111111"}
    )
    asker = await booth_page(open_page, fx, fx.worker)
    watcher = await booth_page(open_page, fx, other)
    markup = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"><b>đậm</b>'
    await asker.fill("#qa textarea[name=text]", markup)
    await asker.click("#qa .qa-ask button[type=submit]")
    text = watcher.locator("#qa .qa-item .qa-text")
    await expect(text).to_have_text(markup)
    assert await text.locator("script, img, b").count() == 0
    assert await watcher.evaluate("window.pwned") is None
    assert await asker.evaluate("window.pwned") is None
