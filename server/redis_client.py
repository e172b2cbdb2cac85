"""The node's Redis clients: one for commands, bounded in time; one small one for probes.

A frozen Redis (SIGSTOP, a stalled host) accepts connections and never answers: without a bound
every request waits forever. So each command, its retries and its wait for a pooled connection
included, ends within `timeout` with a redis `TimeoutError`, which every caller already answers
as `unavailable` (HTTP 503). A command cut short may still run when Redis wakes: its outcome is
unknown, and a retry with the same op id is safe (`rooms/store/scripts/_op.lua`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server.redis_pool import blocking_pool

REDIS_CONNECTIONS = 64  # per node; more commands wait for one, within the timeout
PROBE_CONNECTIONS = 8  # pings and the pub/sub listener


def _too_slow(timeout: float) -> BaseException:
    """The error for a command past its bound; but if the task itself is being cancelled (a
    node stopping), the cancellation: Python 3.11's `asyncio.timeout` can turn a cancel that
    lands with the timeout into a TimeoutError, and a loop that catches Redis errors would then
    never end."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        return asyncio.CancelledError()
    return RedisTimeoutError(f"Redis did not answer within {timeout} s")


class BoundedPipeline(Pipeline):
    command_timeout: float

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        try:
            async with asyncio.timeout(self.command_timeout):
                return await super().execute(raise_on_error)
        except TimeoutError:
            raise _too_slow(self.command_timeout) from None


class BoundedRedis(Redis):
    """Every command and pipeline ends within `command_timeout` seconds."""

    command_timeout: float

    @classmethod
    def owning(cls, pool: ConnectionPool, command_timeout: float) -> BoundedRedis:
        """Like `from_pool`: closing the client closes its pool."""
        client = cls(connection_pool=pool)
        client.auto_close_connection_pool = True
        client.command_timeout = command_timeout
        return client

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        try:
            async with asyncio.timeout(self.command_timeout):
                return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        except TimeoutError:  # ours: redis's own TimeoutError is not the builtin one
            raise _too_slow(self.command_timeout) from None

    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> Pipeline:
        pipe = BoundedPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint
        )
        pipe.command_timeout = self.command_timeout
        return pipe


def connect_redis(url: str, timeout: float = 2.0) -> Redis:
    """Commands retry through a short outage (a Redis restart) until `timeout`, then fail.

    Only a refused or broken connection is retried: a read that timed out means Redis is frozen
    or overloaded, and sending the command again would only pile up work for when it wakes. The
    pool's wait for a free connection is inside the same bound: a crowd connecting together
    queues for Redis (a command takes well under a millisecond) instead of getting 503s."""
    pool = blocking_pool(
        url,
        max_connections=REDIS_CONNECTIONS,
        timeout=timeout,
        socket_connect_timeout=min(1.0, timeout),
        socket_timeout=timeout,
        decode_responses=True,
        health_check_interval=15,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 20, (RedisConnectionError,)),
    )
    return BoundedRedis.owning(pool, timeout)


def connect_probe(url: str, timeout: float) -> Redis:
    """A few connections that never retry, for health pings and the pub/sub listener: they must
    see a failure at once, not ride it out."""
    pool = blocking_pool(
        url,
        max_connections=PROBE_CONNECTIONS,
        timeout=timeout,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        decode_responses=True,
        retry=Retry(NoBackoff(), retries=0),
    )
    return Redis.from_pool(pool)
