"""A viewer's outgoing track: which frames it gets, written at once by its `RtpWriter`."""

import asyncio
import logging
from typing import NoReturn, Protocol

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from server.rtc.counters import MediaCounters
from server.rtc.packetizer import PacketizedFrame

logger = logging.getLogger(__name__)


# Packets a move leaves resendable: about the last frame of 1 Mbps video, sent within the RTT.
KEEP_AT_MOVE = 8


class FrameWriter(Protocol):
    """What a track writes its frames with (writer.RtpWriter)."""

    @property
    def congested(self) -> bool: ...

    def write(self, frame: PacketizedFrame) -> None: ...

    def continue_from(self, timestamp: int) -> None: ...

    def forget(self, keep: int = 0) -> None: ...


class EncodedTrack(MediaStreamTrack):
    """One viewer's track of one kind: the fan-out hands it each frame, it decides whether the
    viewer gets it and has its writer send it right away (no queue, no task per viewer).

    aiortc negotiates the track and runs its sender's RTCP, but its RTP loop never gets a frame:
    `recv()` only returns when the track stops. Until the connection is up (`bind`), frames are
    skipped. Video starts at a keyframe, and again after `resume()` or a source loss. A viewer
    that cannot keep up (its transport holds back more than writer.MAX_BACKLOG) never holds up
    the others nor grows memory: its frames are dropped, and video then waits for a keyframe (a
    delta frame without its predecessors would only show corruption).
    """

    def __init__(self, kind: str, codec: str, counters: MediaCounters | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.codec = codec
        self._writer: FrameWriter | None = None
        self._ended: asyncio.Future[None] | None = None
        self._gated = kind == "video"
        self._needs_keyframe = self._gated
        self._paused = False
        self._counters = counters or MediaCounters()
        self.dropped = 0
        self.layer_changes = 0  # keyframes from another layer started this track over

    @property
    def waiting_for_keyframe(self) -> bool:
        """Connected, not paused, and held until a keyframe: the publisher should send one."""
        return self._needs_keyframe and not self._paused and self._writer is not None

    @property
    def paused(self) -> bool:
        return self._paused

    def bind(self, writer: FrameWriter) -> None:
        """The connection is up: write frames with `writer` from now on."""
        self._writer = writer

    def deliver(self, frame: PacketizedFrame) -> bool:
        """Send a frame to this viewer. False means it waits for a keyframe: ask for one."""
        writer = self._writer
        if writer is None or self._paused or self.readyState != "live":
            return True
        if writer.congested:
            self.dropped += 1
            self._counters.packets_dropped += len(frame.payloads)
            if self._gated:
                self._needs_keyframe = True
                return False
            return True
        if self._needs_keyframe:
            if not frame.keyframe:
                self.dropped += 1
                self._counters.packets_dropped += len(frame.payloads)
                return False
            self._needs_keyframe = False
            # Once per keyframe waited for: after a move, or audio only and back, it may come
            # from another layer, whose timestamps must still step forward.
            writer.continue_from(frame.timestamp)
        try:
            writer.write(frame)
        except Exception:
            # Raised in the fan-out's loop, it would cost every other viewer this frame.
            logger.exception("writing RTP failed: this %s track sends nothing more", self.kind)
            self._writer = None
        return True

    def start_over(self, frame: PacketizedFrame) -> bool:
        """The first frame (a keyframe) from another fan-out, i.e. another layer: the viewer's
        timestamps keep moving forward across the change (`deliver`), and the old layer is
        not repaired (the keyframe makes it useless; on a weak link resending it kept the
        keyframe itself from getting through), but for its last packets (`forget_before_move`)."""
        self.wait_for_keyframe()
        self.forget_before_move()
        self.layer_changes += 1
        return self.deliver(frame)

    def forget_sent(self) -> None:
        """NACKs for what was sent so far get nothing."""
        if self._writer is not None:
            self._writer.forget()

    def forget_before_move(self) -> None:
        """As `forget_sent` (per move, never per frame), but for the last `KEEP_AT_MOVE`
        packets, whose NACKs may still be on the way: a receiver that waits for every sequence
        number (aiortc's jitter buffer) stalled ~500 packets on the one lost just before a
        move."""
        if self._writer is not None:
            self._writer.forget(keep=KEEP_AT_MOVE)

    def wait_for_keyframe(self) -> None:
        """Resume at the next keyframe (the source lost a frame or changed)."""
        if self._gated:
            self._needs_keyframe = True

    def pause(self) -> None:
        """Stop sending frames (no RTP at all) without renegotiation. Packets already sent are
        not resent either: on a lossy link, answering the viewer's NACKs kept its audio starved
        for 8-9 s after it chose audio only (docs/weak-links.md)."""
        self._paused = True
        self._needs_keyframe = self._gated
        self.forget_sent()

    def resume(self) -> None:
        self._paused = False

    async def recv(self) -> NoReturn:
        """Where aiortc's RTP loop waits, without a frame, until the track stops."""
        if self.readyState == "live":
            if self._ended is None:
                self._ended = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._ended)
        raise MediaStreamError

    def stop(self) -> None:
        super().stop()
        self._writer = None
        if self._ended is not None and not self._ended.done():
            self._ended.set_result(None)
