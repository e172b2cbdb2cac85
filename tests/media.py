"""Synthetic media and a lossy link, shared by the hub's tests (tests/rtc) and the peers that talk
to real nodes (tests/peers.py)."""

import os
import random

import av
from aiortc import RTCPeerConnection, VideoStreamTrack

WIDTH, HEIGHT = 160, 120
LAYER_SIZES = ((320, 240), (160, 120))  # a layered publisher's high and low video tracks


class NumberedVideo(VideoStreamTrack):
    """30 fps frames whose brightness steps with the frame number, so every frame differs.

    `textured`: a quarter of the rows is noise, so each frame takes a few RTP packets, as a
    camera's do (~4 at 320×240, ~2 at 160×120), where a flat frame takes one. aiortc's jitter
    buffer hands its decoder one frame per packet received: with one-packet frames, the wait
    for each lost packet's retransmission stays in the viewer's delay for good, and on a lossy
    link those waits pile up to seconds; with several, it catches up. (Under heavy loss
    several packets a frame make aiortc's buffer drop frames instead, and its decoder report
    errors: tests of decoder errors keep flat frames.)
    """

    def __init__(self, width: int = WIDTH, height: int = HEIGHT, textured: bool = False) -> None:
        super().__init__()
        self.width, self.height = width, height
        self.noise_rows = height // 4 if textured else 0
        self.count = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        width, height = self.width, self.height
        frame = av.VideoFrame(width, height, "yuv420p")
        luma, row = (self.count * 7) % 220 + 16, frame.planes[0].line_size
        noise = os.urandom(row * self.noise_rows)
        frame.planes[0].update(noise + bytes([luma]) * (row * (height - self.noise_rows)))
        for plane in frame.planes[1:]:
            plane.update(bytes([128]) * (plane.line_size * (height // 2)))
        frame.pts, frame.time_base = pts, time_base
        self.count += 1
        return frame


class LossyLink:
    """Drops a share of the RTP packets reaching a test peer, before its receivers see them: the
    peer's receiver reports and NACKs then say what a lossy network would make them say.

    Wraps the peer's `RTCDtlsTransport._handle_rtp_data` (aiortc 1.16, private: the coroutine its
    receive loop awaits for each RTP datagram, still SRTP-protected); RTCP is left alone. Make it
    once the peer has its remote description (bundled media share that transport).
    """

    def __init__(self, pc: RTCPeerConnection, seed: int = 14) -> None:
        self.loss = 0.0
        self.dropped = 0
        self._random = random.Random(seed)
        transport = pc.getTransceivers()[0].receiver.transport
        original = transport._handle_rtp_data

        async def handle(data: bytes, arrival_time_ms: int) -> None:
            if self.loss and self._random.random() < self.loss:
                self.dropped += 1
                return
            await original(data, arrival_time_ms)

        transport._handle_rtp_data = handle  # type: ignore[method-assign]
