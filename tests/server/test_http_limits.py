"""HTTP write limits see the real client: each signed-in person has their own allowance, even
behind one shared address; before sign-in the address counts, and X-Forwarded-For names it only
when the peer is a trusted proxy (JOBFAIR_TRUSTED_PROXIES), right-most untrusted entry first.

The node trusts 127.0.0.2 as its proxy; clients bind 127.0.0.x source addresses to be a proxy,
an untrusted peer or a user. Each test uses its own addresses or sessions: the node's buckets
outlive a test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.people import People
from server.auth import SESSION_COOKIE, Tokens
from tests.clients import Fixture
from tests.procs import Node, RedisProcess

BURST = 3  # writes allowed at once; then one a minute, so the test never sees a refill
PROXY = "127.0.0.2"


@pytest.fixture(scope="module")
def limited(redis_server: RedisProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    node = Node(
        tmp_path_factory.mktemp("limited"),
        redis_server.url,
        JOBFAIR_LIMIT_HTTP_BURST=str(BURST),
        JOBFAIR_LIMIT_HTTP_RATE_PER_MINUTE="1",
        JOBFAIR_TRUSTED_PROXIES=PROXY,
    ).start()
    yield node
    node.stop()


@asynccontextmanager
async def client(node: Node, source: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(base_url=node.url, transport=transport) as http:
        yield http


async def statuses(http: httpx.AsyncClient, forwarded_for: list[str]) -> list[int]:
    """One anonymous write per X-Forwarded-For value ('' sends none): the status of each."""
    result = []
    for value in forwarded_for:
        headers = {"x-forwarded-for": value} if value else {}
        result.append((await http.post("/api/fairs", json={}, headers=headers)).status_code)
    return result


def limited_after_burst(codes: list[int]) -> bool:
    return 429 not in codes[:BURST] and set(codes[BURST:]) == {429}


async def test_two_sessions_from_one_address_each_get_their_own_allowance(
    limited: Node, redis: Redis, fairs: Fairs, people: People, tokens: Tokens
) -> None:
    fx = await Fixture.build(fairs, people, tokens, limited.url)
    try:
        a, b = await fx.session(fx.worker), await fx.session(fx.recruiter_a)
        path = f"/api/fairs/{fx.fair.id}/dossier"
        a_codes = [(await a.api("PUT", path, {})).status_code for _ in range(BURST + 1)]
        b_codes = [(await b.api("PATCH", "/api/fairs/x", {})).status_code for _ in range(BURST)]
        assert limited_after_burst(a_codes), a_codes
        assert 429 not in b_codes, b_codes  # the same 127.0.0.1, a different person
    finally:
        await fx.aclose()


async def test_a_forged_session_cookie_is_counted_by_address(limited: Node) -> None:
    async with client(limited, "127.0.0.5") as http:
        codes = []
        for i in range(BURST + 2):
            http.cookies.set(SESSION_COOKIE, f"forged-{i}.aaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb")
            codes += await statuses(http, [""])
    assert limited_after_burst(codes), codes


async def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(limited: Node) -> None:
    # loopback too: uvicorn alone would trust 127.0.0.1; only the configured proxy counts
    async with client(limited, "127.0.0.1") as http:
        codes = await statuses(http, [f"10.1.0.{i}" for i in range(BURST + 2)])
    assert limited_after_burst(codes), codes  # one allowance: 127.0.0.1's


async def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(limited: Node) -> None:
    async with client(limited, PROXY) as http:
        first = await statuses(http, ["10.2.0.1"] * (BURST + 1))
        second = await statuses(http, ["10.2.0.2"] * BURST)
        # a client cannot refill by prepending entries: the right-most untrusted one counts
        spoofed = await statuses(http, [f"10.9.9.{i}, 10.2.0.3" for i in range(BURST + 1)])
    assert limited_after_burst(first), first
    assert 429 not in second, second
    assert limited_after_burst(spoofed), spoofed
