"""Cascade legs at this node (docs/rtc.md "Cascade legs"): a viewer is served by the node its
websocket is on; for a stream another node holds, this node views it once, as the viewer
`relay:<this node>` of the holder (NodeRpc signalling, like a viewer's), and forwards it to all
of its own viewers. The holder's cost is one viewer's whatever the audience here.

A watcher, every `CHECK_INTERVAL`, reads the fairs' stream states (one Redis read per fair) and
for each leg: ends it when the stream is offline or now held here, or when no viewer has been
here (connected or still negotiating) for `GRACE`; makes a new one (a fresh `select`, viewers
held until its keyframe) when the holder changed, or when the leg has been silent — no RTP and
no RTCP — for `HEARTBEAT` while the stream is live: the holder's sender reports come about once
a second per kind even while it is paused, so silence means the path is gone, long before ICE
consent would say so.

What the watcher decides from its snapshot is done in a task of the leg's own, under the leg's
lock, and only if the leg is still the one it saw, with the stream's state read again: a
publish here or a viewer's `ensure` may have changed both meanwhile. One hung holder therefore
delays only its own legs; a leg's `leave` is sent in the background with a short timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from enum import Enum
from functools import partial

from redis.exceptions import RedisError

from rooms.errors import DomainError
from rooms.streams import Streams, StreamState
from server.noderpc import NodeRpc
from server.rtc.hub import StreamHub
from server.tasks import cancel_all

log = logging.getLogger(__name__)

# Seconds without a packet on a leg (the stream live) that make it dead: aiortc's longest RTCP
# interval (1.5 s) plus room for one lost report or loop lag, still back within 5 s (issue 16).
HEARTBEAT = 2.5
CONNECTING = 3.0  # seconds a new leg has to connect before silence counts
GRACE = 5.0  # seconds a leg outlives its last viewer here (a reload comes back)
RETRY = 1.0  # seconds between attempts to make a leg that failed
CHECK_INTERVAL = 0.5
LEAVE_TIMEOUT = 2.0  # seconds a holder is given to take a leg's leave
RELAY_VIEWER = "relay:"  # + the node id: the viewer id of a leg at the node holding the stream


class _Action(Enum):
    END = "end"
    REMAKE = "remake"


@dataclass
class _Leg:
    fair_id: str
    booth_id: str
    origin: str  # the node holding the stream
    made_at: float
    unwatched_since: float | None = None
    retry_at: float = 0.0


@dataclass
class _Leaving:
    origin: str
    task: asyncio.Task[None]


class Cascade:
    def __init__(self, hub: StreamHub, streams: Streams, rpc: NodeRpc) -> None:
        self.hub = hub
        self.streams = streams
        self.rpc = rpc
        self.viewer_id = f"{RELAY_VIEWER}{rpc.node_id}"
        self._legs: dict[str, _Leg] = {}  # stream id -> its leg here
        # one making or ending of a leg at a time; dropped by the watcher once the stream has
        # no leg and nobody holds or awaits its lock
        self._locks: dict[str, asyncio.Lock] = {}
        self._acting: dict[str, asyncio.Task[None]] = {}  # stream id -> the watcher's change
        self._leaving: dict[str, _Leaving] = {}  # stream id -> its ended leg's leave, under way
        self._watcher: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._watcher = asyncio.create_task(self._watch(), name="cascade-legs")

    async def close(self) -> None:
        """Stop watching and tell each holder its leg is leaving (so it stops counting it); the
        legs' connections end with the hub."""
        await cancel_all([self._watcher, *self._acting.values()])
        legs, self._legs = self._legs, {}
        for sid, leg in legs.items():
            self._leave(sid, leg.origin)
        await asyncio.gather(*(leaving.task for leaving in list(self._leaving.values())))

    def relayed(self) -> list[str]:
        """The streams a leg feeds here."""
        return list(self._legs)

    def origin(self, sid: str) -> str | None:
        """The node whose leg feeds `sid` here, if one does."""
        leg = self._legs.get(sid)
        return None if leg is None else leg.origin

    async def ensure(self, sid: str, holder: StreamState) -> None:
        """A leg from `holder`'s node feeds `sid` here: made now unless one already does; either
        way its grace starts again (a viewer is on its way). Raises the hub's errors
        (StreamClosed, UnsupportedOffer, Published) and NodeRpc's."""
        async with self._lock(sid):
            leg = self._legs.get(sid)
            if leg is None or leg.origin != holder.node or self.hub.relay_heard_at(sid) is None:
                await self._make(sid, holder)
            else:
                leg.unwatched_since = None  # a viewer is on its way: the grace starts again

    async def end(self, sid: str) -> None:
        """End the stream's leg here, if any (its viewers stay connected and wait). Idempotent."""
        async with self._lock(sid):
            await self._end(sid)

    def _lock(self, sid: str) -> asyncio.Lock:
        return self._locks.setdefault(sid, asyncio.Lock())

    async def _end(self, sid: str) -> None:
        """Under the stream's lock."""
        leg = self._legs.pop(sid, None)
        if leg is not None:
            await self.hub.unrelay(sid)
            self._leave(sid, leg.origin)

    def _leave(self, sid: str, origin: str) -> None:
        """Tell the holder the leg left, in the background: a hung holder holds up nothing but
        a new leg from it (`_make` waits, so that this leave cannot end that leg)."""
        request = {"stream": sid, "viewer": self.viewer_id}

        async def leave() -> None:
            with contextlib.suppress(DomainError, TimeoutError, RedisError):
                await asyncio.wait_for(self.rpc.call(origin, "leave", request), LEAVE_TIMEOUT)

        leaving = _Leaving(origin, asyncio.create_task(leave(), name="cascade-leave"))
        self._leaving[sid] = leaving
        leaving.task.add_done_callback(lambda _: self._left(sid, leaving))

    def _left(self, sid: str, leaving: _Leaving) -> None:
        if self._leaving.get(sid) is leaving:
            del self._leaving[sid]

    async def _make(self, sid: str, holder: StreamState) -> None:
        """Under the stream's lock."""
        fair_id, _, booth_id = sid.partition("/")
        leaving = self._leaving.get(sid)
        if leaving is not None and leaving.origin == holder.node:
            await asyncio.wait([leaving.task])  # its view must come after our last leave

        async def connect(offer: str) -> str:
            request = {"stream": sid, "viewer": self.viewer_id, "sdp": offer, "audio_only": False}
            return str((await self.rpc.call(holder.node, "view", request))["sdp"])

        leg = self._legs.get(sid)
        try:
            await self.hub.relay(sid, connect)
        except BaseException:
            if leg is not None:
                leg.retry_at = time.monotonic() + RETRY
            raise
        self._legs[sid] = _Leg(fair_id, booth_id, holder.node, time.monotonic())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(CHECK_INTERVAL)
            try:
                await self._check()
            except Exception:
                log.exception("checking the cascade legs failed")

    async def _check(self) -> None:
        for sid, lock in list(self._locks.items()):
            if sid not in self._legs and not lock.locked():
                del self._locks[sid]
        live: dict[str, dict[str, StreamState]] = {}
        for fair_id in {leg.fair_id for leg in self._legs.values()}:
            live[fair_id] = await self.streams.live(fair_id)
        for sid, leg in list(self._legs.items()):
            if sid in self._acting or self._lock(sid).locked():
                continue  # being made, changed or ended
            state = live.get(leg.fair_id, {}).get(leg.booth_id)
            if self._action(sid, leg, state) is not None:
                task = asyncio.create_task(self._act(sid, leg), name="cascade-leg")
                self._acting[sid] = task
                task.add_done_callback(partial(self._acted, sid))

    def _action(self, sid: str, leg: _Leg, state: StreamState | None) -> _Action | None:
        """What the leg needs now, given the stream's `state` in Redis (None: offline)."""
        now = time.monotonic()
        if self.hub.watched(sid):
            leg.unwatched_since = None
        elif leg.unwatched_since is None:
            leg.unwatched_since = now
        if (
            state is None
            or state.node == self.rpc.node_id
            or (leg.unwatched_since is not None and now - leg.unwatched_since >= GRACE)
        ):
            return _Action.END
        heard = self.hub.relay_heard_at(sid)
        silent = heard is None or (now - heard >= HEARTBEAT and now - leg.made_at >= CONNECTING)
        if (state.node != leg.origin or silent) and now >= leg.retry_at:
            return _Action.REMAKE
        return None

    def _acted(self, sid: str, task: asyncio.Task[None]) -> None:
        if self._acting.get(sid) is task:
            del self._acting[sid]

    async def _act(self, sid: str, leg: _Leg) -> None:
        """Do what the leg needs, if it still is the leg the watcher saw and still needs it."""
        try:
            async with self._lock(sid):
                if self._legs.get(sid) is not leg:
                    return  # ended or made anew meanwhile (a publish here, a viewer's ensure)
                state = await self.streams.get(leg.fair_id, leg.booth_id)
                action = self._action(sid, leg, state)
                if action is _Action.END:
                    await self._end(sid)
                elif action is _Action.REMAKE:
                    assert state is not None
                    reason = "from a node that no longer holds it"
                    if state.node == leg.origin:
                        reason = "silent"
                    log.info("cascade leg for %s is %s: making a new one", sid, reason)
                    await self._make(sid, state)
        except Exception as exc:
            log.warning("could not change the cascade leg for %s: %s", sid, exc)
