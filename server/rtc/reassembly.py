"""Video frame reassembly that notices a lost frame quickly.

aiortc's video jitter buffer waits until 512 packets (~5 s) pile up behind one packet that never
arrives before it gives up and asks for a keyframe, freezing every viewer. This stand-in (same add()
contract, installed through aiortc_internals.replace_jitter_buffer) waits `loss_timeout` for NACK
retransmissions, then drops the broken frame, reports the loss (so viewers are held until a
keyframe, which is requested upstream) and resynchronises at the next frame boundary. It also
releases a frame as soon as its last packet (RTP marker bit) arrives, one frame earlier than
aiortc's buffer.
"""

import time
from collections.abc import Callable

from aiortc.jitterbuffer import JitterFrame
from aiortc.rtp import RtpPacket

from server.rtc.aiortc_internals import depayloaded

LOSS_TIMEOUT = 0.2  # seconds a hole may wait for a retransmission (about 3 loopback-to-WAN RTTs)
MAX_PACKETS = 512  # buffered packets before a hole counts as a loss whatever the time


class VideoFrameAssembler:
    """Turns depayloaded RTP packets of one video stream into complete frames, in order.

    `_floor` is the extended sequence number of the first packet not yet released or discarded;
    when `_synced`, it is also the first packet of a frame. After a loss (or at start) it is not,
    until two adjacent packets show a frame boundary (a marker bit, or a timestamp change), or a
    packet says it starts a frame (`starts_frame`, given the raw RTP payload).
    """

    def __init__(
        self,
        on_loss: Callable[[], None],
        *,
        starts_frame: Callable[[bytes], bool] = lambda payload: False,
        loss_timeout: float = LOSS_TIMEOUT,
        max_packets: int = MAX_PACKETS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._on_loss = on_loss
        self._starts_frame = starts_frame
        self._loss_timeout = loss_timeout
        self._max_packets = max_packets
        self._clock = clock
        self._packets: dict[int, RtpPacket] = {}
        self._highest: int | None = None
        self._floor: int | None = None
        self._synced = False
        self._hole_since: float | None = None
        self.media_ssrc: int | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        """Store a packet; return a frame it completed, if any.

        The PLI flag is always False: losses go to `on_loss`, whose keyframe requests are merged.
        """
        seq = self._extend(packet.sequence_number)
        if self._floor is None:
            self._floor = seq
        if seq < self._floor or seq in self._packets:
            return False, None
        self._packets[seq] = packet
        self.media_ssrc = packet.ssrc

        if not self._synced:
            self._sync_near(seq)
        frame, blocked = self._take_frame()
        if frame is not None or not blocked:
            self._hole_since = None
            return False, frame

        now = self._clock()
        if self._hole_since is None:
            self._hole_since = now
        if now - self._hole_since >= self._loss_timeout or len(self._packets) > self._max_packets:
            self._give_up()
            frame, _ = self._take_frame()
            return False, frame
        return False, None

    @property
    def highest(self) -> int | None:
        """The highest (unwrapped) sequence number received: it moves while packets arrive."""
        return self._highest

    def _extend(self, seq: int) -> int:
        """Unwrap a 16-bit sequence number to the one nearest the highest seen."""
        if self._highest is None:
            self._highest = seq
            return seq
        delta = (seq - self._highest) & 0xFFFF
        if delta >= 0x8000:
            delta -= 0x10000
        extended = self._highest + delta
        self._highest = max(self._highest, extended)
        return extended

    def _take_frame(self) -> tuple[JitterFrame | None, bool]:
        """Release the frame at the floor if complete; else say whether a hole blocks it."""
        assert self._floor is not None and self._highest is not None
        if not self._synced:
            return None, False
        first = self._packets.get(self._floor)
        if first is None:
            return None, self._floor < self._highest
        seq = self._floor
        parts: list[RtpPacket] = []
        while True:
            packet = self._packets.get(seq)
            if packet is None:
                return None, seq < self._highest
            if packet.timestamp != first.timestamp:
                break  # the marker bit was lost, but the next frame has begun
            parts.append(packet)
            seq += 1
            if packet.marker:
                break
        for done in range(self._floor, seq):
            del self._packets[done]
        self._floor = seq
        data = b"".join(depayloaded(p) for p in parts)
        return JitterFrame(data=data, timestamp=first.timestamp), False

    def _give_up(self) -> None:
        """Drop the frame stuck behind a hole and resynchronise after it."""
        assert self._floor is not None
        hole = self._floor
        while hole in self._packets:
            hole += 1
        self._discard_below(hole + 1)
        self._synced = False
        self._hole_since = None
        for seq in sorted(self._packets):
            if self._sync_near(seq):
                break
        self._on_loss()

    def _sync_near(self, seq: int) -> bool:
        """Start at a frame boundary at or next to `seq`, if the packets show one."""
        for start in (seq, seq + 1):
            before = self._packets.get(start - 1)
            after = self._packets.get(start)
            if after is None:
                continue
            if self._starts_frame(after.payload) or (
                before is not None and (before.marker or before.timestamp != after.timestamp)
            ):
                self._discard_below(start)
                self._synced = True
                return True
        if len(self._packets) > self._max_packets:
            self._discard_below(seq)
        return False

    def _discard_below(self, seq: int) -> None:
        for old in [s for s in self._packets if s < seq]:
            del self._packets[old]
        self._floor = max(seq, self._floor if self._floor is not None else seq)
