"""Redis pub/sub fan-in for this node: the fairs its clients are in, delivered to the hub.

Pub/sub only notifies; state lives in keys. The listener is `up` while its connection holds every
wanted subscription. When the connection drops, events published until it is re-made and every
channel re-confirmed reach nobody here: `on_change` tells the node's health (server/health.py),
which keeps pages `degraded` until the bus is up again and then has them re-read state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from rooms.store import keys
from server.tasks import cancel

log = logging.getLogger(__name__)


class Bus:
    def __init__(
        self,
        redis: Redis,
        deliver: Callable[[str, str], None],
        on_change: Callable[[], None],
        timeout: float,
    ) -> None:
        """`redis` should not retry (server/redis_client.py `connect_probe`): a lost connection
        must surface here, where the gap is accounted for, not be re-made quietly."""
        self._redis = redis
        self._deliver = deliver
        self._on_change = on_change
        self._timeout = timeout
        self._channels: dict[str, str] = {}  # channel -> fair id, wanted by this node's clients
        self._confirmed: dict[str, asyncio.Event] = {}  # set once Redis confirmed it on this link
        self._pending: set[str] = set()  # re-subscribed after a reconnect, not yet confirmed
        self._up = asyncio.Event()
        self._pubsub: PubSub | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def up(self) -> bool:
        """Every wanted channel is subscribed on a live connection: no event is being lost."""
        return self._up.is_set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="bus")
        async with asyncio.timeout(self._timeout):
            await self._up.wait()

    async def close(self) -> None:
        await cancel(self._task)
        self._task = None

    async def subscribe(self, fair_id: str) -> None:
        """Returns once Redis confirmed the subscription, so that state read afterwards misses no
        event; raises a redis TimeoutError when that takes longer than the timeout."""
        channel = keys.events(fair_id)
        confirmed = self._confirmed.get(channel)
        if confirmed is None:
            self._channels[channel] = fair_id
            confirmed = self._confirmed[channel] = asyncio.Event()
            if self._pubsub is not None:
                with contextlib.suppress(RedisError):  # the run loop re-subscribes on reconnect
                    await self._pubsub.subscribe(channel)
        try:
            async with asyncio.timeout(self._timeout):
                await confirmed.wait()
        except TimeoutError:
            raise RedisTimeoutError("the fair's events are not subscribed yet") from None

    async def unsubscribe(self, fair_id: str) -> None:
        channel = keys.events(fair_id)
        self._channels.pop(channel, None)
        self._confirmed.pop(channel, None)
        if self._pubsub is not None:
            with contextlib.suppress(RedisError):
                await self._pubsub.unsubscribe(channel)

    async def _run(self) -> None:
        backoff = 0.05
        while True:
            pubsub = self._redis.pubsub()
            try:
                await self._listen(pubsub)
            except RedisError as exc:
                lost = log.warning if self.up else log.debug  # one line per outage
                lost("pub/sub connection lost (%s); reconnecting", type(exc).__name__)
                backoff = 0.05 if self._pubsub is pubsub else min(backoff * 2, 0.5)
                self._set_up(False)
                for confirmed in self._confirmed.values():
                    confirmed.clear()
            finally:
                self._pubsub = None
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(backoff)

    async def _listen(self, pubsub: PubSub) -> None:
        """Connect, subscribe every wanted channel, then deliver until the connection fails.

        `subscribe()` sends on the connection only once it is made (two tasks connecting one
        PubSub would each take a connection); channels wanted meanwhile are sent here."""
        batch = set(self._channels)
        if batch:
            await pubsub.subscribe(*batch)
        else:
            await pubsub.ping()  # connects
        self._pubsub = pubsub
        late = set(self._channels) - batch
        self._pending = batch | late
        if late:
            await pubsub.subscribe(*late)
        if not self._pending:
            self._set_up(True)
        while True:
            message = await pubsub.get_message(timeout=5.0)
            if message is not None:
                self._handle(message)

    def _set_up(self, up: bool) -> None:
        if up == self.up:
            return
        if up:
            self._up.set()
        else:
            self._up.clear()
        self._on_change()

    def _handle(self, message: dict[str, object]) -> None:
        kind, channel = message.get("type"), str(message.get("channel"))
        if kind == "subscribe":  # also for a channel dropped meanwhile: it was pending
            self._pending.discard(channel)
            confirmed = self._confirmed.get(channel)
            if confirmed is not None:
                confirmed.set()
            if not self._pending:
                self._set_up(True)
            return
        fair_id = self._channels.get(channel)
        if kind == "message" and fair_id is not None:
            self._deliver(fair_id, str(message.get("data")))
