"""The live dashboard on this node: for each fair that staff watch here (`report.watch`), one
tally fed with the fair's new facts once per `interval`, and one `report.dashboard` event per
watcher when what they see changed. So staff get one coalesced update per second at most,
whatever the fair's size: a round reads only the facts since the last one. Workers never get it:
the command's permission (rooms/commands/report.py) admits staff only.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from redis.exceptions import RedisError

from rooms.reports import summary
from rooms.reports.reader import Reports
from rooms.reports.summary import Scope
from rooms.reports.tally import Tally
from server.tasks import cancel
from server.ws.connection import Connection
from server.ws.protocol import event

log = logging.getLogger(__name__)


class Dashboards:
    def __init__(self, reports: Reports, interval: float = 1.0) -> None:
        self._reports = reports
        self._interval = interval
        self._watchers: dict[str, dict[Connection, Scope]] = {}  # fair -> watcher -> scope
        self._sent: dict[Connection, str] = {}  # the last frame each watcher got
        self._tallies: dict[str, Tally] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def watch(self, conn: Connection, scope: Scope) -> dict[str, Any]:
        """The dashboard now; then an event whenever it changes, until the connection closes."""
        fair_id = conn.fair_id
        view = await self._view(fair_id, scope)
        self._watchers.setdefault(fair_id, {})[conn] = scope
        self._sent[conn] = event("report.dashboard", view, None)
        if fair_id not in self._tasks:
            self._tasks[fair_id] = asyncio.create_task(self._run(fair_id), name="dashboard")

        async def unwatch() -> None:
            await self._forget(conn)

        conn.on_finish("report.watch", unwatch)
        return view

    def watching(self) -> int:
        """Watchers on this node (a test checks that the maps shrink)."""
        return len(self._sent) + len(self._tallies) + len(self._tasks)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

    async def _forget(self, conn: Connection) -> None:
        fair_id = conn.fair_id
        self._sent.pop(conn, None)
        watchers = self._watchers.get(fair_id, {})
        watchers.pop(conn, None)
        if watchers:
            return
        self._watchers.pop(fair_id, None)
        self._tallies.pop(fair_id, None)
        self._locks.pop(fair_id, None)
        task = self._tasks.pop(fair_id, None)
        if task is not asyncio.current_task():
            await cancel(task)

    async def _view(self, fair_id: str, scope: Scope) -> dict[str, Any]:
        async with self._locks.setdefault(fair_id, asyncio.Lock()):
            tally = await self._reports.tally(fair_id, self._tallies.get(fair_id))
            self._tallies[fair_id] = tally
            _, employers = await self._reports.fair(fair_id)
            return summary.dashboard(tally, employers, scope, await self._reports.clock())

    async def _run(self, fair_id: str) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self._push(fair_id)
            except RedisError as exc:
                log.warning("dashboard of fair %s not updated: %s", fair_id, type(exc).__name__)
            except Exception:  # a bug must not stop the later rounds
                log.exception("dashboard round of fair %s failed", fair_id)

    async def _push(self, fair_id: str) -> None:
        views: dict[Scope, str] = {}
        for conn, scope in list(self._watchers.get(fair_id, {}).items()):
            if scope not in views:
                views[scope] = event("report.dashboard", await self._view(fair_id, scope), None)
            if self._sent.get(conn) != views[scope] and conn in self._sent:
                self._sent[conn] = views[scope]
                conn.push(views[scope])
