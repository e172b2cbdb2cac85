"""A node restarts under a live booth: the pages reconnect by themselves and resume where they
were — the recruiter's stream goes live again without a click, the worker's video plays again
and their place in line is still shown."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from rooms.fairs import Fairs
from rooms.people import People
from server.auth import Tokens
from tests.browser.test_stream_browser import FRAMES_DECODED
from tests.clients import Fixture
from tests.procs import Node, RedisProcess


@pytest.fixture
async def restartable(
    redis: Any,
    redis_server: RedisProcess,
    fairs: Fairs,
    people: People,
    tokens: Tokens,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[Node, Fixture]]:
    node = Node(tmp_path_factory.mktemp("restart"), redis_server.url).start()
    fixture = await Fixture.build(fairs, people, tokens, node.url)
    yield node, fixture
    await fixture.aclose()
    node.stop()


async def _page(browser: Browser, fx: Fixture, link: str, path: str) -> Page:
    context = await browser.new_context(viewport={"width": 412, "height": 915})
    page = await context.new_page()
    await page.goto(link)
    await page.goto(fx.base + path)
    return page


async def _plays(page: Page) -> None:
    first = int(await page.evaluate(FRAMES_DECODED))
    await page.wait_for_function(f"({FRAMES_DECODED})().then((n) => n > {first} + 10)")


async def test_pages_resume_by_themselves_after_their_node_restarts(
    browser: Browser, restartable: tuple[Node, Fixture]
) -> None:
    node, fx = restartable
    booth = f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}"
    recruiter = await _page(browser, fx, fx.link(fx.recruiter_a), f"{booth}/console")
    worker = await _page(browser, fx, fx.link(fx.worker), booth)
    await expect(recruiter.locator("#conn-status")).to_have_attribute("data-kind", "ok")
    await recruiter.click("#go-live")
    await expect(worker.locator("#stream-state")).to_have_attribute(
        "data-kind", "live", timeout=15_000
    )
    await _plays(worker)
    await worker.click("#queue .queue-join")
    await worker.locator(".consent-prompt .consent-no").click()
    await expect(worker.locator("#queue .queue-number")).to_have_text("1")

    node.stop()  # SIGTERM: the drain closes every page's socket with 1012
    node.start()  # the same address: what a load balancer would send them to

    await expect(worker.locator("#conn-status")).to_have_attribute(
        "data-kind", "ok", timeout=20_000
    )
    await expect(recruiter.locator("#stream-state")).to_have_attribute(
        "data-kind", "live", timeout=20_000
    )
    await expect(worker.locator("#stream-state")).to_have_attribute(
        "data-kind", "live", timeout=20_000
    )
    await _plays(worker)
    await expect(worker.locator("#queue .queue-number")).to_have_text("1")
    await recruiter.context.close()
    await worker.context.close()
