"""A booth stream: at most one publisher, any number of viewers, frames forwarded between them."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from enum import StrEnum
from typing import Any

from server.rtc.errors import CodecMismatch, Published, StreamClosed, UnknownViewer
from server.rtc.events import (
    EventCallback,
    OfflineReason,
    StreamEvent,
    StreamHandedOver,
    StreamLive,
    StreamOffline,
    ViewerCountChanged,
    ViewerLevelChanged,
)
from server.rtc.layers import LAYERS, LayerChooser, Level
from server.rtc.negotiation import Offer
from server.rtc.peer import PeerSetup
from server.rtc.publisher import Publisher
from server.rtc.relay import RelayFeed
from server.rtc.source import Feed, Switch
from server.rtc.viewer import RELAY_PREFIX, Viewer

logger = logging.getLogger(__name__)


class StreamState(StrEnum):
    OFFLINE = "offline"  # no publisher media (none yet, or it left); viewers wait
    LIVE = "live"  # the current publisher's media is flowing
    CLOSED = "closed"  # stopped: every connection released


class BoothStream:
    """Viewers outlive publishers: when one leaves, viewers keep their connections, and a returning
    publisher's frames reach them again from a keyframe on. Which publisher's frames reach them,
    and whether any do (pause), is the `Switch`'s business (source.py).

    Negotiation (which may wait for ICE gathering) happens before a connection is registered, and
    registration never awaits, so concurrent calls cannot interleave halfway.
    """

    def __init__(
        self,
        stream_id: str,
        setup: PeerSetup,
        *,
        on_event: EventCallback,
        on_idle: Callable[["BoothStream"], None],
        new_chooser: Callable[[], LayerChooser] = LayerChooser,
    ) -> None:
        self.stream_id = stream_id
        self._setup = setup
        self._on_event = on_event
        self._on_idle = on_idle
        self._new_chooser = new_chooser
        self._switch = Switch(setup.counters, on_cut_over=self._handed_over)
        self._publisher: Publisher | None = None
        self._incoming: Publisher | None = None  # a hand-over waiting for its first keyframe
        self._relay: RelayFeed | None = None  # a cascade leg from the node holding the stream
        self._viewers: dict[str, Viewer] = {}
        self._epoch = 0
        self._negotiating = 0
        self._closing: set[asyncio.Task[None]] = set()
        self.state = StreamState.OFFLINE

    @property
    def viewer_count(self) -> int:
        return len(self._viewers)

    @property
    def watched(self) -> bool:
        """A viewer is connected, or a connection is being negotiated (maybe a viewer's)."""
        return bool(self._viewers) or self._negotiating > 0

    def levels(self) -> dict[str, int]:
        """How many viewers are on each level (text counts as audio: that is what they get)."""
        counts = {Level.HIGH.value: 0, Level.LOW.value: 0, Level.AUDIO.value: 0}
        for viewer in self._viewers.values():
            level = Level.AUDIO if viewer.level is Level.TEXT else viewer.level
            counts[level.value] += 1
        return counts

    def viewer_links(self) -> list[tuple[str, Level, float]]:
        """(viewer id, level, recent loss 0..1) of each viewer."""
        return [(v.viewer_id, v.level, v.loss) for v in self._viewers.values()]

    @property
    def has_publisher(self) -> bool:
        return self._publisher is not None

    @property
    def idle(self) -> bool:
        return (
            self._publisher is None
            and self._incoming is None
            and self._relay is None
            and not self._viewers
            and not self._negotiating
        )

    @property
    def paused(self) -> bool:
        return self._switch.paused

    @property
    def video_codec(self) -> str | None:
        feed = self._publisher or self._relay
        return None if feed is None else feed.video_codec

    @property
    def relay_heard_at(self) -> float | None:
        """When the cascade leg last received a packet (monotonic); None without a leg."""
        return None if self._relay is None else self._relay.heard_at

    def _new_publisher(self, offer: Offer) -> Publisher:
        self._epoch += 1
        return Publisher(
            self._setup,
            epoch=self._epoch,
            on_frame=self._switch.frame,
            on_loss=self._switch.lost,
            on_media=self._publisher_media,
            on_ended=self._publisher_ended,
            layered=offer.video_sections > 1,
        )

    async def publish(self, offer: Offer, paused: bool = False) -> str:
        """A publisher replacing the current one (break before make: viewers wait for its first
        keyframe); a hand-over under way is abandoned. `paused`: whether the stream forwards
        (set before the new publisher's first frame can pass)."""
        self._check_open()
        if paused:
            self._switch.pause()
        else:
            self._switch.resume()
        publisher = self._new_publisher(offer)
        answer = await self._negotiate(publisher.negotiate(offer), publisher.close)
        old, incoming, relay = self._publisher, self._incoming, self._relay
        self._incoming = self._relay = None
        if old is not None:
            self._drop_publisher(OfflineReason.REPLACED)
        self._publisher = publisher
        self._switch.select(publisher)
        for ended in (old, incoming, relay):
            if ended is not None:
                await ended.close()
        return answer

    async def hand_over(self, offer: Offer) -> str:
        """A new publisher takes over without a gap: the current one goes on until the new one's
        first keyframe, on which viewers are cut over (`StreamHandedOver`), and is then closed.
        The new publisher must send the stream's video codec (nothing is transcoded): else
        `CodecMismatch`. With no current publisher this is `publish`."""
        self._check_open()
        codec = self.video_codec
        if codec is None:
            return await self.publish(offer)
        if codec not in offer.offered["video"]:
            raise CodecMismatch(codec)
        publisher = self._new_publisher(offer)
        answer = await self._negotiate(publisher.negotiate(offer, codec), publisher.close)
        if self._publisher is None:  # the current one left while we negotiated
            self._publisher = publisher
            self._switch.select(publisher)
            return answer
        stale, self._incoming = self._incoming, publisher
        self._switch.hand_over(publisher)
        if stale is not None:
            await stale.close()
        return answer

    async def relay(self, connect: Callable[[str], Awaitable[str]]) -> None:
        """Feed the stream from the node that holds it (a cascade leg): `connect(offer_sdp)`
        returns that node's answer, which views the stream like any viewer. A leg already here
        is replaced (break before make: viewers wait for the new leg's keyframe). Pause and
        hand-over happen at the origin; this stream forwards what arrives and reports nothing.
        Raises `Published` if a publisher is here: it feeds the stream, never a leg."""
        self._check_open()
        self._check_unpublished()
        self._epoch += 1
        feed = RelayFeed(
            self._setup,
            epoch=self._epoch,
            on_frame=self._switch.frame,
            on_loss=self._switch.lost,
            on_ended=self._relay_ended,
            in_use=self._switch.in_use,
        )

        async def negotiate() -> str:
            answer = await connect(await feed.offer())
            await feed.accept(answer)
            return answer

        await self._negotiate(negotiate(), feed.close)
        try:
            self._check_unpublished()  # a publisher came while the leg negotiated
        except Published:
            await feed.close()
            raise
        self._setup.counters.relay_legs += 1
        old, self._relay = self._relay, feed
        self._switch.select(feed)
        if old is not None:
            await old.close()

    async def unrelay(self) -> None:
        """End the cascade leg; viewers stay connected and wait."""
        feed, self._relay = self._relay, None
        if feed is not None:
            self._switch.forget(feed)
            await feed.close()

    def pause(self) -> None:
        """Viewers get no packet of this stream until `resume()`; every connection stays up."""
        self._switch.pause()

    def resume(self) -> None:
        """Forwarding again: audio at once, video from a keyframe (requested now)."""
        self._switch.resume()

    async def unpublish(self) -> None:
        """End the publisher's connection; viewers stay connected and wait."""
        publisher = self._publisher
        if publisher is not None:
            self._drop_publisher(OfflineReason.UNPUBLISHED)
            await publisher.close()

    async def view(self, viewer_id: str, offer: Offer, audio_only: bool) -> str:
        """Connect a viewer; one that is already connected under this id is replaced."""
        self._check_open()
        switch = self._switch
        # a leg gets each layer on a track of its own: as many as it offers and the stream has
        # (all it may have while no feed says: the publisher may be reconnecting)
        relay = viewer_id.startswith(RELAY_PREFIX)
        layers = min(offer.video_sections, LAYERS if switch.current is None else switch.layer_count)
        viewer = Viewer(
            viewer_id,
            self._setup,
            request_keyframe=switch.request_keyframe,
            move=switch.move,
            settle=switch.settle,
            layers=switch.layers,
            chooser=self._new_chooser(),
            on_level=self._viewer_level,
            on_ended=self._viewer_ended,
            layered=relay and offer.video_sections > 1,
        )
        negotiation = viewer.negotiate(offer, audio_only, self.video_codec, layers if relay else 1)
        answer = await self._negotiate(negotiation, viewer.close)
        old = self._viewers.pop(viewer_id, None)
        if old is not None:
            self._detach(old)
        self._viewers[viewer_id] = viewer
        self._switch.attach(viewer.tracks.values(), viewer.pinned)
        if old is None:
            self._count_changed()
        else:
            await old.close()
        return answer

    def set_audio_only(self, viewer_id: str, audio_only: bool) -> None:
        viewer = self._viewers.get(viewer_id)
        if viewer is None:
            raise UnknownViewer(viewer_id)
        if viewer.set_audio_only(audio_only):
            self._viewer_level(viewer)

    async def leave(self, viewer_id: str) -> None:
        """Idempotent: an unknown viewer has already left."""
        viewer = self._viewers.pop(viewer_id, None)
        if viewer is not None:
            self._detach(viewer)
            self._count_changed()
            await viewer.close()

    async def close(self) -> None:
        """Stop the stream: release the publisher, every viewer and every task. Idempotent."""
        if self.state is StreamState.CLOSED:
            await self._settle()
            return
        publisher, viewers = self._publisher, list(self._viewers.values())
        incoming, self._incoming = self._incoming, None
        relay, self._relay = self._relay, None
        if publisher is not None:
            self._drop_publisher(OfflineReason.STOPPED)
        self.state = StreamState.CLOSED
        self._viewers.clear()
        if viewers:
            self._count_changed()
        await self._switch.close()
        closing = [v.close() for v in viewers]
        closing += [p.close() for p in (publisher, incoming, relay) if p is not None]
        await asyncio.gather(*closing)
        await self._settle()

    async def _negotiate(
        self, negotiation: Coroutine[Any, Any, str], close: Callable[[], Coroutine[Any, Any, None]]
    ) -> str:
        """Run a negotiation; the new connection is closed if it fails or the stream closed."""
        self._negotiating += 1
        try:
            answer = await negotiation
            self._check_open()
        except BaseException:
            await close()
            raise
        finally:
            self._negotiating -= 1
        return answer

    def _publisher_media(self, publisher: Publisher) -> None:
        if publisher is self._publisher and self.state is StreamState.OFFLINE:
            self.state = StreamState.LIVE
            self._emit(StreamLive(self.stream_id))

    def _publisher_ended(self, publisher: Publisher) -> None:
        if publisher is self._publisher:
            self._drop_publisher(OfflineReason.LEFT)
        elif publisher is self._incoming:
            self._incoming = None
            self._switch.forget(publisher)
        self._close_later(publisher.close())

    def _relay_ended(self, feed: RelayFeed) -> None:
        """The leg's connection failed or the origin closed it: viewers wait for the next."""
        if feed is self._relay:
            self._relay = None
            self._switch.forget(feed)
        self._close_later(feed.close())

    def _handed_over(self, old: Feed) -> None:
        """The switch cut over to the incoming publisher on its keyframe: the old one ends."""
        previous = self._publisher
        assert previous is not None and old is previous and self._incoming is not None
        self._publisher, self._incoming = self._incoming, None
        self._emit(StreamHandedOver(self.stream_id))
        self._close_later(previous.close())

    def _viewer_ended(self, viewer: Viewer) -> None:
        if self._viewers.get(viewer.viewer_id) is viewer:
            del self._viewers[viewer.viewer_id]
            self._detach(viewer)
            self._count_changed()
        self._close_later(viewer.close())

    def _drop_publisher(self, reason: OfflineReason) -> None:
        assert self._publisher is not None
        self._switch.forget(self._publisher)
        self._publisher = None
        if self.state is StreamState.LIVE:
            self.state = StreamState.OFFLINE
            self._emit(StreamOffline(self.stream_id, reason))

    def _detach(self, viewer: Viewer) -> None:
        self._switch.detach(viewer.tracks.values())

    def _viewer_level(self, viewer: Viewer) -> None:
        """A viewer's level changed (its link, or its own choice): tell it, and the counts."""
        if self._viewers.get(viewer.viewer_id) is not viewer:
            return
        loss_pct = round(viewer.loss * 100, 1)
        self._emit(ViewerLevelChanged(self.stream_id, viewer.viewer_id, viewer.level, loss_pct))
        self._count_changed()

    def _count_changed(self) -> None:
        self._emit(ViewerCountChanged(self.stream_id, len(self._viewers), self.levels()))

    def _close_later(self, closing: Coroutine[Any, Any, None]) -> None:
        """Close a connection that ended by itself (its event handler cannot await)."""
        task = asyncio.get_running_loop().create_task(closing)
        self._closing.add(task)
        task.add_done_callback(self._closed)

    def _closed(self, task: asyncio.Task[None]) -> None:
        self._closing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("closing an ended connection failed", exc_info=task.exception())
        if self.idle and self.state is not StreamState.CLOSED:
            self._on_idle(self)

    async def _settle(self) -> None:
        while self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    def _check_open(self) -> None:
        if self.state is StreamState.CLOSED:
            raise StreamClosed(self.stream_id)

    def _check_unpublished(self) -> None:
        if self._publisher is not None or self._incoming is not None:
            raise Published(self.stream_id)

    def _emit(self, event: StreamEvent) -> None:
        try:
            self._on_event(event)
        except Exception:  # no viewer id in logs: it names a participant
            logger.exception(
                "stream event callback failed for %s of %s", type(event).__name__, self.stream_id
            )
