"""Complete, still-encoded frames as they leave the publisher's receiver, and keyframe detection."""

from dataclasses import dataclass

VP8 = "video/vp8"
H264 = "video/h264"
OPUS = "audio/opus"

_H264_IDR = 5


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """One frame, depayloaded but not decoded.

    `timestamp` counts `clock_rate` ticks from the publisher's first frame; `codec` is the
    lower-case MIME type, so a viewer that negotiated another codec can be skipped.
    """

    data: bytes
    timestamp: int
    clock_rate: int
    codec: str
    keyframe: bool


def is_keyframe(codec: str, data: bytes) -> bool:
    """Whether a decoder can start at this frame; every Opus frame stands alone."""
    if codec == VP8:
        # RFC 6386 9.1: bit 0 of the frame tag is 0 for a key frame.
        return bool(data) and not data[0] & 0x01
    if codec == H264:
        return _has_h264_idr(data)
    return True


def starts_frame(codec: str, payload: bytes) -> bool:
    """Whether an RTP payload (not yet depayloaded) certainly begins a frame.

    Only VP8 says so in every packet (RFC 7741 4.2: S bit set, partition index 0); for other codecs
    a frame start is found from packet boundaries instead.
    """
    return codec == VP8 and bool(payload) and payload[0] & 0x1F == 0x10


def _has_h264_idr(data: bytes) -> bool:
    """Whether an Annex-B access unit (as aiortc depayloads it) holds an IDR slice."""
    start = data.find(b"\x00\x00\x01")
    while start != -1:
        header = start + 3
        if header < len(data) and data[header] & 0x1F == _H264_IDR:
            return True
        start = data.find(b"\x00\x00\x01", header)
    return False
