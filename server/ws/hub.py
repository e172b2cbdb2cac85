"""This node's websocket clients, by fair, and the delivery of fair events to them.

Events arrive from Redis pub/sub (server/bus.py) whichever node caused them. Each event is encoded
once and handed to each admitted client's queue; nothing here awaits a client. An event type with a
node-side handler (`intercept`) goes to that handler instead, which decides what each local client
gets (e.g. one personalised queue position per worker, server/queue_notifier.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from rooms.events import Event, decode_envelope
from rooms.models import Role
from server.ws.connection import Connection
from server.ws.protocol import event

log = logging.getLogger(__name__)

_NONE: set[Connection] = set()
STAFF = (Role.MODERATOR, Role.RECRUITER)  # the roles `Audience.admits` can pass beyond "fair"


class Hub:
    def __init__(
        self,
        subscribe: Callable[[str], Awaitable[None]],
        unsubscribe: Callable[[str], Awaitable[None]],
    ) -> None:
        self._fairs: dict[str, set[Connection]] = {}
        self._users: dict[str, dict[str, set[Connection]]] = {}  # fair -> user id -> connections
        # fair -> moderators' and recruiters' connections: the only ones an event for staff, or
        # for one participant, can reach besides that participant's own (found in `_users`)
        self._staff: dict[str, set[Connection]] = {}
        self._intercepts: dict[str, list[Callable[[str, Event], None]]] = {}
        self._subscribe = subscribe
        self._unsubscribe = unsubscribe

    async def add(self, conn: Connection) -> None:
        members = self._fairs.setdefault(conn.fair_id, set())
        members.add(conn)
        self._users.setdefault(conn.fair_id, {}).setdefault(conn.user.id, set()).add(conn)
        if conn.user.role in STAFF:
            self._staff.setdefault(conn.fair_id, set()).add(conn)
        await self._subscribe(conn.fair_id)  # returns once events of the fair flow to this node

    async def remove(self, conn: Connection) -> None:
        members = self._fairs.get(conn.fair_id)
        if members is None or conn not in members:
            return
        members.discard(conn)
        users = self._users[conn.fair_id]
        mine = users[conn.user.id]
        mine.discard(conn)
        if not mine:
            del users[conn.user.id]
        staff = self._staff.get(conn.fair_id)
        if staff is not None:
            staff.discard(conn)
            if not staff:
                del self._staff[conn.fair_id]
        if not members:
            del self._users[conn.fair_id]
            del self._fairs[conn.fair_id]
            await self._unsubscribe(conn.fair_id)

    def connections(self, fair_id: str) -> frozenset[Connection]:
        return frozenset(self._fairs.get(fair_id, ()))

    def user_connections(self, fair_id: str, user_id: str) -> set[Connection]:
        """This node's connections of one participant (empty when they are connected elsewhere);
        the caller must not keep or change the set."""
        return self._users.get(fair_id, {}).get(user_id, _NONE)

    def users_of(self, fair_id: str) -> dict[str, set[Connection]]:
        """This node's connections in a fair by participant id; the caller must not change it."""
        return self._users.get(fair_id, {})

    def users(self, fair_id: str) -> list[str]:
        """Ids of the participants connected to this node in a fair."""
        return list(self._users.get(fair_id, ()))

    def fair_ids(self) -> list[str]:
        return list(self._fairs)

    def queued(self) -> int:
        """Events queued to this node's clients and not sent yet (for /metrics)."""
        return sum(conn.queued for members in self._fairs.values() for conn in members)

    def intercept(self, event_type: str, handler: Callable[[str, Event], None]) -> None:
        """Hand events of `event_type` to `handler(fair_id, event)` (and to every other handler
        of that type) instead of to clients."""
        self._intercepts.setdefault(event_type, []).append(handler)

    def deliver(self, fair_id: str, raw: str) -> None:
        """Push one published envelope to every local client of the fair that may see it."""
        try:
            rev, ev = decode_envelope(raw)
        except (ValueError, KeyError, TypeError):
            log.exception("dropping a malformed event on fair %s", fair_id)
            return
        handlers = self._intercepts.get(ev.type)
        if handlers is not None:
            for handler in handlers:
                handler(fair_id, ev)
            return
        text = event(ev.type, ev.data, rev)
        to = ev.to
        if to.kind == "fair":
            for conn in self._fairs.get(fair_id, ()):
                conn.push(text)
            return
        # not everyone: only staff and the one participant named can be admitted; looking only
        # at those keeps a per-user event from scanning every connection of a large fair
        staff = self._staff.get(fair_id, _NONE)
        for conn in staff:
            user = conn.user
            if to.admits(user.id, user.role, user.booth_id):
                conn.push(text)
        if to.kind == "user" and to.user_id is not None:
            for conn in self.user_connections(fair_id, to.user_id):
                if conn not in staff:
                    conn.push(text)

    def broadcast(self, name: str) -> None:
        """A node-wide event to every local client (`degraded`, `resync`: server/health.py)."""
        text = event(name, {}, None)
        for members in self._fairs.values():
            for conn in members:
                conn.push(text)
