"""Domain tests use their own Redis database: the jobfair nodes other tests start (on database 0)
sweep deadlines and presence, and must not act on a domain test's state behind its back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.procs import RedisProcess


@pytest.fixture
async def redis(redis_server: RedisProcess) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url.rsplit("/", 1)[0] + "/1", decode_responses=True)
    await client.flushdb()
    yield client
    await client.aclose()
