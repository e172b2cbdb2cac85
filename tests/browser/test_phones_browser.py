"""Every page, for every role, on a 360×740 phone in Chromium: no horizontal scroll, the header on
one line, tap targets of at least 44 px, the interview room showing the other person large and
oneself small in a corner, and axe-core (from its npm package) finding no serious or critical
accessibility violation. A screenshot of each page goes to test-artifacts/phones/ to look at."""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from rooms.fairs import Fairs
from rooms.models import JobInput, Participant
from tests.browser.conftest import ARTIFACTS
from tests.clients import Fixture, connect, ok

PHONE = {"width": 360, "height": 740}
AXE_VERSION = "4.10.3"
AXE_DIR = ARTIFACTS / "npm"
SHOTS = ARTIFACTS / "phones"
AXE_PATH = "/__tests__/axe.min.js"

# visible controls a thumb must hit: buttons, button-like links, fields and menus
TAP_TARGETS = """() => [...document.querySelectorAll(['button', 'a.button', 'select', 'summary',
    'input:not([type=checkbox]):not([type=radio]):not([type=hidden])'].join(','))]
  .filter((n) => n.offsetParent !== null && !n.closest('[hidden]'))
  .map((n) => ({ what: n.outerHTML.slice(0, 80), h: n.getBoundingClientRect().height }))
  .filter((n) => n.h < 44)"""
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter((n) => n.getBoundingClientRect().right > 361 || n.scrollWidth > 361)
  .slice(0, 8).map((n) => n.outerHTML.slice(0, 100))"""

# pages with a fair socket have said "connected"; the others never set a kind
CONNECTED = """() => ['ok', undefined]
  .includes(document.getElementById('conn-status')?.dataset.kind)"""

Phone = Callable[[Participant | None, str], Awaitable[Page]]


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core from its npm package (the registry, once per checkout; never a CDN)."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(AXE_DIR),
             f"axe-core@{AXE_VERSION}"],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return script


@pytest.fixture
async def phone(browser: Browser, fx: Fixture, axe_script: Path) -> AsyncIterator[Phone]:
    """A phone's page signed in as `who`; the page may load axe-core from AXE_PATH (same origin,
    so the page's Content-Security-Policy stays as it is)."""
    contexts = []

    async def open_(who: Participant | None, path: str) -> Page:
        context = await browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
        await context.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=axe_script))
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda e: print(f"[pageerror] {e}"))
        if who is not None:
            await page.goto(fx.link(who))
        await page.goto(fx.base + path)
        return page

    yield open_
    for context in contexts:
        await context.close()


async def check_phone_page(page: Page, name: str) -> None:
    await page.wait_for_load_state("networkidle")
    await page.wait_for_function(CONNECTED)
    await page.wait_for_timeout(300)  # the scripts' first render
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (name, width, await page.evaluate(WIDE))
    header = await page.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= 56, (name, header)  # one line
    assert await page.evaluate(TAP_TARGETS) == [], name
    await page.add_script_tag(url=AXE_PATH)
    found = json.loads(
        await page.evaluate(
            "async () => JSON.stringify((await axe.run(document, {resultTypes: ['violations']}))"
            ".violations.filter((v) => ['serious', 'critical'].includes(v.impact))"
            ".map((v) => ({id: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target)})))"
        )
    )
    assert found == [], (name, found)


async def test_every_page_fits_a_360px_phone_for_every_role(
    fx: Fixture, fairs: Fairs, phone: Phone
) -> None:
    await fairs.create_job(
        fx.fair.id,
        fx.booth_a.id,
        JobInput(
            title="Thực tập sinh chế biến thực phẩm (hợp đồng 3 năm, có trợ cấp nhà ở)",
            openings=40,
            salary_min_vnd=28_000_000,
            salary_max_vnd=32_000_000,
            location="Aichi",
            abroad="JP",
        ),
    )
    worker_ws, recruiter_ws = await connect(fx, fx.worker), await connect(fx, fx.recruiter_a)
    entry = await ok(worker_ws, "queue.join", {"booth_id": fx.booth_a.id})
    await ok(recruiter_ws, "queue.call_next", {"booth_id": fx.booth_a.id})
    interview = (await ok(worker_ws, "queue.accept", {"entry_id": entry["id"]}))["interview_id"]
    f = f"/fairs/{fx.fair.id}"
    pages: list[tuple[str, Participant | None, str]] = [
        ("index", None, "/"),
        ("lobby-anonymous", None, f),
        ("lobby-worker", fx.worker, f),
        ("booth-worker", fx.worker, f"{f}/booths/{fx.booth_a.id}"),
        ("dossier-worker", fx.worker, f"{f}/dossier"),
        ("interviews-worker", fx.worker, f"{f}/interviews"),
        ("interview-worker", fx.worker, f"{f}/interviews/{interview}"),
        ("interview-recruiter", fx.recruiter_a, f"{f}/interviews/{interview}"),
        ("console-recruiter", fx.recruiter_a, f"{f}/booths/{fx.booth_a.id}/console"),
        ("lobby-recruiter", fx.recruiter_a, f),
        ("moderator", fx.moderator, f"{f}/moderate"),
        ("report-moderator", fx.moderator, f"{f}/report"),
        ("dashboard-moderator", fx.moderator, f"{f}/dashboard"),
    ]
    for name, who, path in pages:
        page = await phone(who, path)
        await check_phone_page(page, name)
        if name.startswith("interview-"):
            await assert_other_large_self_small(page)
        await page.context.close()


async def assert_other_large_self_small(page: Page) -> None:
    other = await page.locator("#iv-other").first.bounding_box()
    mine = await page.locator(".iv-self").first.bounding_box()
    assert other is not None and mine is not None
    assert other["width"] >= 0.9 * (PHONE["width"] - 32), other  # the width of the screen
    assert mine["width"] * mine["height"] <= 0.12 * other["width"] * other["height"], (mine, other)
    inside = (
        other["x"] <= mine["x"]
        and mine["x"] + mine["width"] <= other["x"] + other["width"]
        and other["y"] <= mine["y"]
        and mine["y"] + mine["height"] <= other["y"] + other["height"]
    )
    assert inside, (mine, other)  # in a corner of the other person's picture
