"""A recruiter's page without its encoder: an aiortc publisher sending two layers of pre-encoded
VP8 and audio, as stream.js's publisher does (a 640×360 camera at ~1 Mbps, then its 320×180 copy
at ~200 kbps, docs/weak-links.md). On 2 cores a Chromium encoding both layers competes with the
browsers under test; pre-encoded clips cost almost nothing to send and every run gets the same
bitrate. aiortc ignores PLI for encoded packets, so a keyframe comes every second instead: a
viewer moved to the other layer waits at most that long."""

from __future__ import annotations

import functools
from typing import Any

from aiortc import AudioStreamTrack, RTCPeerConnection, RTCSessionDescription

from bench.streamlib import clip
from bench.streamlib.publisher import ClipTrack
from server.rtc.negotiation import prefer_codec
from tests.clients import Frames

HIGH = ((640, 360), 1_000_000)
LOW = ((320, 180), 200_000)
KEYFRAME_EVERY = clip.FPS  # frames
SECONDS = 4  # the clip loops


@functools.cache
def layers() -> tuple[clip.Clip, clip.Clip]:
    """The two layers' clips, encoded once per process (~4 s of CPU)."""
    return tuple(  # type: ignore[return-value]
        clip.encode(SECONDS, size=size, bitrate=bitrate, keyframe_interval=KEYFRAME_EVERY)
        for size, bitrate in (HIGH, LOW)
    )


class LayeredPublisher:
    """`stream.publish` (or `interview.publish` with `interview_id=`) with both layers, high
    first, then audio: the order the server takes the offer's sections in."""

    def __init__(self, ws: Frames, message: str = "stream.publish", **ids: str) -> None:
        self.ws, self.message, self.ids = ws, message, ids
        self.pc = RTCPeerConnection()

    async def go_live(self) -> dict[str, Any]:
        for layer in layers():
            prefer_codec(self.pc.addTransceiver(ClipTrack(layer.frames), "sendonly"), "video/vp8")
        self.pc.addTrack(AudioStreamTrack())
        await self.pc.setLocalDescription(await self.pc.createOffer())
        reply = await self.ws.request(
            self.message, {**self.ids, "sdp": self.pc.localDescription.sdp}
        )
        if reply["type"] == "ack":
            answer = RTCSessionDescription(sdp=reply["data"]["sdp"], type="answer")
            await self.pc.setRemoteDescription(answer)
        return reply

    async def close(self) -> None:
        await self.pc.close()
