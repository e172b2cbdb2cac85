"""Turning a frame into RTP payloads once per stream, for every viewer to share.

Only the RTP header differs between viewers (SSRC, sequence number, timestamp origin, payload type,
header extensions); the payloads, VP8 picture ids included, are the same for all of them, so a frame
is packetized once, not once per viewer as aiortc's senders would.
"""

from dataclasses import dataclass
from fractions import Fraction

import av
from aiortc.codecs import get_encoder
from aiortc.codecs.base import Encoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from server.rtc.frames import EncodedFrame


@dataclass(frozen=True, slots=True)
class PacketizedFrame:
    """One frame's RTP payloads; `timestamp` is on the stream's timeline (its clock-rate ticks)."""

    payloads: list[bytes]
    timestamp: int
    keyframe: bool
    octets: int  # payload bytes, as RTCP sender reports count them


class Packetizer:
    """Packetizes one codec's frames with aiortc's own payload formats (RFC 7741 VP8, RFC 6184
    H.264 packetization mode 1); an audio frame (Opus) is a single payload.

    One per stream and codec, outliving publishers, so VP8 picture ids stay continuous for viewers.
    """

    def __init__(self, codec: str, clock_rate: int) -> None:
        self._time_base = Fraction(1, clock_rate)
        self._encoder: Encoder | None = None
        if codec.startswith("video/"):
            parameters = RTCRtpCodecParameters(mimeType=codec, clockRate=clock_rate, payloadType=0)
            self._encoder = get_encoder(parameters)

    def packetize(self, frame: EncodedFrame, timestamp: int) -> PacketizedFrame:
        if self._encoder is None:
            payloads = [frame.data]
        else:
            packet = av.Packet(frame.data)
            packet.pts = timestamp
            packet.time_base = self._time_base
            payloads, _ = self._encoder.pack(packet)
        return PacketizedFrame(payloads, timestamp, frame.keyframe, sum(map(len, payloads)))
