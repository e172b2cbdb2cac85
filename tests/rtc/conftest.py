"""Real aiortc peers on loopback: a synthetic publisher and viewers that decode what they get."""

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from fractions import Fraction
from functools import partial
from typing import Protocol

import av
import pytest
from aiortc import (
    AudioStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCSessionDescription,
)
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from server.rtc import aiortc_internals
from server.rtc.events import StreamEvent
from server.rtc.frames import H264, VP8, is_keyframe
from server.rtc.hub import StreamHub
from server.rtc.negotiation import prefer_codec
from tests.media import HEIGHT, LAYER_SIZES, WIDTH, NumberedVideo

TONE_HZ = 440


class Tone(AudioStreamTrack):
    """A 440 Hz sine, 20 ms mono frames at 48 kHz."""

    def __init__(self) -> None:
        super().__init__()
        self._sample = 0

    async def recv(self) -> av.AudioFrame:
        await super().recv()  # paces one call per 20 ms
        samples = 960
        data = b"".join(
            int(8000 * math.sin(2 * math.pi * TONE_HZ * (self._sample + i) / 48000)).to_bytes(
                2, "little", signed=True
            )
            for i in range(samples)
        )
        frame = av.AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(data)
        frame.pts, frame.sample_rate, frame.time_base = self._sample, 48000, Fraction(1, 48000)
        self._sample += samples
        return frame


async def wait_until(
    predicate: Callable[[], bool], timeout: float = 10.0, message: str = "condition"
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        await asyncio.sleep(0.02)


class SyntheticPublisher:
    """A browser stand-in sending VP8 video and Opus audio; counts the PLIs it receives.

    `layered`: two video tracks, high then low (`LAYER_SIZES`), as the recruiter's page sends
    them; `layer_plis` counts the PLIs each received.
    """

    def __init__(self, video_codec: str = VP8, layered: bool = False) -> None:
        # max-bundle: with aiortc's default policy its second video track would never connect
        configuration = RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        self.pc = RTCPeerConnection(configuration)
        sizes = LAYER_SIZES if layered else ((WIDTH, HEIGHT),)
        self.videos = [NumberedVideo(width, height) for width, height in sizes]
        self.video = self.videos[0]
        self.layer_plis = [0] * len(sizes)
        self.pc.addTrack(Tone())
        for layer, video in enumerate(self.videos):
            sender = self.pc.addTrack(video)
            transceiver = next(t for t in self.pc.getTransceivers() if t.sender is sender)
            prefer_codec(transceiver, video_codec)
            aiortc_internals.intercept_keyframe_requests(
                sender, partial(self._pli_received, layer), keep_default=True
            )

    @property
    def plis(self) -> int:
        return sum(self.layer_plis)

    def _pli_received(self, layer: int) -> None:
        self.layer_plis[layer] += 1

    async def publish(self, hub: StreamHub, stream_id: str) -> None:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        answer = await hub.publish(stream_id, self.pc.localDescription.sdp)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    async def close(self) -> None:
        await self.pc.close()


class TestViewer:
    """A viewer with recvonly audio and video that decodes everything it receives.

    Video frames are taken still encoded from its receiver (so the test sees the keyframe bit of
    the very first frame) and decoded here; audio is decoded by aiortc.
    """

    __test__ = False

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pc.addTransceiver("audio", direction="recvonly")
        video = self.pc.addTransceiver("video", direction="recvonly")
        self.video_receiver: RTCRtpReceiver = video.receiver
        aiortc_internals.divert_encoded_frames(video.receiver, self._on_video)
        self._decoders = {
            VP8: av.CodecContext.create("libvpx", "r"),
            H264: av.CodecContext.create("h264", "r"),
        }
        self.codecs: set[str] = set()
        self.keyframes: list[bool] = []
        self.received_at: list[float] = []  # monotonic time each (still encoded) frame came out
        self.timestamps: list[int] = []  # RTP clock (90 kHz), from the first frame on
        self.video_frames: list[tuple[int, int]] = []
        self.frame_log: list[tuple[bool, list[tuple[int, int]]]] = []  # keyframe, sizes decoded
        self.decoded_at: list[float] = []  # monotonic time of each decoded frame
        self.decode_errors = 0
        self.audio_frames = 0
        self.audio_peak = 0
        self._tasks: list[asyncio.Task[None]] = []
        self.pc.on("track", self._on_track)

    def _on_video(self, codec: RTCRtpCodecParameters, frame: JitterFrame) -> None:
        mime = codec.mimeType.lower()
        self.codecs.add(mime)
        self.keyframes.append(is_keyframe(mime, frame.data))
        self.received_at.append(time.monotonic())
        self.timestamps.append(frame.timestamp)
        try:
            decoded = self._decoders[mime].decode(av.Packet(frame.data))
        except av.FFmpegError:
            self.decode_errors += 1
            return
        sizes = [(f.width, f.height) for f in decoded]
        self.frame_log.append((self.keyframes[-1], sizes))
        self.video_frames += sizes
        self.decoded_at += [time.monotonic()] * len(decoded)

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self._tasks.append(asyncio.ensure_future(self._read_audio(track)))

    async def _read_audio(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                assert isinstance(frame, av.AudioFrame)
                self.audio_frames += 1
                samples = memoryview(bytes(frame.planes[0])).cast("h")
                self.audio_peak = max(self.audio_peak, max(abs(s) for s in samples))
        except MediaStreamError:
            pass

    async def view(
        self, hub: StreamHub, stream_id: str, viewer_id: str, audio_only: bool = False
    ) -> None:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        answer = await hub.view(stream_id, viewer_id, self.pc.localDescription.sdp, audio_only)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    async def video_packets_received(self) -> int:
        stats = await self.video_receiver.getStats()
        return sum(s.packetsReceived for s in stats.values() if s.type == "inbound-rtp")

    async def media_packets_received(self) -> int:
        """RTP packets of both kinds received so far (retransmissions included)."""
        stats = await self.pc.getStats()
        return sum(s.packetsReceived for s in stats.values() if s.type == "inbound-rtp")

    async def send_pli(self) -> None:
        for source in self.video_receiver.getSynchronizationSources():
            await aiortc_internals.send_pli(self.video_receiver, source.source)

    async def wait_for_video(self, count: int, timeout: float = 10.0) -> None:
        await wait_until(lambda: len(self.video_frames) >= count, timeout, f"{count} video frames")

    async def wait_for_audio(self, count: int, timeout: float = 10.0) -> None:
        await wait_until(lambda: self.audio_frames >= count, timeout, f"{count} audio frames")

    async def close(self) -> None:
        await self.pc.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class Events:
    def __init__(self) -> None:
        self.seen: list[StreamEvent] = []

    def __call__(self, event: StreamEvent) -> None:
        self.seen.append(event)


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
async def hub(events: Events) -> AsyncIterator[StreamHub]:
    hub = StreamHub(on_event=events)
    yield hub
    await hub.close()


class Closable(Protocol):
    async def close(self) -> None: ...


Peers = Callable[[Closable], None]


@pytest.fixture
async def peers() -> AsyncIterator[Peers]:
    """Closes every test-side peer registered with it, even when the test fails."""
    registered: list[Closable] = []
    yield registered.append
    await asyncio.gather(*(peer.close() for peer in registered), return_exceptions=True)
