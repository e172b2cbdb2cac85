"""Booth streams and the fair's main stage (stream id `<fair>/stage`) on this node: media in
`server.rtc.StreamHub`, shared state in `rooms.streams`, and signalling for viewers whose
websocket is on another node routed to the holder (NodeRpc).

The node a recruiter's websocket is on holds that booth's media. A viewer is served by the node
its websocket is on: for a stream held elsewhere, that node forwards one cascade leg from the
holder to all its viewers (server/cascade.py). The hub reports its streams'
changes through a callback; they are applied to Redis in order by one task, so "live" and
"offline" of one stream can never overtake each other.

While the presenter interviews, the booth's stream is paused at the holding node (nothing of it
is forwarded; every connection stays up) and resumed when they are free: the holding node checks
after every change of the booth's line, and before a publisher's first frame can pass.

A hand-over (the stage to a booth's recruiter, or back) happens at the node holding the stream:
the incoming presenter's offer is routed there like a viewer's, and the stream's `Switch` cuts
over at their first keyframe, so viewers keep their connections and see no gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from rooms.errors import CodecMismatch, DomainError, Draining, InvalidInput, InvalidState
from rooms.events import Audience, Event, publish
from rooms.streams import OfflineReason, PauseReason, Streams, StreamState
from server.cascade import RELAY_VIEWER, Cascade
from server.noderpc import NodeRpc
from server.rtc import errors as rtc_errors
from server.rtc.aiortc_internals import CandidatePolicy
from server.rtc.errors import RtcError, StreamClosed, UnknownViewer, UnsupportedOffer
from server.rtc.events import OfflineReason as MediaEnded
from server.rtc.events import (
    StreamEvent,
    StreamHandedOver,
    StreamLive,
    StreamOffline,
    ViewerCountChanged,
    ViewerLevelChanged,
)
from server.rtc.hub import IceServer, StreamHub

log = logging.getLogger(__name__)
T = TypeVar("T")

OFFLINE_REASONS = {
    MediaEnded.LEFT: OfflineReason.LEFT,
    MediaEnded.UNPUBLISHED: OfflineReason.LEFT,
    MediaEnded.REPLACED: OfflineReason.RESTARTED,
    MediaEnded.STOPPED: OfflineReason.STOPPED_BY_RECRUITER,
}
LEVEL_QUEUE = 1_000  # level changes waiting to be published
VIEWER_COUNT_INTERVAL = 1.0  # seconds between viewer-count updates of one stream
# A node with a leg reports its viewers every VIEWER_COUNT_INTERVAL; one silent this long died
# (its leg's connection here would only fail with ICE consent, ~30 s later): its leg is ended
# and its viewers are no longer counted. Were it alive, its heartbeat makes a new leg.
EDGE_STALE = 5.0
EDGE_REPORT_TIMEOUT = 1.0  # seconds a holder has to take a node's report of its viewers

# When is the presenter back (for the viewers' card): the interview began + the booth's planned
# interview length; (fair, booth) -> recruiter id -> expected end, epoch seconds.
Interviewing = Callable[[str, str], Awaitable[dict[str, float]]]


def stream_id(fair_id: str, booth_id: str) -> str:
    return f"{fair_id}/{booth_id}"


def _split(sid: str) -> tuple[str, str]:
    fair_id, _, booth_id = sid.partition("/")
    return fair_id, booth_id


def viewer_user(viewer_id: str) -> str | None:
    """The participant a viewer connection belongs to (`user:connection`, server/ws/handlers);
    None for a node relaying the stream."""
    if viewer_id.startswith(RELAY_VIEWER):
        return None
    return viewer_id.partition(":")[0]


async def rtc_errors_as_domain(call: Awaitable[T]) -> T:
    """The hub's errors as domain errors (the one place they are translated)."""
    try:
        return await call
    except rtc_errors.CodecMismatch as exc:
        raise CodecMismatch(f"the stream sends {exc}; this browser's offer lacks it") from None
    except UnsupportedOffer as exc:
        raise InvalidInput(str(exc)) from None
    except UnknownViewer:
        raise InvalidState("you are not watching this booth") from None
    except (StreamClosed, RtcError) as exc:
        raise InvalidState(str(exc)) from None


class Streaming:
    def __init__(
        self,
        streams: Streams,
        rpc: NodeRpc,
        ice_servers: Sequence[IceServer] = (),
        candidates: CandidatePolicy | None = None,
        interviewing: Interviewing | None = None,
    ) -> None:
        self.streams = streams
        self._interviewing = interviewing
        self.rpc = rpc
        self.node_id = rpc.node_id
        self.hub = StreamHub(ice_servers, self._on_event, candidates=candidates)
        self.cascade = Cascade(self.hub, streams, rpc)
        self._events: asyncio.Queue[StreamEvent] = asyncio.Queue(maxsize=10_000)
        # level changes on their own queue: a burst (a network hiccup moving 500 viewers) must
        # not hold up live/offline writes; when full, the newest are dropped (pages see the next)
        self._levels: asyncio.Queue[ViewerLevelChanged] = asyncio.Queue(maxsize=LEVEL_QUEUE)
        self._publishers: dict[str, str] = {}  # stream id -> publishing participant
        self._incoming: dict[str, tuple[str, str]] = {}  # stream id -> (publisher, presenting)
        self._held: dict[str, StreamState] = {}  # stream id -> its live state in Redis
        self._counts: dict[str, dict[str, int]] = {}  # viewers per level (their sum: all)
        # stream id -> node with a leg -> (when it last reported, its viewers per level)
        self._edges: dict[str, dict[str, tuple[float, dict[str, int]]]] = {}
        self._checks: dict[str, asyncio.Task[None]] = {}  # stream id -> its pause check
        self._recheck: set[str] = set()
        self._worker: asyncio.Task[None] | None = None
        self._teller: asyncio.Task[None] | None = None
        self._counter: asyncio.Task[None] | None = None
        self.draining = False
        for op, handler in (
            ("view", self._rpc_view),
            ("audio_only", self._rpc_audio_only),
            ("leave", self._rpc_leave),
            ("stop", self._rpc_stop),
            ("hand_over", self._rpc_hand_over),
            ("unpublish", self._rpc_unpublish),
            ("edge_viewers", self._rpc_edge_viewers),
        ):
            rpc.register(op, handler)

    async def start(self) -> None:
        self._worker = asyncio.create_task(self._apply_events(), name="stream-events")
        self._teller = asyncio.create_task(self._tell_levels(), name="stream-levels")
        self._counter = asyncio.create_task(self._report_counts(), name="stream-counts")
        self.cascade.start()

    async def drain(self) -> None:
        """The node is stopping: refuse new publishes and end the streams held here, telling their
        viewers why; recruiters' pages go live again through another node."""
        self.draining = True
        await self.close()

    async def close(self) -> None:
        """Stop every stream this node holds, and mark them offline for the other nodes."""
        await self.cascade.close()
        await self.hub.close()
        for task in (self._worker, self._teller, self._counter, *self._checks.values()):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for sid, state in list(self._held.items()):
            fair_id, booth_id = _split(sid)
            with contextlib.suppress(Exception):
                await self.streams.go_offline(
                    fair_id, booth_id, state.session, OfflineReason.SERVER_RESTARTING
                )
        self._held.clear()

    # --- publishing (always on this node) -------------------------------------------------

    async def publish(self, fair_id: str, booth_id: str, publisher_id: str, sdp: str) -> str:
        if self.draining:
            raise Draining("this server is restarting; reconnect to go live")
        sid = stream_id(fair_id, booth_id)
        current = await self.streams.get(fair_id, booth_id)
        if current is not None and current.node != self.node_id:
            # the booth was live through another node: end that stream there first
            await self.stop(fair_id, booth_id, OfflineReason.RESTARTED)
        self._publishers[sid] = publisher_id
        await self.cascade.end(sid)  # held here from now on: no leg from another node feeds it
        # an interview under way: not one frame of the new publisher may pass before the pause
        paused = await self._busy_until(fair_id, booth_id, publisher_id) is not None
        return await rtc_errors_as_domain(self.hub.publish(sid, sdp, paused=paused))

    async def unpublish(self, fair_id: str, booth_id: str) -> None:
        """The publisher's websocket closed: end its media; its viewers wait for its return."""
        await self.hub.unpublish(stream_id(fair_id, booth_id))

    async def hand_over(
        self, fair_id: str, booth_id: str, publisher_id: str, presenting: str, sdp: str
    ) -> str:
        """`publisher_id` takes over a live stream without a gap, at the node that holds it (on
        the stage, presenting for the booth `presenting`); refused with `CodecMismatch` if their
        browser cannot send the stream's codec. A stream that is not live is simply published."""
        current = await self.streams.get(fair_id, booth_id)
        if current is None:
            return await self.publish(fair_id, booth_id, publisher_id, sdp)
        request = {
            "stream": stream_id(fair_id, booth_id),
            "sdp": sdp,
            "publisher": publisher_id,
            "presenting": presenting,
        }
        return str((await self._at(current.node, "hand_over", request, self._rpc_hand_over))["sdp"])

    async def unpublish_if(self, fair_id: str, booth_id: str, publisher_id: str) -> None:
        """`publisher_id`'s websocket closed: end their media wherever the stream is held, if
        they still publish it (a presenter who handed over leaves the stream alone)."""
        state = await self.streams.get(fair_id, booth_id)
        request = {"stream": stream_id(fair_id, booth_id), "publisher": publisher_id}
        if state is None or state.node == self.node_id:
            await self._rpc_unpublish(request)
            return
        with contextlib.suppress(InvalidState):
            await self.rpc.call(state.node, "unpublish", request)

    # --- viewing (on this node; a stream held elsewhere comes over a cascade leg) ----------

    async def _holder(self, fair_id: str, booth_id: str) -> StreamState:
        state = await self.streams.get(fair_id, booth_id)
        if state is None:
            raise InvalidState("the booth is offline")
        return state

    async def view(
        self, fair_id: str, booth_id: str, viewer_id: str, sdp: str, audio_only: bool
    ) -> dict[str, Any]:
        """Served here: a stream held by another node is first given a cascade leg from it
        (one per stream and node, shared by every viewer here), so that the viewer gets the
        stream's codec."""
        holder = await self._holder(fair_id, booth_id)
        sid = stream_id(fair_id, booth_id)
        if holder.node != self.node_id:
            await self._fed(sid, holder)
        request = {"stream": sid, "viewer": viewer_id, "sdp": sdp, "audio_only": audio_only}
        answer = await self._rpc_view(request)
        if holder.node != self.node_id and self.cascade.origin(sid) is None:
            # the leg ended while the viewer negotiated (it failed, or the holder changed)
            try:
                holder = await self._holder(fair_id, booth_id)
                if holder.node != self.node_id:
                    await self._fed(sid, holder)
            except DomainError:
                await self.hub.leave(sid, viewer_id)
                raise
        return answer

    async def _fed(self, sid: str, holder: StreamState) -> None:
        """A cascade leg from `holder` feeds `sid` here. The holder refusing this node's offer
        is no fault of the viewer's (InvalidState, not InvalidInput)."""
        try:
            await rtc_errors_as_domain(self.cascade.ensure(sid, holder))
        except InvalidInput as exc:
            raise InvalidState(f"the stream cannot be relayed here: {exc.message}") from None

    async def set_audio_only(self, fair_id: str, booth_id: str, viewer_id: str, on: bool) -> None:
        request = {"stream": stream_id(fair_id, booth_id), "viewer": viewer_id, "on": on}
        await self._rpc_audio_only(request)

    async def leave(self, fair_id: str, booth_id: str, viewer_id: str) -> None:
        """Idempotent; a viewer of a stream that already ended has nothing to leave."""
        await self._rpc_leave({"stream": stream_id(fair_id, booth_id), "viewer": viewer_id})

    async def stop(self, fair_id: str, booth_id: str, reason: OfflineReason) -> None:
        """End a booth's stream wherever it is held, and mark it offline even if that node is
        gone."""
        state = await self.streams.get(fair_id, booth_id)
        if state is None:
            return
        # offline first, with this reason; the media's own "stopped" report then finds it done
        await self.streams.go_offline(fair_id, booth_id, state.session, reason)
        request = {"stream": stream_id(fair_id, booth_id)}
        with contextlib.suppress(InvalidState):
            await self._at(state.node, "stop", request, self._rpc_stop)

    async def _at(
        self,
        node: str,
        op: str,
        request: dict[str, Any],
        local: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]],
    ) -> dict[str, Any]:
        if node == self.node_id:
            return await local(request)
        return await self.rpc.call(node, op, request)

    async def _rpc_view(self, request: dict[str, Any]) -> dict[str, Any]:
        sid, viewer = request["stream"], request["viewer"]
        answer = await rtc_errors_as_domain(
            self.hub.view(sid, viewer, request["sdp"], request["audio_only"])
        )
        if viewer.startswith(RELAY_VIEWER):  # a leg: its node reports its own viewers
            edges = self._edges.setdefault(sid, {})
            node = viewer.removeprefix(RELAY_VIEWER)
            edges[node] = (time.monotonic(), edges.get(node, (0.0, {}))[1])
        return {"sdp": answer}

    async def _rpc_edge_viewers(self, request: dict[str, Any]) -> dict[str, Any]:
        """A node with a leg of a stream held here has this many viewers of it (`levels`: how
        many on each level)."""
        sid, node = request["stream"], request["node"]
        edges = self._edges.get(sid, {})
        if node in edges:
            levels = {str(k): int(v) for k, v in dict(request.get("levels") or {}).items()}
            if levels != edges[node][1]:
                self._counts[sid] = self.hub.levels_of(sid)
            edges[node] = (time.monotonic(), levels)
        return {}

    async def _rpc_audio_only(self, request: dict[str, Any]) -> dict[str, Any]:
        await rtc_errors_as_domain(
            self.hub.set_audio_only(request["stream"], request["viewer"], request["on"])
        )
        return {}

    async def _rpc_leave(self, request: dict[str, Any]) -> dict[str, Any]:
        sid, viewer = request["stream"], request["viewer"]
        await self.hub.leave(sid, viewer)
        if viewer.startswith(RELAY_VIEWER):
            self._edges.get(sid, {}).pop(viewer.removeprefix(RELAY_VIEWER), None)
        return {}

    async def _rpc_hand_over(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.draining:
            raise Draining("this server is restarting; reconnect to go live")
        sid = request["stream"]
        self._incoming[sid] = (request["publisher"], request["presenting"])
        answer = await rtc_errors_as_domain(self.hub.hand_over(sid, request["sdp"]))
        return {"sdp": answer}

    async def _rpc_unpublish(self, request: dict[str, Any]) -> dict[str, Any]:
        sid = request["stream"]
        if self._publishers.get(sid) == request["publisher"]:
            await self.hub.unpublish(sid)
        return {}

    async def _rpc_stop(self, request: dict[str, Any]) -> dict[str, Any]:
        await self.hub.stop(request["stream"])
        return {}

    # --- the hub's reports, applied to Redis in order -------------------------------------

    def _on_event(self, event: StreamEvent) -> None:
        if isinstance(event, ViewerCountChanged):
            self._counts[event.stream_id] = event.levels
            return
        queue: asyncio.Queue[Any] = (
            self._levels if isinstance(event, ViewerLevelChanged) else self._events
        )
        try:
            queue.put_nowait(event)
        except asyncio.QueueFull:
            # no viewer id in logs: it names a participant
            log.error("dropping %s of %s: its queue is full", type(event).__name__, event.stream_id)

    async def _apply_events(self) -> None:
        while True:
            event = await self._events.get()
            try:
                await self._apply(event)
            except Exception:
                log.exception("could not record %s of %s", type(event).__name__, event.stream_id)

    async def _tell_levels(self) -> None:
        while True:
            event = await self._levels.get()
            fair_id, booth_id = _split(event.stream_id)
            try:
                await self._tell_level(fair_id, booth_id, event)
            except Exception:
                log.exception("could not tell a viewer of %s its level", event.stream_id)

    async def _apply(self, event: StreamEvent) -> None:
        sid = event.stream_id
        fair_id, booth_id = _split(sid)
        if isinstance(event, StreamLive):
            publisher = self._publishers.get(sid, "")
            self._held[sid] = await self.streams.go_live(fair_id, booth_id, self.node_id, publisher)
            self._check_pause(sid)
        elif isinstance(event, StreamHandedOver):
            publisher, presenting = self._incoming.pop(sid, ("", ""))
            self._publishers[sid] = publisher
            state = self._held.get(sid)
            if state is not None:
                await self.streams.handed_over(fair_id, state, publisher, presenting)
        elif isinstance(event, StreamOffline):
            self._incoming.pop(sid, None)
            state = self._held.pop(sid, None)
            if state is not None:
                reason = OFFLINE_REASONS[event.reason]
                await self.streams.go_offline(fair_id, booth_id, state.session, reason)

    # --- paused while the presenter interviews ---------------------------------------------

    def queue_changed(self, fair_id: str, notice: Event) -> None:
        """A booth's line changed (`queue.changed`): if this node holds its stream, check whether
        its presenter has begun or ended an interview."""
        sid = stream_id(fair_id, str(notice.data["booth_id"]))
        if sid in self._held:
            self._check_pause(sid)

    def _check_pause(self, sid: str) -> None:
        """One check at a time per stream; changes during a check trigger one more."""
        if sid in self._checks:
            self._recheck.add(sid)
            return
        task = asyncio.get_running_loop().create_task(self._pause_checks(sid), name="stream-pause")
        self._checks[sid] = task

    async def _pause_checks(self, sid: str) -> None:
        try:
            again = True
            while again:
                self._recheck.discard(sid)
                try:
                    await self._apply_pause(sid)
                except Exception:
                    log.exception("could not pause or resume %s", sid)
                again = sid in self._recheck
        finally:
            self._recheck.discard(sid)
            del self._checks[sid]

    async def _apply_pause(self, sid: str) -> None:
        state = self._held.get(sid)
        if state is None:
            return
        fair_id, booth_id = _split(sid)
        back_at = await self._busy_until(fair_id, booth_id, state.publisher_id)
        if back_at is not None:
            self.hub.pause(sid)  # first: nothing more leaks while Redis is told
            await self.streams.set_paused(fair_id, state, PauseReason.INTERVIEW, back_at)
        elif state.paused or self.hub.is_paused(sid):
            await self.streams.set_paused(fair_id, state, None)
            self.hub.resume(sid)

    async def _busy_until(self, fair_id: str, booth_id: str, presenter_id: str) -> float | None:
        """When the presenter's interview under way should end, or None if they are free."""
        if self._interviewing is None or not presenter_id:
            return None
        return (await self._interviewing(fair_id, booth_id)).get(presenter_id)

    async def _tell_level(self, fair_id: str, booth_id: str, event: ViewerLevelChanged) -> None:
        """Only the viewer learns what its link now gets (`stream.level`): the event reaches
        each of the user's connections, and `connection` says which one it is about."""
        user_id = viewer_user(event.viewer_id)
        if user_id is None:
            return
        data = {
            "booth_id": booth_id,
            "connection": event.viewer_id.partition(":")[2],
            "level": event.level,
            "loss_pct": event.loss_pct,
        }
        message = Event("stream.level", data, Audience("user", user_id=user_id))
        await publish(self.streams.redis, fair_id, message)

    async def _report_counts(self) -> None:
        """Viewer counts and how many are on each level, at most once a second per stream: 64
        viewers joining, or moving between layers, is one update. A stream held here counts
        each leg's viewers instead of the leg (pinned to the high layer); a node with a leg
        tells the holder how many watch through it, and on which levels, every second, changed
        or not, so that a node that died stops being counted within EDGE_STALE. Reports go out
        together, each given EDGE_REPORT_TIMEOUT: a hung holder delays no other's."""
        while True:
            await asyncio.sleep(VIEWER_COUNT_INTERVAL)
            try:
                await self._end_silent_edges()
                await self._report_counts_once()
            except Exception:
                log.exception("could not report viewer counts")

    async def _report_counts_once(self) -> None:
        counts, self._counts = self._counts, {}
        for sid in self.cascade.relayed():
            counts.setdefault(sid, self.hub.levels_of(sid))
        reports: list[Awaitable[object]] = []
        for sid, levels in counts.items():
            state, origin = self._held.get(sid), self.cascade.origin(sid)
            if state is not None:
                reports.append(self._count_held(sid, state, levels))
            elif origin is not None:
                request = {"stream": sid, "node": self.node_id, "levels": levels}
                call = self.rpc.call(origin, "edge_viewers", request)
                reports.append(asyncio.wait_for(call, EDGE_REPORT_TIMEOUT))
        # a failed report is not retried: an edge's goes out again within a second anyway
        await asyncio.gather(*reports, return_exceptions=True)

    async def _count_held(self, sid: str, state: StreamState, levels: dict[str, int]) -> None:
        edges = self._edges.get(sid, {})
        levels = {**levels, "high": levels.get("high", 0) - len(edges)}  # the legs themselves
        for _, edge_levels in edges.values():
            for level, n in edge_levels.items():
                levels[level] = levels.get(level, 0) + n
        await self.streams.set_viewers(_split(sid)[0], state, sum(levels.values()), levels)

    async def _end_silent_edges(self) -> None:
        now = time.monotonic()
        for sid, edges in list(self._edges.items()):
            for node, (said_at, _) in list(edges.items()):
                if now - said_at > EDGE_STALE:
                    log.info("node %s stopped reporting its viewers of %s: its leg ends", node, sid)
                    await self._rpc_leave({"stream": sid, "viewer": f"{RELAY_VIEWER}{node}"})
                    self._counts[sid] = self.hub.levels_of(sid)
            if not edges:
                self._edges.pop(sid, None)
