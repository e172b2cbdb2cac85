"""A viewer whose network stops taking packets neither holds up the others nor grows the server's
memory: its frames are dropped past writer.MAX_BACKLOG, and video resumes at a keyframe."""

from types import SimpleNamespace

from aiortc.codecs.vpx import vp8_depayload
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpSendParameters
from aiortc.rtp import RtpPacket
from pyee.asyncio import AsyncIOEventEmitter

from server.rtc.aiortc_internals import SenderLink
from server.rtc.counters import MediaCounters
from server.rtc.encoded import EncodedTrack
from server.rtc.fanout import Fanout
from server.rtc.frames import OPUS, VP8, EncodedFrame, is_keyframe
from server.rtc.writer import MAX_BACKLOG, RtpWriter

KEYFRAME_EVERY = 60
FRAME_BYTES = 3000


class Network:
    """Stands in for a viewer's datagram transport: while `stuck`, its socket takes nothing and
    what the server sends waits in the transport's buffer, as in asyncio's."""

    def __init__(self) -> None:
        self.stuck = False
        self.sent: list[RtpPacket] = []
        self.held: list[bytes] = []

    def sendto(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.stuck or self.held:
            self.held.append(data)
        else:
            self.sent.append(RtpPacket.parse(data))

    def get_write_buffer_size(self) -> int:
        return sum(map(len, self.held))

    def drain(self) -> None:
        self.sent += [RtpPacket.parse(data) for data in self.held]
        self.held.clear()


class Connected(AsyncIOEventEmitter):
    state = "connected"


def viewer_track(
    kind: str, codec: str, network: Network, counters: MediaCounters | None = None
) -> EncodedTrack:
    """A track whose writer sends to `network` (SRTP left out: it is not what is tested here)."""
    mime, clock_rate = ("video/VP8", 90_000) if kind == "video" else ("audio/opus", 48_000)
    link = SenderLink(
        sender=SimpleNamespace(),  # type: ignore[arg-type]  # only its attributes are set
        parameters=RTCRtpSendParameters(
            codecs=[RTCRtpCodecParameters(mimeType=mime, clockRate=clock_rate, payloadType=96)]
        ),
        ssrc=1234,
        rtx_ssrc=5678,
        protect=lambda packet: packet,
        sendto=network.sendto,
        remote_addr=("127.0.0.1", 9),
        backlog=network.get_write_buffer_size,
        socket=None,
        dtls=Connected(),  # type: ignore[arg-type]  # only its state and events are used
    )
    track = EncodedTrack(kind, codec, counters)
    track.bind(RtpWriter(link, counters))
    return track


def vp8_frame(number: int) -> EncodedFrame:
    keyframe = number % KEYFRAME_EVERY == 0
    # Byte 0 bit 0 is VP8's "not a keyframe" flag; the rest carries the frame number.
    data = bytes([0x00 if keyframe else 0x01]) + number.to_bytes(4, "big") + bytes(FRAME_BYTES)
    return EncodedFrame(data, number * 3000, 90_000, VP8, keyframe)


def frames_of(network: Network) -> list[tuple[int, bool]]:
    """(frame number, keyframe) of each frame start the network carried, in order."""
    starts = [vp8_depayload(p.payload) for p in network.sent if p.payload[0] & 0x10]
    return [(int.from_bytes(data[1:5], "big"), is_keyframe(VP8, data)) for data in starts]


def test_a_stuck_viewer_does_not_delay_others_and_its_backlog_stays_bounded() -> None:
    requests: list[None] = []
    fanout = Fanout(request_keyframe=lambda: requests.append(None))
    stuck_network, networks = Network(), [Network() for _ in range(3)]
    stuck = viewer_track("video", VP8, stuck_network)
    for track in [stuck, *(viewer_track("video", VP8, n) for n in networks)]:
        fanout.attach(track)

    stuck_network.stuck = True
    largest = 0
    for number in range(10 * KEYFRAME_EVERY):
        fanout.publish(vp8_frame(number), number * 3000)
        largest = max(largest, stuck_network.get_write_buffer_size())
        assert all(frames_of(n)[-1][0] == number for n in networks), "no one waits for it"

    assert all(frames_of(n) == [(i, i % 60 == 0) for i in range(600)] for n in networks)
    assert largest <= MAX_BACKLOG + 2 * FRAME_BYTES
    assert stuck.dropped > 0
    assert requests, "falling behind asks the publisher for a keyframe"

    # When its network takes packets again, it resumes at a keyframe, never at a delta frame
    # missing its past.
    stuck_network.stuck = False
    stuck_network.drain()
    before = len(frames_of(stuck_network))
    for number in range(10 * KEYFRAME_EVERY + 1, 11 * KEYFRAME_EVERY + 5):
        fanout.publish(vp8_frame(number), number * 3000)
    resumed = frames_of(stuck_network)[before:]
    assert resumed[0] == (11 * KEYFRAME_EVERY, True)
    assert [n for n, _ in resumed] == list(range(11 * KEYFRAME_EVERY, 11 * KEYFRAME_EVERY + 5))
    fanout.close()


def test_a_stuck_audio_viewer_loses_frames_only_while_its_backlog_is_full() -> None:
    fanout = Fanout(request_keyframe=lambda: None)
    network = Network()
    track = viewer_track("audio", OPUS, network)
    fanout.attach(track)
    network.stuck = True
    frames = MAX_BACKLOG // 100 + 50
    for number in range(frames):
        frame = EncodedFrame(
            number.to_bytes(4, "big") + bytes(96), number * 960, 48_000, OPUS, True
        )
        fanout.publish(frame, frame.timestamp)
    assert network.get_write_buffer_size() <= MAX_BACKLOG + 200
    assert track.dropped > 0

    network.stuck = False
    network.drain()
    frame = EncodedFrame(frames.to_bytes(4, "big"), frames * 960, 48_000, OPUS, True)
    fanout.publish(frame, frame.timestamp)
    assert int.from_bytes(network.sent[-1].payload, "big") == frames
    fanout.close()
