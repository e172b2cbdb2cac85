"""Is Redis serving this node? The one owner of that answer, and of telling the pages.

Two signs, either of which makes the node `degraded`: a ping unanswered within the probe timeout
(every `interval`; a frozen Redis still accepts connections, so only a timeout shows it), and the
bus's pub/sub listener being down (server/bus.py; events published meanwhile reach nobody here).
Every connected page gets a `degraded` event within interval + timeout, and once Redis answers
and the bus has re-confirmed every subscription, a `resync` event: events may have been missed
during the gap, so pages read state again. Since `resync` is sent only after the subscriptions are
back, whatever was acknowledged before is in what the pages re-read, and whatever comes after
arrives as events: no acknowledged change is missed by a page that stays connected.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from server.tasks import cancel

log = logging.getLogger(__name__)


class Health:
    def __init__(
        self,
        probe: Redis,
        bus_up: Callable[[], bool],
        tell: Callable[[str], None],
        interval: float,
        timeout: float,
        on_rtt: Callable[[float], None] = lambda seconds: None,
    ) -> None:
        """`probe` should not retry (server/redis_client.py `connect_probe`); `tell(event)` sends
        a node-wide event to every local page; `on_rtt(seconds)` gets each answered ping's round
        trip (/metrics). Starts `ok`: the node has just talked to Redis."""
        self._probe = probe
        self._on_rtt = on_rtt
        self._bus_up = bus_up
        self._tell = tell
        self._interval = interval
        self._timeout = timeout
        self._answers = True
        self._ok = True
        self._task: asyncio.Task[None] | None = None

    @property
    def ok(self) -> bool:
        return self._ok

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="redis-health")

    async def close(self) -> None:
        await cancel(self._task)
        self._task = None

    async def ping(self) -> bool:
        """Does Redis answer within the probe timeout? (Never raises, never waits longer.)"""
        start = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout):
                await self._probe.ping()
        except (RedisError, TimeoutError):
            return False
        self._on_rtt(time.perf_counter() - start)
        return True

    def evaluate(self) -> None:
        """Re-judge after a ping or a change of the bus; tell the pages about a change."""
        ok = self._answers and self._bus_up()
        if ok == self._ok:
            return
        self._ok = ok
        if ok:
            log.info("Redis serves this node again; pages re-read state")
            self._tell("resync")
        else:
            why = "pub/sub is down" if self._answers else "Redis does not answer"
            log.warning("degraded: %s; pages are told", why)
            self._tell("degraded")

    async def _run(self) -> None:
        while True:
            self._answers = await self.ping()
            self.evaluate()
            await asyncio.sleep(self._interval)
