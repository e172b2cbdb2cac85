"""A recruiter's page without its encoder: an aiortc publisher sending two layers of pre-encoded
VP8 and audio, as stream.js's publisher does (a 640×360 camera at ~1 Mbps, then its 320×180 copy
at ~200 kbps, docs/weak-links.md). On 2 cores a Chromium encoding both layers competes with the
browsers under test; pre-encoded clips cost almost nothing to send and every run gets the same
bitrate. aiortc ignores PLI for encoded packets, so a keyframe comes every second instead: a
viewer moved to the other layer waits at most that long."""

from __future__ import annotations

import asyncio
import functools
import math
import time
from fractions import Fraction
from typing import Any

import av
from aiortc import MediaStreamTrack, RTCPeerConnection

from bench.streamlib import clip
from bench.streamlib.publisher import ClipTrack
from server.rtc.negotiation import prefer_codec
from tests.clients import Frames
from tests.peers import send_offer

HIGH = ((640, 360), 1_000_000)
LOW = ((320, 180), 200_000)
KEYFRAME_EVERY = clip.FPS  # frames
SECONDS = 4  # the clip loops
# Speech-like Opus: aiortc's own encoder sends 96 kbit/s, a browser ~30, and on a 400 kbit/s link
# the difference decides whether the small layer fits beside it.
OPUS_BITRATE = 32_000
OPUS_FRAME = 960  # samples at 48 kHz: 20 ms


@functools.cache
def layers() -> tuple[clip.Clip, clip.Clip]:
    """The two layers' clips, encoded once per process (~4 s of CPU)."""
    return tuple(  # type: ignore[return-value]
        clip.encode(SECONDS, size=size, bitrate=bitrate, keyframe_interval=KEYFRAME_EVERY)
        for size, bitrate in (HIGH, LOW)
    )


@functools.cache
def _tone() -> list[bytes]:
    """One second of a 440 Hz tone in 20 ms Opus packets (it loops)."""
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.layout, codec.format = 48000, "mono", "s16"
    codec.bit_rate = OPUS_BITRATE
    packets: list[bytes] = []
    for n in range(50):
        frame = av.AudioFrame(format="s16", layout="mono", samples=OPUS_FRAME)
        frame.planes[0].update(b"".join(
            int(6000 * math.sin(2 * math.pi * 440 * (n * OPUS_FRAME + i) / 48000)).to_bytes(
                2, "little", signed=True)
            for i in range(OPUS_FRAME)
        ))  # fmt: skip
        frame.pts, frame.sample_rate = n * OPUS_FRAME, 48000
        packets += [bytes(p) for p in codec.encode(frame)]
    return packets


class ToneTrack(MediaStreamTrack):
    """Pre-encoded Opus, paced to real time."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._packets = _tone()
        self._sent = 0
        self._start: float | None = None

    async def recv(self) -> av.Packet[Any]:
        now = time.monotonic()
        if self._start is None:
            self._start = now
        wait = self._start + self._sent * 0.02 - now
        if wait > 0:
            await asyncio.sleep(wait)
        packet = av.Packet(self._packets[self._sent % len(self._packets)])
        packet.pts, packet.time_base = self._sent * OPUS_FRAME, Fraction(1, 48000)
        self._sent += 1
        return packet


class LayeredPublisher:
    """`stream.publish` (or `interview.publish` with `interview_id=`) with both layers, high
    first, then audio: the order the server takes the offer's sections in."""

    def __init__(
        self, ws: Frames, message: str = "stream.publish", *, small_only: bool = False, **ids: str
    ) -> None:
        """`small_only`: one layer, the small one (a "low bandwidth booth")."""
        self.ws, self.message, self.ids = ws, message, ids
        self.clips = layers()[1:] if small_only else layers()
        self.pc = RTCPeerConnection()

    async def go_live(self) -> dict[str, Any]:
        for layer in self.clips:
            prefer_codec(self.pc.addTransceiver(ClipTrack(layer.frames), "sendonly"), "video/vp8")
        self.pc.addTrack(ToneTrack())
        return await send_offer(self.pc, self.ws, self.message, self.ids)

    async def close(self) -> None:
        await self.pc.close()
