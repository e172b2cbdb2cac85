"""aiortc peers that talk to jobfair as a browser would: over the fair websocket's signalling."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import av
from aiortc import (
    AudioStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from server.rtc.negotiation import prefer_codec
from tests.clients import Frames
from tests.media import LAYER_SIZES, LossyLink, NumberedVideo


async def send_offer(
    pc: RTCPeerConnection, ws: Frames, message: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Send `pc`'s offer as `message` (with `data`); on an ack, take the answer it carries."""
    await pc.setLocalDescription(await pc.createOffer())
    reply = await ws.request(message, {**data, "sdp": pc.localDescription.sdp})
    if reply["type"] == "ack":
        await pc.setRemoteDescription(
            RTCSessionDescription(sdp=reply["data"]["sdp"], type="answer")
        )
    return reply


class Publisher:
    """A browser sending its synthetic camera (aiortc's test pattern) and microphone: a
    recruiter going live (`stream.publish`), or either side of an interview.

    `layered`: two video tracks instead, high then low (`LAYER_SIZES`), the two layers the server
    chooses from for each viewer (docs/rtc.md, "Layers per viewer").
    """

    def __init__(
        self,
        ws: Frames,
        booth_id: str,
        message: str = "stream.publish",
        video_codec: str | None = None,
        layered: bool = False,
        **ids: str,
    ) -> None:
        self.ws, self.message, self.video_codec = ws, message, video_codec
        self.ids = {"booth_id": booth_id} if booth_id else ids
        self.layered = layered
        # max-bundle: with aiortc's default policy a second video track would never connect
        bundle = RTCBundlePolicy.MAX_BUNDLE if layered else RTCBundlePolicy.BALANCED
        self.pc = RTCPeerConnection(RTCConfiguration(bundlePolicy=bundle))

    async def go_live(self) -> dict[str, object]:
        cameras: list[VideoStreamTrack] = (
            [NumberedVideo(*size, textured=True) for size in LAYER_SIZES]
            if self.layered
            else [VideoStreamTrack()]
        )
        for camera in cameras:
            sender = self.pc.addTrack(camera)
            if self.video_codec is not None:  # a browser that offers only this codec
                video = next(t for t in self.pc.getTransceivers() if t.sender is sender)
                prefer_codec(video, self.video_codec)
        self.pc.addTrack(AudioStreamTrack())
        return await send_offer(self.pc, self.ws, self.message, self.ids)

    async def close(self) -> None:
        await self.pc.close()


class Viewer:
    """A browser receiving audio and video (a booth's stream, or the other side of an interview)
    and counting decoded frames; `drop` puts a lossy link in front of it."""

    def __init__(self, ws: Frames, booth_id: str, message: str = "stream.view", **ids: str) -> None:
        self.ws, self.message = ws, message
        self.ids = {"booth_id": booth_id} if booth_id else ids
        self.pc = RTCPeerConnection()
        self.video_frames = 0
        self.video_at: list[float] = []  # monotonic time of each decoded video frame
        self.video_sizes: list[tuple[int, int]] = []  # width, height of each
        self.link: LossyLink | None = None
        self.audio_frames = 0
        self._readers: list[asyncio.Task[None]] = []
        self.pc.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        self._readers.append(asyncio.ensure_future(self._read(track)))

    async def _read(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if isinstance(frame, av.VideoFrame):
                    self.video_frames += 1
                    self.video_at.append(time.monotonic())
                    self.video_sizes.append((frame.width, frame.height))
                else:
                    self.audio_frames += 1

    async def watch(self, audio_only: bool = False) -> dict[str, object]:
        self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("audio", direction="recvonly")
        return await send_offer(
            self.pc, self.ws, self.message, {**self.ids, "audio_only": audio_only}
        )

    def drop(self, loss: float) -> LossyLink:
        """Lose this share (0..1) of the RTP reaching this browser from now on; 0: none. After
        `watch`."""
        if self.link is None:
            self.link = LossyLink(self.pc)
        self.link.loss = loss
        return self.link

    async def packets_received(self) -> int:
        """RTP packets of both kinds received so far."""
        stats = await self.pc.getStats()
        return sum(s.packetsReceived for s in stats.values() if s.type == "inbound-rtp")

    async def frames(self, video: int, seconds: float = 15.0) -> None:
        """Wait until `video` more decoded video frames have arrived."""
        target = self.video_frames + video
        deadline = asyncio.get_running_loop().time() + seconds
        while self.video_frames < target:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"got {self.video_frames} video frames, wanted {target}")
            await asyncio.sleep(0.05)

    async def frames_of(self, size: tuple[int, int], seconds: float = 15.0) -> None:
        """Wait until the latest decoded video frame is `size` (width, height): the layer it
        gets."""
        deadline = asyncio.get_running_loop().time() + seconds
        while not self.video_sizes or self.video_sizes[-1] != size:
            if asyncio.get_running_loop().time() > deadline:
                latest = self.video_sizes[-1:] or None
                raise AssertionError(f"the latest video frame is {latest}, wanted {size}")
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await self.pc.close()
        for reader in self._readers:
            reader.cancel()
