"""Live queue positions, coalesced: one small notice per change, one read per line, one tiny
personalised frame per local worker whose place changed.

A queue script publishes `queue.changed {booth_id, v}` (v: the fair's queue version). The hub
hands it here instead of to clients. Each node then, at most once per `window` per line, reads the
whole line once (one ZRANGE in a MULTI), and pushes to each of ITS OWN connected workers in that
line a `queue.position` event (position, size, ETA range), only when it differs from what that
worker was last sent; and to the staff watching the line (`queue.view`) the compact staff view.
So one "call next" in a line of 500 costs each node one read and one small frame per local worker,
never 500 copies of the line. A read that already saw version v makes older notices no-ops.
"""

from __future__ import annotations

import asyncio
import logging

from redis.exceptions import RedisError

from rooms.events import Event
from rooms.queue_views import EtaBasis, LineSnapshot, QueueViews
from server.ws.connection import Connection
from server.ws.hub import Hub
from server.ws.protocol import event

log = logging.getLogger(__name__)

Line = tuple[str, str]  # (fair id, booth id)


class QueueNotifier:
    def __init__(self, hub: Hub, views: QueueViews, window: float = 0.1) -> None:
        self._hub = hub
        self._views = views
        self._window = window
        self._tasks: dict[Line, asyncio.Task[None]] = {}
        self._dirty: set[Line] = set()
        self._last_read: dict[Line, float] = {}
        self._covered: dict[Line, int] = {}  # the queue version the last read saw
        self._worker_of: dict[Line, dict[str, str]] = {}  # entry id -> worker id, per line
        self._sent: dict[Line, dict[str, str]] = {}  # worker id -> the last position frame
        self._watchers: dict[Line, set[Connection]] = {}
        # per line, the part of a position frame that depends on the place only, for the ETA
        # basis and line state it was made for: a "call next" then formats nothing new
        self._places: dict[Line, tuple[tuple[EtaBasis, bool], list[str]]] = {}
        hub.intercept("queue.changed", self.changed)

    def watch(self, conn: Connection, booth_id: str) -> None:
        """Push this staff connection the booth's line view on every change, until it closes."""
        line = (conn.fair_id, booth_id)
        self._watchers.setdefault(line, set()).add(conn)

        async def unwatch() -> None:
            watchers = self._watchers.get(line)
            if watchers is not None:
                watchers.discard(conn)
                if not watchers:
                    del self._watchers[line]

        conn.on_finish(f"queue.watch:{booth_id}", unwatch)

    def changed(self, fair_id: str, notice: Event) -> None:
        line = (fair_id, str(notice.data["booth_id"]))
        if self._covered.get(line, -1) >= int(notice.data["v"]):
            return
        if line in self._tasks:
            self._dirty.add(line)
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._last_read.get(line, 0.0) + self._window - loop.time())
        self._tasks[line] = loop.create_task(self._refresh(line, delay), name="queue-notify")

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _refresh(self, line: Line, delay: float) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                if delay > 0:
                    await asyncio.sleep(delay)
                self._dirty.discard(line)
                self._last_read[line] = loop.time()
                try:
                    await self._push(line)
                except RedisError as exc:
                    log.warning("queue positions of %s not pushed: %s", line, exc)
                if line not in self._dirty:
                    return
                delay = self._last_read[line] + self._window - loop.time()
        finally:
            del self._tasks[line]

    async def _push(self, line: Line) -> None:
        fair_id, booth_id = line
        snap = await self._views.line(fair_id, booth_id)
        self._covered[line] = snap.v
        known = self._worker_of.get(line, {})
        unknown = [i for i in snap.ids if i not in known]
        if unknown:
            known.update(
                (i, w)
                for i, w in zip(
                    unknown, await self._views.workers_of(fair_id, unknown), strict=True
                )
                if w is not None
            )
        sent = self._sent.get(line, {})
        fresh: dict[str, str] = {}
        kept: dict[str, str] = {}  # entry id -> worker id, of the entries still in line
        # one frame per worker per change: built from a template (every id is [A-Za-z0-9_-]),
        # and only strings kept, which the garbage collector never has to traverse
        head = f'{{"type":"event","event":"queue.position","data":{{"booth_id":"{booth_id}"'
        tail = f',"size":{len(snap.ids)},"line":"{snap.state}"}}}}'
        places = self._place_texts(line, snap)
        local = self._hub.users_of(fair_id)
        for position, entry_id in enumerate(snap.ids, 1):
            worker = known.get(entry_id)
            if worker is None:
                continue
            kept[entry_id] = worker
            conns = local.get(worker)
            if not conns:
                continue
            text = f'{head},"entry_id":"{entry_id}",{places[position - 1]}{tail}'
            fresh[worker] = text
            if sent.get(worker) != text:
                for conn in conns:
                    conn.push(text)
        self._worker_of[line] = kept
        self._sent[line] = fresh
        watchers = self._watchers.get(line)
        if watchers:
            text = event("queue.line", await self._views.view(fair_id, booth_id), None)
            for conn in list(watchers):
                conn.push(text)

    def _place_texts(self, line: Line, snap: LineSnapshot) -> list[str]:
        """`"position":P,"eta":[low,high]` for each place up to the line's size."""
        paused = snap.state == "paused"
        made_for = (snap.basis, paused)
        cached = self._places.get(line)
        if cached is None or cached[0] != made_for:
            cached = self._places[line] = (made_for, [])
        texts = cached[1]
        for position in range(len(texts) + 1, len(snap.ids) + 1):
            eta = "null" if paused else "[{},{}]".format(*snap.basis.bounds(position))
            texts.append(f'"position":{position},"eta":{eta}')
        return texts
