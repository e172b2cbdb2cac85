"""A lost video packet costs one keyframe request within a fraction of a second, not 5 s."""

from aiortc.rtp import RtpPacket

from server.rtc.frames import VP8, starts_frame
from server.rtc.reassembly import LOSS_TIMEOUT, VideoFrameAssembler

PACKETS_PER_FRAME = 3


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def packet(seq: int) -> RtpPacket:
    """Packet `seq` of a stream of 3-packet frames, depayloaded as aiortc's receiver does."""
    frame, index = divmod(seq, PACKETS_PER_FRAME)
    payload = bytes([0x10 if index == 0 else 0x00]) + bytes([frame % 256, index])
    rtp = RtpPacket(
        sequence_number=seq & 0xFFFF,
        timestamp=frame * 3000,
        marker=int(index == PACKETS_PER_FRAME - 1),
        payload=payload,
    )
    rtp._data = payload[1:]  # type: ignore[attr-defined]  # set by RTCRtpReceiver in aiortc
    return rtp


class Harness:
    def __init__(self, vp8_starts: bool = False) -> None:
        self.clock = Clock()
        self.losses = 0
        self.lost_at: list[float] = []
        self.assembler = VideoFrameAssembler(
            on_loss=self._lost,
            clock=self.clock,
            starts_frame=(lambda p: starts_frame(VP8, p)) if vp8_starts else (lambda p: False),
        )
        self.frames: list[int] = []

    def _lost(self) -> None:
        self.losses += 1
        self.lost_at.append(self.clock.now)

    def feed(self, seqs: range | list[int], step: float = 0.01) -> None:
        for seq in seqs:
            self.clock.now += step
            pli, frame = self.assembler.add(packet(seq))
            assert not pli, "losses go through on_loss, whose requests are merged"
            if frame is not None:
                self.frames.append(frame.timestamp // 3000)


def test_frames_are_released_at_their_marker_packet_in_order() -> None:
    harness = Harness(vp8_starts=True)
    harness.feed(range(0, 30))
    assert harness.frames == list(range(10))
    assert harness.losses == 0


def test_without_a_frame_start_flag_the_first_boundary_syncs() -> None:
    harness = Harness()
    harness.feed(range(1, 30))  # joined mid-frame
    assert harness.frames == list(range(1, 10))


def test_a_retransmission_in_time_fills_the_hole_without_a_loss() -> None:
    harness = Harness(vp8_starts=True)
    harness.feed([*range(0, 7), *range(8, 15)])
    assert harness.frames == [0, 1]
    harness.feed([7])
    harness.feed(range(15, 18))
    assert harness.frames == [0, 1, 2, 3, 4, 5]
    assert harness.losses == 0


def test_a_packet_never_recovered_is_reported_within_the_loss_timeout() -> None:
    harness = Harness(vp8_starts=True)
    harness.feed(range(0, 7))  # packet 7, the middle of frame 2, is lost for good
    lost_at = harness.clock.now
    harness.feed(range(8, 60), step=1 / 90)  # 30 fps, 3 packets a frame

    assert harness.losses == 1
    assert harness.lost_at[0] - lost_at <= LOSS_TIMEOUT + 0.05
    # The broken frame is dropped; those after it are released, in order.
    assert harness.frames == [0, 1, *range(3, 20)]


def test_sequence_numbers_wrap_around() -> None:
    harness = Harness(vp8_starts=True)
    start = 3 * 21844  # 65532: a frame start, 4 packets before the wrap
    harness.feed(range(start, start + 30))
    assert harness.frames == list(range(21844, 21854))
    assert harness.losses == 0
