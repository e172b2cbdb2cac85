"""Server-side queue timeouts, on every node: nothing depends on a browser, or on one node living.

- The sweep: every `interval`, for each fair, ask Redis what is due (in Redis time, so nodes
  agree) and act: an unanswered call becomes a no-show, an interview past the longest allowed is
  ended, a worker gone past the grace period loses their places. Every node sweeps; the scripts
  re-check each deadline, so two nodes acting on the same item have one effect. Booked slots that
  begin put their workers at the head of the booth's line; reminders go out a few minutes before
  (rooms/slots.py; the scripts remove the item as they act, so each happens once).
- Presence: every third of the lease, this node renews the presence lease of each worker connected
  to it. A worker whose every connection closed, or whose node crashed, stops being renewed: the
  grace period starts when the lease runs out, and a reconnection to any node renews it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError

from rooms.errors import DomainError
from rooms.permissions import Action, may
from rooms.queue import Queue
from rooms.slots import Slots
from server.tasks import cancel
from server.ws.hub import Hub

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(self, queue: Queue, hub: Hub, slots: Slots, interval: float = 0.5) -> None:
        self._queue = queue
        self._slots = slots
        self._hub = hub
        self._interval = interval
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._every(self._interval, self.sweep), name="queue-sweep"),
            asyncio.create_task(
                self._every(self._queue.limits.presence_lease / 3, self.vouch), name="presence"
            ),
        ]

    async def close(self) -> None:
        await cancel(*self._tasks)
        self._tasks = []

    async def _every(self, seconds: float, work: Callable[[], Awaitable[object]]) -> None:
        while True:
            try:
                await work()
            except RedisError as exc:
                log.warning("queue %s skipped a round: %s", work.__name__, exc)
            except Exception:  # a bug must not stop every later sweep on this node
                log.exception("queue %s failed; trying again next round", work.__name__)
            await asyncio.sleep(seconds)

    async def sweep(self) -> int:
        """Act on everything due now in every fair; returns how many items were handled."""
        handled = 0
        for fair_id in await self._queue.fair_ids():
            for item in await self._queue.due(fair_id):
                kind, _, target = item.partition(":")
                try:
                    if kind == "call":
                        await self._queue.expire(fair_id, target)
                    elif kind == "talk":
                        await self._queue.end_interview(fair_id, target)
                    elif kind == "drop":
                        await self._queue.drop(fair_id, target)
                except DomainError as exc:  # it moved on meanwhile (another node acted)
                    log.info("sweeping %s in fair %s: %s", item, fair_id, exc.message)
                handled += 1
            for item in await self._slots.due(fair_id):
                kind, _, slot_id = item.partition(":")
                if kind == "start":
                    await self._slots.start(fair_id, slot_id)
                elif kind == "remind":
                    await self._slots.remind(fair_id, slot_id)
                handled += 1
        return handled

    async def vouch(self) -> None:
        for fair_id in self._hub.fair_ids():
            workers = [
                user_id
                for user_id in self._hub.users(fair_id)
                if any(
                    may(c.user, Action.QUEUE_JOIN, fair_id)
                    for c in self._hub.user_connections(fair_id, user_id)
                )
            ]
            if workers:
                await self._queue.vouch(fair_id, workers)
