"""A booth stream: at most one publisher, any number of viewers, frames forwarded between them."""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from enum import StrEnum
from typing import Any

from server.rtc.errors import StreamClosed, UnknownViewer
from server.rtc.events import (
    EventCallback,
    OfflineReason,
    StreamEvent,
    StreamLive,
    StreamOffline,
    ViewerCountChanged,
)
from server.rtc.fanout import Fanout
from server.rtc.keyframes import KeyframeRequester
from server.rtc.negotiation import Offer
from server.rtc.peer import PeerSetup
from server.rtc.publisher import Publisher
from server.rtc.viewer import Viewer

logger = logging.getLogger(__name__)


class StreamState(StrEnum):
    OFFLINE = "offline"  # no publisher media (none yet, or it left); viewers wait
    LIVE = "live"  # the current publisher's media is flowing
    CLOSED = "closed"  # stopped: every connection released


class BoothStream:
    """Viewers outlive publishers: when one leaves, viewers keep their connections, and a returning
    publisher's frames reach them again from a keyframe on.

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
    ) -> None:
        self.stream_id = stream_id
        self._setup = setup
        self._on_event = on_event
        self._on_idle = on_idle
        self._keyframes = KeyframeRequester()
        self._fanouts = {
            "audio": Fanout(request_keyframe=lambda: None),  # every Opus frame stands alone
            "video": Fanout(request_keyframe=self._keyframes.request),
        }
        self._publisher: Publisher | None = None
        self._viewers: dict[str, Viewer] = {}
        self._epoch = 0
        self._negotiating = 0
        self._closing: set[asyncio.Task[None]] = set()
        self.state = StreamState.OFFLINE

    @property
    def viewer_count(self) -> int:
        return len(self._viewers)

    @property
    def has_publisher(self) -> bool:
        return self._publisher is not None

    @property
    def idle(self) -> bool:
        return self._publisher is None and not self._viewers and not self._negotiating

    async def publish(self, offer: Offer) -> str:
        self._check_open()
        self._epoch += 1
        publisher = Publisher(
            self._setup,
            epoch=self._epoch,
            fanouts=self._fanouts,
            keyframes=self._keyframes,
            on_media=self._publisher_media,
            on_ended=self._publisher_ended,
        )
        answer = await self._negotiate(publisher.negotiate(offer), publisher.close)
        old = self._publisher
        if old is not None:
            self._drop_publisher(OfflineReason.REPLACED)
        # Held first, attached second: requests made before the new publisher has sent a packet
        # could not reach it, and viewers held back ask again as its frames pass them by.
        self._fanouts["video"].hold_until_keyframe()
        self._publisher = publisher
        self._keyframes.attach(publisher.send_pli)
        if old is not None:
            await old.close()
        return answer

    async def unpublish(self) -> None:
        """End the publisher's connection; viewers stay connected and wait."""
        publisher = self._publisher
        if publisher is not None:
            self._drop_publisher(OfflineReason.UNPUBLISHED)
            await publisher.close()

    async def view(self, viewer_id: str, offer: Offer, audio_only: bool) -> str:
        """Connect a viewer; one that is already connected under this id is replaced."""
        self._check_open()
        viewer = Viewer(
            viewer_id,
            self._setup,
            request_keyframe=self._keyframes.request,
            on_ended=self._viewer_ended,
        )
        codec = None if self._publisher is None else self._publisher.video_codec
        negotiation = viewer.negotiate(offer, audio_only, video_codec=codec)
        answer = await self._negotiate(negotiation, viewer.close)
        old = self._viewers.pop(viewer_id, None)
        if old is not None:
            self._detach(old)
        self._viewers[viewer_id] = viewer
        for kind, track in viewer.tracks.items():
            self._fanouts[kind].attach(track)
        if old is None:
            self._emit(ViewerCountChanged(self.stream_id, len(self._viewers)))
        else:
            await old.close()
        return answer

    def set_audio_only(self, viewer_id: str, audio_only: bool) -> None:
        viewer = self._viewers.get(viewer_id)
        if viewer is None:
            raise UnknownViewer(viewer_id)
        viewer.set_audio_only(audio_only)

    async def leave(self, viewer_id: str) -> None:
        """Idempotent: an unknown viewer has already left."""
        viewer = self._viewers.pop(viewer_id, None)
        if viewer is not None:
            self._detach(viewer)
            self._emit(ViewerCountChanged(self.stream_id, len(self._viewers)))
            await viewer.close()

    async def close(self) -> None:
        """Stop the stream: release the publisher, every viewer and every task. Idempotent."""
        if self.state is StreamState.CLOSED:
            await self._settle()
            return
        publisher, viewers = self._publisher, list(self._viewers.values())
        if publisher is not None:
            self._drop_publisher(OfflineReason.STOPPED)
        self.state = StreamState.CLOSED
        self._viewers.clear()
        if viewers:
            self._emit(ViewerCountChanged(self.stream_id, 0))
        for fanout in self._fanouts.values():
            fanout.close()
        await self._keyframes.close()
        closing = [v.close() for v in viewers]
        if publisher is not None:
            closing.append(publisher.close())
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
        self._close_later(publisher.close())

    def _viewer_ended(self, viewer: Viewer) -> None:
        if self._viewers.get(viewer.viewer_id) is viewer:
            del self._viewers[viewer.viewer_id]
            self._detach(viewer)
            self._emit(ViewerCountChanged(self.stream_id, len(self._viewers)))
        self._close_later(viewer.close())

    def _drop_publisher(self, reason: OfflineReason) -> None:
        assert self._publisher is not None
        self._publisher.forwarding = False
        self._publisher = None
        self._keyframes.attach(None)
        if self.state is StreamState.LIVE:
            self.state = StreamState.OFFLINE
            self._emit(StreamOffline(self.stream_id, reason))

    def _detach(self, viewer: Viewer) -> None:
        for kind, track in viewer.tracks.items():
            self._fanouts[kind].detach(track)

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

    def _emit(self, event: StreamEvent) -> None:
        try:
            self._on_event(event)
        except Exception:
            logger.exception("stream event callback failed for %s", event)
