"""Fixtures for the weak-link tests: a jobfair node listening on every address (the browser inside
the link reaches it through the tool's veth pair), a fair on it, the host's Chromium for the
people on a good link, and the weak link itself. Without root, the tool or nftables these tests
fail, never skip: scripts/test installs nftables."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
from playwright.async_api import Browser, Page
from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.models import Participant
from rooms.people import People
from server.auth import Tokens
from tests.browser.conftest import browser, chromium_path  # noqa: F401  (fixtures)
from tests.clients import Fixture
from tests.procs import Node, RedisProcess
from tests.weaklink import link


@pytest.fixture(scope="module")
def open_node(
    redis_server: RedisProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Node]:
    """A node on 0.0.0.0: its answers carry a host candidate on the tool's veth address."""
    n = Node(tmp_path_factory.mktemp("node"), redis_server.url).start("--host", "0.0.0.0")
    yield n
    n.stop()


@pytest.fixture
async def wfx(
    redis: Redis, fairs: Fairs, people: People, tokens: Tokens, open_node: Node
) -> AsyncIterator[Fixture]:
    fixture = await Fixture.build(fairs, people, tokens, open_node.url)
    yield fixture
    await fixture.aclose()


@pytest.fixture
async def weak(browser: Browser, open_node: Node) -> AsyncIterator[link.WeakLink]:  # noqa: F811
    """The issue's weak link: 400 kbit/s down, 300 up, 3% loss each way."""
    if (why := link.problem()) is not None:
        pytest.fail(why)
    wl = link.WeakLink(open_node.url, down="400kbit", up="300kbit", loss="3")
    try:
        await wl.start(browser.browser_type)
        yield wl
    finally:
        await wl.close()


HostPage = Callable[[Participant, str], Awaitable[Page]]


@pytest.fixture
async def host_page(browser: Browser, wfx: Fixture) -> AsyncIterator[HostPage]:  # noqa: F811
    """`await host_page(who, path)`: a page on the host's good link, signed in as `who`."""
    contexts = []

    async def open_(who: Participant, path: str) -> Page:
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        contexts.append(context)
        page = await context.new_page()
        page.on("console", lambda m: print(f"[host console {m.type}] {m.text}"))
        await page.goto(wfx.link(who))
        await page.goto(wfx.base + path)
        return page

    yield open_
    for context in contexts:
        await context.close()
