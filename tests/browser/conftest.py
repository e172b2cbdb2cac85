"""Playwright driving Debian's Chromium (its own browser download does not work here).

`browser` is one headless Chromium for the session, with a fake camera and microphone; each test
opens pages in fresh contexts (separate cookie jars: one per person). Without Chromium these tests
fail, never skip: scripts/test installs it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from rooms.models import Participant
from tests.clients import Fixture

CHROMIUM = os.environ.get("JOBFAIR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

OpenPage = Callable[[Participant | None, str], Awaitable[Page]]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/test, which installs it")
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=chromium_path, args=ARGS, headless=True)
        yield chromium
        await chromium.close()


@pytest.fixture
async def open_page(
    browser: Browser, fx: Fixture, request: pytest.FixtureRequest
) -> AsyncIterator[OpenPage]:
    """`await open_page(who, path)`: a page signed in as `who` (None: anonymous) at `path`.

    On failure, a screenshot of every page goes to test-artifacts/."""
    contexts = []
    pages: list[Page] = []
    errors: list[str] = []  # uncaught errors in a page's scripts fail the test

    async def open_(who: Participant | None, path: str) -> Page:
        # a Vietnamese phone: pages follow the browser's Accept-Language
        context = await browser.new_context(viewport={"width": 412, "height": 915}, locale="vi-VN")
        contexts.append(context)
        page = await context.new_page()
        pages.append(page)
        page.on("console", lambda m: print(f"[console {m.type}] {m.text}"))
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
        if who is not None:
            await page.goto(fx.link(who))
        await page.goto(fx.base + path)
        return page

    yield open_
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for i, page in enumerate(pages):
            await page.screenshot(path=ARTIFACTS / f"{request.node.name}-{i}.png", full_page=True)
    for context in contexts:
        await context.close()
    assert not errors, "uncaught errors in page scripts:\n" + "\n".join(errors)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
