"""The one module that reaches into aiortc's private internals.

aiortc has no encoded-frame API (aiortc issues #55, #449): its receiver always decodes, and its
sender only turns a viewer's keyframe request into a flag for an encoder that passthrough never
runs. Forwarding still-encoded frames needs the few hooks below. Each names the private attribute it
relies on; the version is pinned so that an upgrade fails at import, and
tests/rtc/test_aiortc_internals.py names the attribute that moved, instead of the server silently
decoding again.
"""

import logging
import queue
from collections.abc import Callable
from typing import Protocol

import aiortc
from aiortc import RTCRtpReceiver, RTCRtpSender
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RtpPacket

logger = logging.getLogger(__name__)

SUPPORTED_AIORTC_VERSION = "1.16.0"

if aiortc.__version__ != SUPPORTED_AIORTC_VERSION:
    raise ImportError(
        f"server.rtc needs aiortc=={SUPPORTED_AIORTC_VERSION} (found {aiortc.__version__}): "
        "server/rtc/aiortc_internals.py relies on its private attributes; check them against the "
        "new version, then update SUPPORTED_AIORTC_VERSION and the pin in pyproject.toml"
    )

# RTCRtpReceiver: the queue.Queue its decoder thread reads (codec, JitterFrame) tuples from; the
# receiver put()s each complete frame there and put()s None on stop, then joins the thread.
_RECEIVER_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
# RTCRtpReceiver: the object whose add(packet) -> (pli_flag, frame | None) reassembles frames.
_RECEIVER_JITTER_BUFFER = "_RTCRtpReceiver__jitter_buffer"
# RTCRtpReceiver: True once receive() has started the decoder thread (too late to divert).
_RECEIVER_STARTED = "_RTCRtpReceiver__started"
# RTCRtpReceiver: coroutine method sending an RTCP PLI for a media SSRC.
_RECEIVER_SEND_PLI = "_send_rtcp_pli"
# RTCRtpSender: method its RTCP handler calls on a PLI or FIR from the remote peer.
_SENDER_KEYFRAME_HOOK = "_send_keyframe"
# RtpPacket: depayloaded codec data, set by the receiver before the jitter buffer sees the packet.
_PACKET_DATA = "_data"

RECEIVER_ATTRIBUTES = (
    _RECEIVER_DECODER_QUEUE,
    _RECEIVER_JITTER_BUFFER,
    _RECEIVER_STARTED,
    _RECEIVER_SEND_PLI,
)
SENDER_ATTRIBUTES = (_SENDER_KEYFRAME_HOOK,)

FrameSink = Callable[[RTCRtpCodecParameters, JitterFrame], None]


class IncompatibleAiortc(RuntimeError):
    """aiortc no longer has a private attribute that passthrough relies on."""


class PacketReassembler(Protocol):
    """What the receiver calls on its jitter buffer, for each depayloaded RTP packet."""

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]: ...


def _require(obj: object, name: str) -> None:
    if not hasattr(obj, name):
        raise IncompatibleAiortc(f"{type(obj).__name__} has no attribute {name!r}")


def missing_attributes(receiver: RTCRtpReceiver, sender: RTCRtpSender) -> list[str]:
    """Names of the private attributes this module needs that the given objects lack."""
    missing = [f"RTCRtpReceiver.{n}" for n in RECEIVER_ATTRIBUTES if not hasattr(receiver, n)]
    missing += [f"RTCRtpSender.{n}" for n in SENDER_ATTRIBUTES if not hasattr(sender, n)]
    return missing


class _DivertedDecoderQueue:
    """Stands in for the receiver's decoder queue so frames stay encoded.

    The receiver put()s frames from the event loop: they go straight to the sink. The decoder thread
    still starts and blocks in get() without work; the None that the receiver put()s on stop reaches
    it, so the thread exits and the receiver's join() returns.
    """

    def __init__(self, sink: FrameSink) -> None:
        self._sink = sink
        self._stop: queue.SimpleQueue[None] = queue.SimpleQueue()

    def put(self, item: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None:
        if item is None:
            self._stop.put(None)
            return
        try:
            self._sink(*item)
        except Exception:
            # Raised inside aiortc's packet handler, it would end the whole connection.
            logger.exception("forwarding an encoded frame failed")

    def get(self) -> None:
        self._stop.get()


def divert_encoded_frames(receiver: RTCRtpReceiver, sink: FrameSink) -> None:
    """Hand every complete, still-encoded frame to `sink` (on the event loop) instead of decoding.

    Must run before the connection starts the receiver (e.g. right after addTransceiver), because
    the decoder thread captures the queue when it starts.
    """
    _require(receiver, _RECEIVER_DECODER_QUEUE)
    _require(receiver, _RECEIVER_STARTED)
    if getattr(receiver, _RECEIVER_STARTED):
        raise RuntimeError("receiver already started: its decoder thread holds the old queue")
    setattr(receiver, _RECEIVER_DECODER_QUEUE, _DivertedDecoderQueue(sink))


def replace_jitter_buffer(receiver: RTCRtpReceiver, reassembler: PacketReassembler) -> None:
    """Let `reassembler` turn the receiver's RTP packets into frames (for faster loss handling)."""
    _require(receiver, _RECEIVER_JITTER_BUFFER)
    setattr(receiver, _RECEIVER_JITTER_BUFFER, reassembler)


def depayloaded(packet: RtpPacket) -> bytes:
    """The codec payload of a packet the receiver has already depayloaded."""
    data: bytes = getattr(packet, _PACKET_DATA)
    return data


async def send_pli(receiver: RTCRtpReceiver, media_ssrc: int) -> None:
    """Ask the remote sender of `media_ssrc` for a keyframe (RTCP PLI, RFC 4585 6.3.1)."""
    await receiver._send_rtcp_pli(media_ssrc)


def intercept_keyframe_requests(
    sender: RTCRtpSender, callback: Callable[[], None], *, keep_default: bool = False
) -> None:
    """Call `callback` when the remote peer sends a PLI or FIR for this sender.

    In passthrough the default only sets a flag for an encoder that never runs, so it is replaced;
    `keep_default` keeps it (for a sender that does encode, e.g. a test publisher counting PLIs).
    """
    _require(sender, _SENDER_KEYFRAME_HOOK)
    default: Callable[[], None] = getattr(sender, _SENDER_KEYFRAME_HOOK)

    def hook() -> None:
        callback()
        if keep_default:
            default()

    setattr(sender, _SENDER_KEYFRAME_HOOK, hook)
