"""Fixtures shared by every test: one private redis-server for the session, a clean database per
test, jobfair nodes on it, and signed-in HTTP and websocket clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.people import People
from rooms.store import keys
from rooms.store.scripts import Scripts
from server.auth import Tokens
from tests import privacy, procs
from tests.clients import Fixture
from tests.procs import SECRET, Node, RedisProcess

PRIVACY_LEAKS = pytest.StashKey[list[privacy.Leak]]()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def redis(redis_server: RedisProcess) -> AsyncIterator[Redis]:
    """A clean database, but for the leases of the nodes still running (the session's node and
    others outlive a test): without its lease another node would end the first one's streams."""
    client = Redis.from_url(redis_server.url, decode_responses=True)
    leases = keys.node_lease("*")
    kept = {k: (await client.get(k), await client.pttl(k)) async for k in client.scan_iter(leases)}
    await client.flushdb()
    for key, (value, ttl) in kept.items():
        if value is not None and ttl > 0:
            await client.set(key, value, px=ttl)
    yield client
    await client.aclose()


@pytest.fixture
def scripts(redis: Redis) -> Scripts:
    return Scripts(redis)


@pytest.fixture
def fairs(redis: Redis, scripts: Scripts) -> Fairs:
    return Fairs(redis, scripts)


@pytest.fixture
def people(redis: Redis, scripts: Scripts) -> People:
    return People(redis, scripts)


@pytest.fixture
def tokens() -> Tokens:
    return Tokens(SECRET, session_hours=1, invite_days=1)


@pytest.fixture(scope="session")
def node(redis_server: RedisProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """One jobfair node for the session; tests get a clean Redis through the `redis` fixture."""
    n = Node(tmp_path_factory.mktemp("node"), redis_server.url).start()
    yield n
    n.stop()


@pytest.fixture
async def fx(
    redis: Redis, fairs: Fairs, people: People, tokens: Tokens, node: Node
) -> AsyncIterator[Fixture]:
    """A fair with two booths and a participant of each kind, on a clean Redis."""
    fixture = await Fixture.build(fairs, people, tokens, node.url)
    yield fixture
    await fixture.aclose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent.name == "browser":
            item.add_marker(pytest.mark.browser)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The privacy scan of every log this run's processes wrote; a leak fails the run."""
    leaks = privacy.scan(procs.LOGS)
    session.config.stash[PRIVACY_LEAKS] = leaks
    if leaks and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    leaks = terminalreporter.config.stash.get(PRIVACY_LEAKS, [])
    if leaks:
        terminalreporter.section("privacy scan: FAILED", red=True)
        terminalreporter.line(
            f"{len(leaks)} log line(s) hold a token, phone number or e-mail address "
            "(shown redacted; see tests/privacy.py):"
        )
        for leak in leaks[:20]:
            terminalreporter.line(str(leak))
