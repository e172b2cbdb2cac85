"""In Chromium: a recruiter asks a quiz from the booth console, a worker answers on the booth page,
both see the bars move live, and the draw's winner is announced on the worker's page; both pages
fit a 360 px phone in Vietnamese and English."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import ARTIFACTS, OpenPage
from tests.clients import Fixture


async def ready(open_page: OpenPage, who: object, path: str) -> Page:
    page = await open_page(who, path)  # type: ignore[arg-type]
    await page.set_viewport_size({"width": 360, "height": 740})
    await expect(page.locator("#conn-status")).to_have_attribute("data-kind", "ok")
    return page


async def no_overflow(page: Page) -> None:
    width = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    wide = """[...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .map(e => e.tagName + ':' + (e.textContent || e.name).slice(0, 30))"""
    assert await page.evaluate(width) <= 0, await page.evaluate(wide)


async def test_a_quiz_is_asked_answered_and_drawn_live_on_a_phone(
    fx: Fixture, open_page: OpenPage
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for n, lang in enumerate(("en", "vi")):
        host = await ready(
            open_page,
            fx.recruiter_a,
            f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/console?lang={lang}",
        )
        worker = await ready(
            open_page, fx.worker, f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}?lang={lang}"
        )
        form = host.locator("#polls .poll-form")
        await form.locator("input[name=text]").fill(f"Thủ đô của Hàn Quốc? {n}")
        await form.locator("textarea[name=options]").fill("Busan\nSeoul\nIncheon")
        await form.locator("input[name=quiz]").check()
        await form.locator("input[name=correct]").fill("2")
        await form.locator("button[type=submit]").click()
        asked = worker.locator("#polls .poll", has_text=f"Hàn Quốc? {n}")
        await expect(asked.locator(".poll-option.correct")).to_have_count(0)  # not shown yet
        await asked.locator(".poll-answer").nth(1).click()
        await expect(asked.locator('.poll-option[aria-current="true"]')).to_contain_text("Seoul")
        await expect(asked.locator(".poll-answer")).to_have_count(0)  # answered once
        on_console = host.locator("#polls .poll", has_text=f"Hàn Quốc? {n}")
        await expect(on_console.locator(".poll-option").nth(1)).to_contain_text("1 · 100%")
        await host.locator("#polls .poll").first.scroll_into_view_if_needed()
        await host.screenshot(path=ARTIFACTS / f"polls-console-360-{lang}.png")
        await on_console.locator("button", has_text="Draw" if lang == "en" else "Bốc").click()
        await expect(asked.locator(".poll-winners")).to_contain_text(fx.worker.name)
        await expect(asked.locator(".poll-option.correct")).to_contain_text("Seoul")
        for page in (host, worker):
            await no_overflow(page)
        await asked.scroll_into_view_if_needed()
        await worker.screenshot(path=ARTIFACTS / f"polls-booth-360-{lang}.png")
