"""This node's connection facts for reports (rooms/reports/periods.py): a period opens when a
client connects to a fair or starts watching a booth, and closes when it stops. Every third of
the lease, the node vouches for its open periods in each fair, retries what storage refused, and
closes the periods of nodes whose lease ran out (whichever node notices first).

Storage trouble never fails a client: a refused open or close is logged and retried next round.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.exceptions import RedisError

from rooms.models import Participant
from rooms.reports.periods import Periods
from server.tasks import cancel

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Held:
    kind: str  # c (connected) or v (watching a booth)
    user_id: str
    role: str
    booth_id: str | None


class Attendance:
    def __init__(
        self, periods: Periods, node_id: str, fair_ids: Callable[[], Awaitable[list[str]]]
    ) -> None:
        self._periods = periods
        self._node = node_id
        self._fair_ids = fair_ids
        self._held: dict[str, dict[str, Held]] = {}  # fair -> period id -> what it is
        self._unsaved: dict[tuple[str, str], bool] = {}  # (fair, period) -> open? to retry
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._every_round(), name="attendance")

    async def close(self) -> None:
        await cancel(self._task)
        self._task = None

    async def open(
        self, fair_id: str, period_id: str, kind: str, who: Participant, booth_id: str | None
    ) -> None:
        held = Held(kind, who.id, who.role.value, booth_id)
        self._held.setdefault(fair_id, {})[period_id] = held
        await self._save(fair_id, period_id, True)

    async def end(self, fair_id: str, period_id: str) -> None:
        periods = self._held.get(fair_id, {})
        if periods.pop(period_id, None) is None:
            return
        if not periods:
            del self._held[fair_id]
        await self._save(fair_id, period_id, False)

    def held(self) -> int:
        """Periods this node holds open (a test checks that the map shrinks)."""
        return sum(len(p) for p in self._held.values())

    async def _save(self, fair_id: str, period_id: str, opening: bool) -> None:
        try:
            if opening:
                held = self._held[fair_id][period_id]
                await self._periods.open(
                    fair_id,
                    self._node,
                    period_id,
                    held.kind,
                    held.user_id,
                    held.role,
                    held.booth_id,
                )
            else:
                await self._periods.close(fair_id, self._node, period_id)
            self._unsaved.pop((fair_id, period_id), None)
        except RedisError as exc:
            log.warning("a report period was not saved (retried): %s", type(exc).__name__)
            self._unsaved[(fair_id, period_id)] = opening

    async def round(self) -> None:
        """Renew, retry, reap: one round."""
        for (fair_id, period_id), opening in list(self._unsaved.items()):
            if opening and period_id not in self._held.get(fair_id, {}):
                self._unsaved.pop((fair_id, period_id))  # it ended meanwhile: nothing to open
                continue
            await self._save(fair_id, period_id, opening)
        for fair_id in list(self._held):
            if await self._periods.renew(fair_id, self._node):
                log.warning("this node's report lease in fair %s had lapsed; reopening", fair_id)
                for period_id in list(self._held.get(fair_id, {})):
                    await self._save(fair_id, period_id, True)
        reaped = 0
        for fair_id in await self._fair_ids():
            reaped += await self._periods.reap(fair_id)
        if reaped:
            log.info("closed %d report period(s) of nodes that are gone", reaped)

    async def _every_round(self) -> None:
        while True:
            try:
                await self.round()
            except RedisError as exc:
                log.warning("attendance round skipped: %s", type(exc).__name__)
            except Exception:  # a bug must not stop every later round
                log.exception("attendance round failed; trying again")
            await asyncio.sleep(self._periods.lease / 3)
