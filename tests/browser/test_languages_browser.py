"""In Chromium, per language (vi, en, zh): the lobby, booth, console, moderator and interview
pages show no untranslated text (in Chinese, no Latin-only word besides fair data and a short
allow-list), and their times are the fair's, named, whatever the device's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.messages.pofile import read_po
from playwright.async_api import Browser, Page, expect

from rooms.fairs import Fairs
from rooms.models import JobInput
from server.messages import po_path
from tests.clients import JOB, Fixture, connect, ok
from tests.server.test_interview_room import accepted_interview

DEVICE_ZONE = "America/Los_Angeles"  # 15 hours from the fair's: a time read on it shows
FAIR_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# Latin words a Chinese page may show: the brand, the language switch, units, file formats and
# currency prefixes (NT$, JP¥)
LATIN_IN_ZH = {"jobfair", "VI", "EN", "GMT", "UTC", "PDF", "JPG", "PNG", "JPEG", "WebP", "KiB"}
LATIN_IN_ZH |= {"MB", "CSV", "JSON", "NT", "JP", "CN", "US", "HK"}

JOB_JPY = JobInput(
    title="Thực tập sinh chế biến thực phẩm",
    openings=40,
    salary_min_vnd=180_000,
    salary_max_vnd=220_000,
    location="Aichi",
    abroad="JP",
    currency="JPY",
)
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest("script, style, [hidden]")) continue;
    const marked = el.closest("[lang]");  // a language's own name, in its own language
    if (marked && marked !== document.documentElement) continue;
    if (el.tagName !== "OPTION" && !el.checkVisibility()) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  return out;
}"""


def english_sources(lang: str) -> set[str]:
    """The English messages that this language translates differently."""
    with po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    return {
        str(m.id)
        for m in catalog
        if isinstance(m.id, str) and m.id and m.string and m.string != m.id
    }


def fair_data(fx: Fixture) -> list[str]:
    """Text that people typed (fair, booths, jobs, names): shown as typed, in any language."""
    people = [fx.worker, fx.moderator, fx.recruiter_a, fx.recruiter_b]
    data = [fx.fair.title, fx.fair.description, *(p.name for p in people)]
    data += [fx.booth_a.employer, fx.booth_b.employer, JOB["title"], JOB["location"]]
    data += [JOB_JPY.title, JOB_JPY.location]
    return sorted((d for d in data if d), key=len, reverse=True)


async def open_as(browser: Browser, fx: Fixture, who: object, path: str) -> Page:
    context = await browser.new_context(
        viewport={"width": 412, "height": 915}, timezone_id=DEVICE_ZONE, locale="en-US"
    )
    page = await context.new_page()
    page.on("pageerror", lambda e: print(f"[pageerror] {e}"))
    await page.goto(fx.link(who))  # type: ignore[arg-type]
    await page.goto(fx.base + path)
    return page


async def test_every_page_speaks_each_language_and_shows_the_fairs_time(
    fx: Fixture, fairs: Fairs, browser: Browser
) -> None:
    now = datetime.now(UTC)
    await fairs.update_fair(
        fx.fair.id,
        {
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(hours=5)).isoformat(),
        },
    )
    await fairs.create_job(fx.fair.id, fx.booth_a.id, JOB_JPY)
    recruiter = await connect(fx, fx.recruiter_a)
    start = int((now + timedelta(hours=2)).replace(second=0, microsecond=0).timestamp())
    await ok(
        recruiter,
        "slots.publish",
        {"booth_id": fx.booth_a.id, "starts_at": start, "minutes": 15, "capacity": 2},
    )
    on_fair = datetime.fromtimestamp(start, FAIR_ZONE)
    on_device = datetime.fromtimestamp(start, ZoneInfo(DEVICE_ZONE))
    _worker, _recruiter, interview_id = await accepted_interview(fx)

    fair = f"/fairs/{fx.fair.id}"
    pages = [
        ("lobby", fx.worker, fair),
        ("booth", fx.worker, f"{fair}/booths/{fx.booth_a.id}"),
        ("console", fx.recruiter_a, f"{fair}/booths/{fx.booth_a.id}/console"),
        ("moderator", fx.moderator, f"{fair}/moderate"),
        ("interview", fx.recruiter_a, f"{fair}/interviews/{interview_id}"),
    ]
    data = fair_data(fx)
    found: list[str] = []
    for lang in ("vi", "en", "zh"):
        untranslated = english_sources(lang) if lang != "en" else set()
        clock = "%-I:%M" if lang == "en" else "%H:%M"  # English pages use a 12-hour clock
        on_fair_clock, on_device_clock = on_fair.strftime(clock), on_device.strftime(clock)
        for name, who, path in pages:
            page = await open_as(browser, fx, who, f"{path}?lang={lang}")
            await expect(page.locator("#conn-status")).to_have_attribute("data-kind", "ok")
            if name in ("booth", "console"):
                await expect(page.locator(".slots-list li").first).to_contain_text(on_fair_clock)
                assert on_device_clock not in await page.locator(".slots-list").inner_text()
            if name == "booth":  # the posting's currency, written the page's way
                pay = page.locator("#jobs article.job", has_text=JOB_JPY.title).locator(".salary")
                await expect(pay).to_contain_text("¥")
            await page.wait_for_timeout(300)  # the scripts' last renders
            zone = await page.locator("main > .tz").inner_text()
            assert "GMT+07:00" in zone or "GMT+7" in zone, (lang, name, zone)
            for text in await page.evaluate(VISIBLE_TEXT):
                if text.rstrip(":") in untranslated:
                    found.append(f"{lang} {name}: untranslated {text!r}")
                if lang == "zh":
                    for datum in data:
                        text = text.replace(datum, " ")
                    latin = set(re.findall(r"[A-Za-z]+", text)) - LATIN_IN_ZH
                    if latin:
                        found.append(f"zh {name}: Latin {sorted(latin)} in {text!r}")
            await page.context.close()
    assert found == []
