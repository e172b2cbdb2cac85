"""Booth streams on this node: media in `server.rtc.StreamHub`, shared state in `rooms.streams`,
and signalling for viewers whose websocket is on another node routed to the holder (NodeRpc).

The node a recruiter's websocket is on holds that booth's media. The hub reports its streams'
changes through a callback; they are applied to Redis in order by one task, so "live" and
"offline" of one stream can never overtake each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from rooms.errors import Draining, InvalidInput, InvalidState
from rooms.streams import Streams, StreamState
from server.noderpc import NodeRpc
from server.rtc.aiortc_internals import CandidatePolicy
from server.rtc.errors import RtcError, StreamClosed, UnknownViewer, UnsupportedOffer
from server.rtc.events import StreamEvent, StreamLive, StreamOffline, ViewerCountChanged
from server.rtc.hub import IceServer, StreamHub

log = logging.getLogger(__name__)
T = TypeVar("T")

OFFLINE_REASONS = {
    "left": "the recruiter left",
    "unpublished": "the recruiter left",
    "replaced": "the recruiter restarted the stream",
    "stopped": "the stream was stopped",
}
VIEWER_COUNT_INTERVAL = 1.0  # seconds between viewer-count updates of one stream


def stream_id(fair_id: str, booth_id: str) -> str:
    return f"{fair_id}/{booth_id}"


def _split(sid: str) -> tuple[str, str]:
    fair_id, _, booth_id = sid.partition("/")
    return fair_id, booth_id


async def rtc_errors_as_domain(call: Awaitable[T]) -> T:
    """The hub's errors as domain errors (the one place they are translated)."""
    try:
        return await call
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
    ) -> None:
        self.streams = streams
        self.rpc = rpc
        self.node_id = rpc.node_id
        self.hub = StreamHub(ice_servers, self._on_event, candidates=candidates)
        self._events: asyncio.Queue[StreamEvent] = asyncio.Queue(maxsize=10_000)
        self._publishers: dict[str, str] = {}  # stream id -> publishing participant
        self._held: dict[str, StreamState] = {}  # stream id -> its live state in Redis
        self._counts: dict[str, int] = {}
        self._worker: asyncio.Task[None] | None = None
        self._counter: asyncio.Task[None] | None = None
        self.draining = False
        for op, handler in (
            ("view", self._rpc_view),
            ("audio_only", self._rpc_audio_only),
            ("leave", self._rpc_leave),
            ("stop", self._rpc_stop),
        ):
            rpc.register(op, handler)

    async def start(self) -> None:
        self._worker = asyncio.create_task(self._apply_events(), name="stream-events")
        self._counter = asyncio.create_task(self._report_counts(), name="stream-counts")

    async def drain(self) -> None:
        """The node is stopping: refuse new publishes and end the streams held here, telling their
        viewers why; recruiters' pages go live again through another node."""
        self.draining = True
        await self.close()

    async def close(self) -> None:
        """Stop every stream this node holds, and mark them offline for the other nodes."""
        await self.hub.close()
        for task in (self._worker, self._counter):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for sid, state in list(self._held.items()):
            fair_id, booth_id = _split(sid)
            with contextlib.suppress(Exception):
                await self.streams.go_offline(
                    fair_id, booth_id, state.session, "the server is restarting", code="restarting"
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
            await self.stop(fair_id, booth_id, "the recruiter restarted the stream", "replaced")
        self._publishers[sid] = publisher_id
        return await rtc_errors_as_domain(self.hub.publish(sid, sdp))

    async def unpublish(self, fair_id: str, booth_id: str) -> None:
        """The publisher's websocket closed: end its media; its viewers wait for its return."""
        await self.hub.unpublish(stream_id(fair_id, booth_id))

    # --- viewing (routed to the holding node) ---------------------------------------------

    async def _holder(self, fair_id: str, booth_id: str) -> StreamState:
        state = await self.streams.get(fair_id, booth_id)
        if state is None:
            raise InvalidState("the booth is offline")
        return state

    async def view(
        self, fair_id: str, booth_id: str, viewer_id: str, sdp: str, audio_only: bool
    ) -> dict[str, Any]:
        holder = await self._holder(fair_id, booth_id)
        request = {
            "stream": stream_id(fair_id, booth_id),
            "viewer": viewer_id,
            "sdp": sdp,
            "audio_only": audio_only,
        }
        return await self._at(holder.node, "view", request, self._rpc_view)

    async def set_audio_only(self, fair_id: str, booth_id: str, viewer_id: str, on: bool) -> None:
        holder = await self._holder(fair_id, booth_id)
        request = {"stream": stream_id(fair_id, booth_id), "viewer": viewer_id, "on": on}
        await self._at(holder.node, "audio_only", request, self._rpc_audio_only)

    async def leave(self, fair_id: str, booth_id: str, viewer_id: str) -> None:
        """Idempotent; a viewer of a stream that already ended has nothing to leave."""
        state = await self.streams.get(fair_id, booth_id)
        request = {"stream": stream_id(fair_id, booth_id), "viewer": viewer_id}
        if state is None or state.node == self.node_id:
            await self._rpc_leave(request)
            return
        with contextlib.suppress(InvalidState):
            await self.rpc.call(state.node, "leave", request)

    async def stop(self, fair_id: str, booth_id: str, reason: str, code: str = "stopped") -> None:
        """End a booth's stream wherever it is held, and mark it offline even if that node is
        gone."""
        state = await self.streams.get(fair_id, booth_id)
        if state is None:
            return
        # offline first, with this reason; the media's own "stopped" report then finds it done
        await self.streams.go_offline(fair_id, booth_id, state.session, reason, code)
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
        answer = await rtc_errors_as_domain(
            self.hub.view(
                request["stream"], request["viewer"], request["sdp"], request["audio_only"]
            )
        )
        return {"sdp": answer}

    async def _rpc_audio_only(self, request: dict[str, Any]) -> dict[str, Any]:
        await rtc_errors_as_domain(
            self.hub.set_audio_only(request["stream"], request["viewer"], request["on"])
        )
        return {}

    async def _rpc_leave(self, request: dict[str, Any]) -> dict[str, Any]:
        await self.hub.leave(request["stream"], request["viewer"])
        return {}

    async def _rpc_stop(self, request: dict[str, Any]) -> dict[str, Any]:
        await self.hub.stop(request["stream"])
        return {}

    # --- the hub's reports, applied to Redis in order -------------------------------------

    def _on_event(self, event: StreamEvent) -> None:
        if isinstance(event, ViewerCountChanged):
            self._counts[event.stream_id] = event.count
            return
        try:
            self._events.put_nowait(event)
        except asyncio.QueueFull:
            log.error("dropping stream event %s: the event queue is full", event)

    async def _apply_events(self) -> None:
        while True:
            event = await self._events.get()
            try:
                await self._apply(event)
            except Exception:
                log.exception("could not record %s", event)

    async def _apply(self, event: StreamEvent) -> None:
        sid = event.stream_id
        fair_id, booth_id = _split(sid)
        if isinstance(event, StreamLive):
            publisher = self._publishers.get(sid, "")
            self._held[sid] = await self.streams.go_live(fair_id, booth_id, self.node_id, publisher)
        elif isinstance(event, StreamOffline):
            state = self._held.pop(sid, None)
            if state is not None:
                reason = OFFLINE_REASONS.get(event.reason.value, event.reason.value)
                await self.streams.go_offline(
                    fair_id, booth_id, state.session, reason, event.reason.value
                )

    async def _report_counts(self) -> None:
        """Viewer counts, at most once a second per stream: 64 viewers joining is one update."""
        while True:
            await asyncio.sleep(VIEWER_COUNT_INTERVAL)
            counts, self._counts = self._counts, {}
            for sid, count in counts.items():
                state = self._held.get(sid)
                if state is not None:
                    with contextlib.suppress(Exception):
                        await self.streams.set_viewers(_split(sid)[0], state, count)
