"""A cascade leg: this node views a stream held by another node, once, and forwards it to its own
viewers (docs/rtc.md "Cascade legs"). The origin sees one ordinary viewer whatever the audience
here: its PLIs, NACKs and sender reports are those of any viewer's connection.

A leg carries both video layers of a two-layer origin, each on a video track of its own, so the
viewers here are moved between them as at the origin. The low layer is paid for only while a
viewer here gets it or waits for it: the origin sends it from the leg's first PLI for it, and
stops when the leg says it takes none of it (a REMB of 0 bit/s for that track, sent every
second while no viewer here has been on it for `IDLE_AFTER`).
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from aiortc import RTCRtpReceiver
from aiortc.sdp import MediaDescription, SessionDescription

from server.rtc.aiortc_internals import on_packet_received, send_remb
from server.rtc.frames import EncodedFrame
from server.rtc.layers import LAYERS
from server.rtc.negotiation import parse_offer
from server.rtc.peer import PeerConnection, PeerSetup
from server.rtc.receiving import EncodedReceiving

logger = logging.getLogger(__name__)

SECTIONS = ("audio", *("video",) * LAYERS)  # the leg's offer: audio, then a video per layer
LOW = 1
TICK = 1.0  # seconds between looks at whether a viewer here is on the low layer
IDLE_AFTER = 2.0  # seconds without one before the origin is told to stop sending it


class RelayFeed:
    """A feed (source.py) whose frames come from another node's stream: the offerer of a
    connection with recvonly audio and a recvonly video per layer, received exactly as a
    publisher's is, and, like a two-layer publisher, a `LayeredFeed` when the origin answered
    both video sections.

    `heard_at` is when the last RTP or RTCP packet arrived (monotonic): the origin's sender
    reports come about once a second per kind even while it sends no RTP (a pause), so a leg
    silent for longer is dead, whatever ICE says. `in_use(layer)`: a viewer here gets, or
    waits for, that layer (the switch's).
    """

    def __init__(
        self,
        setup: PeerSetup,
        *,
        epoch: int,
        on_frame: Callable[["RelayFeed", str, EncodedFrame, int], None],
        on_loss: Callable[["RelayFeed", int], None],
        on_ended: Callable[["RelayFeed"], None],
        in_use: Callable[[int], bool],
    ) -> None:
        self.epoch = epoch
        # max-bundle: with aiortc's default policy the second video section would never connect
        self._peer = PeerConnection(setup, partial(on_ended, self), max_bundle=True)
        self._receiving = EncodedReceiving(
            setup.counters, on_frame=partial(on_frame, self), on_loss=partial(on_loss, self)
        )
        self._in_use = in_use
        self._receivers: list[RTCRtpReceiver] = []  # in the order of SECTIONS
        self.video_codec: str | None = None
        self.heard_at = time.monotonic()
        self._low: RTCRtpReceiver | None = None  # None: the origin answered one video layer
        self._low_ssrc = 0
        self._low_sending = False  # asked for, and not told to stop since
        self._low_count = LAYERS  # layer_count: until the origin is seen to send no low layer
        self._low_unused_since: float | None = None
        self._low_seen: int | None = None  # its highest sequence number at the last look
        self._low_asked_at = 0.0
        self._watcher: asyncio.Task[None] | None = None

    @property
    def layer_count(self) -> int:
        """Both layers, unless the origin sent only one, or, asked for its low layer, sends the
        high one and not the low one (a one-layer publisher took over there): the leg then
        stays single-layer. A silence of both says nothing (the origin paused)."""
        if self._low is None:
            return 1
        if self._low_sending:
            if self._receiving.heard(LOW):
                self._low_count = LAYERS
            elif self._receiving.heard(0):
                self._low_count = 1
        return self._low_count

    async def offer(self) -> str:
        """The offer the origin answers like a viewer's."""
        video = 0
        for kind in SECTIONS:
            transceiver = self._peer.pc.addTransceiver(kind, direction="recvonly")
            self._receiving.divert(kind, transceiver.receiver, video if kind == "video" else 0)
            video += kind == "video"
            on_packet_received(transceiver.receiver, self._heard)
            self._receivers.append(transceiver.receiver)
        return await self._peer.offer()

    async def accept(self, answer_sdp: str) -> None:
        """The origin's answer names the stream's video codec, and the layers it sends: one
        per video section it did not answer `inactive`."""
        codec = parse_offer(answer_sdp).codecs()["video"]
        if codec is not None:
            self.video_codec = codec
            sections = SessionDescription.parse(answer_sdp).media
            for receiver, media in zip(self._receivers, sections, strict=False):
                if media.kind != "video" or media.direction == "inactive":
                    continue
                ssrc = _media_ssrc(media)
                layer = self._receiving.reassemble_video(receiver, codec, ssrc)
                if layer == LOW and ssrc is not None:
                    self._low, self._low_ssrc = receiver, ssrc
        await self._peer.accept(answer_sdp)
        self.heard_at = time.monotonic()
        if self._low is not None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch_low())

    async def send_pli(self) -> None:
        await self._ask(0)

    def layer_pli(self, layer: int) -> Callable[[], Coroutine[Any, Any, None]]:
        return partial(self._ask, layer)

    async def _ask(self, layer: int) -> None:
        """A keyframe of `layer`; for the low one, its frames from now on (the origin sends
        them from its next keyframe) if a viewer here is on it: else nobody needs it."""
        if layer == LOW and self._low is not None:
            if not self._in_use(LOW):
                return
            self._send_low()
        await self._receiving.send_pli(layer)

    def _send_low(self) -> None:
        self._low_unused_since = None
        self._low_asked_at = time.monotonic()
        if not self._low_sending:
            self._low_sending = True
            self._receiving.expect(LOW)

    async def _watch_low(self) -> None:
        while True:
            await asyncio.sleep(TICK)
            try:
                await self._check_low()
            except Exception:
                logger.exception("checking a cascade leg's low layer failed")

    async def _check_low(self) -> None:
        """Once a `TICK`: ask again for the low layer if a viewer here is on it and nothing came
        (the PLI was lost), or tell the origin to stop it once nobody has been for `IDLE_AFTER`
        (every tick: a lost REMB is made good by the next)."""
        assert self._low is not None
        seen = self._receiving.highest(LOW)
        now = time.monotonic()
        if self._in_use(LOW):
            silent = seen == self._low_seen and now - self._low_asked_at >= TICK
            if not self._low_sending or silent:
                self._send_low()
                await self._receiving.send_pli(LOW)
            self._low_seen = seen
            return
        self._low_seen = seen
        if self._low_sending:
            if self._low_unused_since is None:
                self._low_unused_since = now
            if now - self._low_unused_since < IDLE_AFTER:
                return
            self._low_sending = False
        await send_remb(self._low, self._low_ssrc, 0)

    def _heard(self) -> None:
        self.heard_at = time.monotonic()

    async def close(self) -> None:
        """Idempotent."""
        self._receiving.close()
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await self._peer.close()


def _media_ssrc(media: MediaDescription) -> int | None:
    """The media (not retransmission) SSRC a section announces."""
    for group in media.ssrc_group:
        if group.semantic == "FID" and group.items:
            return int(group.items[0])
    return media.ssrc[0].ssrc if media.ssrc else None
