"""The app's entry point to live streams: publish, view, leave, stop, independent of the wire."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from aiortc import RTCConfiguration, RTCIceServer

from server.rtc.aiortc_internals import CandidatePolicy
from server.rtc.counters import MediaCounters
from server.rtc.errors import StreamClosed, UnknownViewer
from server.rtc.events import EventCallback, StreamEvent
from server.rtc.layers import LayerChooser, Level
from server.rtc.negotiation import parse_offer
from server.rtc.peer import PeerSetup
from server.rtc.stream import BoothStream, StreamState

logger = logging.getLogger(__name__)

IceServer = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True, slots=True)
class HubStats:
    streams: int
    live_streams: int
    publishers: int
    viewers: int

    @property
    def peer_connections(self) -> int:
        return self.publishers + self.viewers


@dataclass(frozen=True, slots=True)
class ViewerLink:
    """One viewer's level and recent loss (0..1), for /metrics."""

    stream_id: str
    viewer_id: str
    level: Level
    loss: float


def ice_configuration(ice_servers: Sequence[IceServer]) -> RTCConfiguration:
    """RTCConfiguration from dicts with `urls` and, for TURN, `username` and `credential`."""
    servers = []
    for server in ice_servers:
        urls = server["urls"]
        username, credential = server.get("username"), server.get("credential")
        if not isinstance(username, str | None) or not isinstance(credential, str | None):
            raise ValueError("ICE server username and credential must be strings")
        servers.append(
            RTCIceServer(
                urls=urls if isinstance(urls, str) else list(urls),
                username=username,
                credential=credential,
            )
        )
    return RTCConfiguration(iceServers=servers)


class StreamHub:
    """Every booth stream on this node, owned by the app (created in its lifespan, closed after).

    Offers and answers are complete SDP (no trickle ICE): aiortc gathers every candidate before it
    returns its local description. `on_event` receives StreamLive / StreamOffline /
    ViewerCountChanged; see events.py for what it may do.
    """

    def __init__(
        self,
        ice_servers: Sequence[IceServer] = (),
        on_event: EventCallback | None = None,
        *,
        candidates: CandidatePolicy | None = None,
        new_chooser: Callable[[], LayerChooser] = LayerChooser,
    ) -> None:
        """`new_chooser`: each viewer's layer chooser (tests shorten its timings)."""
        self._setup = PeerSetup(ice_configuration(ice_servers), candidates or CandidatePolicy())
        self._new_chooser = new_chooser
        self._on_event = on_event
        self._streams: dict[str, BoothStream] = {}
        self._retiring: set[asyncio.Task[None]] = set()
        self._closed = False

    async def publish(self, stream_id: str, offer_sdp: str, *, paused: bool = False) -> str:
        """Answer a publisher's offer; an existing publisher of the stream is replaced. `paused`:
        the stream is paused before the new publisher's first frame can pass."""
        offer = parse_offer(offer_sdp)
        stream = self._stream(stream_id)
        try:
            return await stream.publish(offer, paused=paused)
        finally:
            self._retire_if_idle(stream)

    async def hand_over(self, stream_id: str, offer_sdp: str) -> str:
        """Answer the offer of a publisher taking over the stream: viewers are cut over at its
        first keyframe, without a gap or a reconnection (`StreamHandedOver`), and the previous
        publisher is then closed. Raises `CodecMismatch` if it cannot send the stream's codec."""
        offer = parse_offer(offer_sdp)
        stream = self._stream(stream_id)
        try:
            return await stream.hand_over(offer)
        finally:
            self._retire_if_idle(stream)

    def pause(self, stream_id: str) -> bool:
        """Forward nothing of this stream (publisher and viewers stay connected, a new publisher
        too). Idempotent; False if no such stream is held here."""
        stream = self._streams.get(stream_id)
        if stream is not None:
            stream.pause()
        return stream is not None

    def resume(self, stream_id: str) -> None:
        """Forward again: audio at once, video from a keyframe requested now. Idempotent."""
        stream = self._streams.get(stream_id)
        if stream is not None:
            stream.resume()

    def is_paused(self, stream_id: str) -> bool:
        stream = self._streams.get(stream_id)
        return stream is not None and stream.paused

    async def unpublish(self, stream_id: str) -> None:
        """End the publisher's connection; viewers stay and see the next publisher."""
        stream = self._streams.get(stream_id)
        if stream is not None:
            await stream.unpublish()
            self._retire_if_idle(stream)

    async def view(
        self, stream_id: str, viewer_id: str, offer_sdp: str, audio_only: bool = False
    ) -> str:
        """Answer a viewer's offer (recvonly audio and video); the stream need not be live yet."""
        offer = parse_offer(offer_sdp)
        stream = self._stream(stream_id)
        try:
            return await stream.view(viewer_id, offer, audio_only)
        finally:
            self._retire_if_idle(stream)

    async def relay(self, stream_id: str, connect: Callable[[str], Awaitable[str]]) -> None:
        """Feed the stream from the node that holds it, over one cascade leg: `connect` takes
        this node's offer and returns that node's answer to it as to a viewer. Replaces a leg
        already here; raises `Published` if the stream has a publisher here. The stream reports
        no events: its state is the origin's."""
        stream = self._stream(stream_id)
        try:
            await stream.relay(connect)
        finally:
            self._retire_if_idle(stream)

    async def unrelay(self, stream_id: str) -> None:
        """End the stream's cascade leg; its viewers stay connected. Idempotent."""
        stream = self._streams.get(stream_id)
        if stream is not None:
            await stream.unrelay()
            self._retire_if_idle(stream)

    def relay_heard_at(self, stream_id: str) -> float | None:
        """When the stream's cascade leg last received a packet (monotonic); None: no leg."""
        stream = self._streams.get(stream_id)
        return None if stream is None else stream.relay_heard_at

    async def set_audio_only(self, stream_id: str, viewer_id: str, audio_only: bool) -> None:
        """Stop or restart video to one viewer without renegotiation (restarts at a keyframe)."""
        stream = self._streams.get(stream_id)
        if stream is None:
            raise UnknownViewer(viewer_id)
        stream.set_audio_only(viewer_id, audio_only)

    async def leave(self, stream_id: str, viewer_id: str) -> None:
        """Idempotent."""
        stream = self._streams.get(stream_id)
        if stream is not None:
            await stream.leave(viewer_id)
            self._retire_if_idle(stream)

    async def stop(self, stream_id: str) -> None:
        """End the stream with every viewer connection (moderator or recruiter stop). Idempotent."""
        stream = self._streams.pop(stream_id, None)
        if stream is not None:
            await stream.close()

    def is_live(self, stream_id: str) -> bool:
        stream = self._streams.get(stream_id)
        return stream is not None and stream.state is StreamState.LIVE

    def viewer_count(self, stream_id: str) -> int:
        stream = self._streams.get(stream_id)
        return 0 if stream is None else stream.viewer_count

    def watched(self, stream_id: str) -> bool:
        """A viewer of the stream is connected, or a connection to it is being negotiated."""
        stream = self._streams.get(stream_id)
        return stream is not None and stream.watched

    @property
    def counters(self) -> MediaCounters:
        """Totals of this hub's media path since it started (they only grow)."""
        return self._setup.counters

    def viewer_links(self) -> list[ViewerLink]:
        return [
            ViewerLink(stream.stream_id, viewer_id, level, loss)
            for stream in self._streams.values()
            for viewer_id, level, loss in stream.viewer_links()
        ]

    def levels(self) -> dict[str, dict[str, int]]:
        """Stream id -> how many of its viewers are on each level."""
        return {sid: stream.levels() for sid, stream in self._streams.items()}

    def levels_of(self, stream_id: str) -> dict[str, int]:
        stream = self._streams.get(stream_id)
        return {} if stream is None else stream.levels()

    def stats(self) -> HubStats:
        streams = list(self._streams.values())
        return HubStats(
            streams=len(streams),
            live_streams=sum(s.state is StreamState.LIVE for s in streams),
            publishers=sum(s.has_publisher for s in streams),
            viewers=sum(s.viewer_count for s in streams),
        )

    async def close(self) -> None:
        """Release every connection, task and buffer. Idempotent."""
        self._closed = True
        streams = list(self._streams.values())
        self._streams.clear()
        await asyncio.gather(*(stream.close() for stream in streams))
        while self._retiring:
            await asyncio.gather(*self._retiring, return_exceptions=True)

    def _stream(self, stream_id: str) -> BoothStream:
        if self._closed:
            raise StreamClosed("the stream hub is closed")
        stream = self._streams.get(stream_id)
        if stream is None:
            stream = BoothStream(
                stream_id,
                self._setup,
                on_event=self._emit,
                on_idle=self._retire_if_idle,
                new_chooser=self._new_chooser,
            )
            self._streams[stream_id] = stream
        return stream

    def _retire_if_idle(self, stream: BoothStream) -> None:
        """Forget a stream with no publisher and no viewers, so ids do not pile up."""
        if stream.idle and self._streams.get(stream.stream_id) is stream:
            del self._streams[stream.stream_id]
            task = asyncio.get_running_loop().create_task(stream.close())
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)

    def _emit(self, event: StreamEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)
