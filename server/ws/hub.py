"""This node's websocket clients, by fair, and the delivery of fair events to them.

Events arrive from Redis pub/sub (server/bus.py) whichever node caused them. Each event is encoded
once and handed to each admitted client's queue; nothing here awaits a client.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from rooms.events import decode_envelope
from server.ws.connection import Connection
from server.ws.protocol import event

log = logging.getLogger(__name__)


class Hub:
    def __init__(
        self,
        subscribe: Callable[[str], Awaitable[None]],
        unsubscribe: Callable[[str], Awaitable[None]],
    ) -> None:
        self._fairs: dict[str, set[Connection]] = {}
        self._subscribe = subscribe
        self._unsubscribe = unsubscribe

    async def add(self, conn: Connection) -> None:
        members = self._fairs.setdefault(conn.fair_id, set())
        members.add(conn)
        if len(members) == 1:
            await self._subscribe(conn.fair_id)

    async def remove(self, conn: Connection) -> None:
        members = self._fairs.get(conn.fair_id)
        if members is None or conn not in members:
            return
        members.discard(conn)
        if not members:
            del self._fairs[conn.fair_id]
            await self._unsubscribe(conn.fair_id)

    def connections(self, fair_id: str) -> frozenset[Connection]:
        return frozenset(self._fairs.get(fair_id, ()))

    def deliver(self, fair_id: str, raw: str) -> None:
        """Push one published envelope to every local client of the fair that may see it."""
        try:
            rev, ev = decode_envelope(raw)
        except (ValueError, KeyError, TypeError):
            log.exception("dropping a malformed event on fair %s", fair_id)
            return
        text = event(ev.type, ev.data, rev)
        admits = ev.to.admits
        for conn in self._fairs.get(fair_id, ()):
            user = conn.user
            if admits(user.id, user.role, user.booth_id):
                conn.push(text)

    def resync(self, fair_id: str) -> None:
        """Events may have been missed (the bus reconnected): clients re-read state."""
        text = event("resync", {}, None)
        for conn in self._fairs.get(fair_id, ()):
            conn.push(text)
