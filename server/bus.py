"""Redis pub/sub fan-in for this node: the fairs its clients are in, delivered to the hub.

Pub/sub only notifies; state lives in keys. When the subscription connection is re-made (Redis
restarted, network blip), events may have been lost, so the fair's clients are told to resync.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from rooms.store import keys

log = logging.getLogger(__name__)


class Bus:
    def __init__(
        self,
        redis: Redis,
        deliver: Callable[[str, str], None],
        resync: Callable[[str], None],
    ) -> None:
        self._redis = redis
        self._deliver = deliver
        self._resync = resync
        self._channels: dict[str, str] = {}  # channel -> fair id
        self._confirmed: set[str] = set()
        self._pubsub: PubSub | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="bus")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._pubsub is not None:
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            self._pubsub = None

    async def subscribe(self, fair_id: str) -> None:
        channel = keys.events(fair_id)
        self._channels[channel] = fair_id
        await self._ready.wait()
        assert self._pubsub is not None
        with contextlib.suppress(RedisError):  # the run loop re-subscribes on reconnect
            await self._pubsub.subscribe(channel)

    async def unsubscribe(self, fair_id: str) -> None:
        channel = keys.events(fair_id)
        self._channels.pop(channel, None)
        self._confirmed.discard(channel)
        if self._pubsub is not None:
            with contextlib.suppress(RedisError):
                await self._pubsub.unsubscribe(channel)

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            self._pubsub = self._redis.pubsub()
            try:
                if self._channels:
                    await self._pubsub.subscribe(*self._channels)
                else:
                    # connect now, so that a later subscribe() never races the first read
                    await self._pubsub.ping()
                self._ready.set()
                backoff = 0.1
                while True:
                    message = await self._pubsub.get_message(timeout=5.0)
                    if message is not None:
                        self._handle(message)
            except RedisError as exc:
                log.warning("pub/sub connection lost (%s); reconnecting", exc)
                self._ready.clear()
                with contextlib.suppress(Exception):
                    await self._pubsub.aclose()  # type: ignore[no-untyped-call]
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)

    def _handle(self, message: dict[str, object]) -> None:
        kind, channel, data = message.get("type"), str(message.get("channel")), message.get("data")
        fair_id = self._channels.get(channel)
        if fair_id is None:
            return
        if kind == "message":
            self._deliver(fair_id, str(data))
        elif kind == "subscribe":
            if channel in self._confirmed:
                self._resync(fair_id)  # a re-subscription after a reconnect
            self._confirmed.add(channel)
