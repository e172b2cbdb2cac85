"""The recruiter's connection: its receivers hand over still-encoded frames instead of decoding."""

import logging
from collections.abc import Callable
from functools import partial

from aiortc import RTCRtpReceiver
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from server.rtc.aiortc_internals import divert_encoded_frames, replace_jitter_buffer, send_pli
from server.rtc.frames import EncodedFrame, is_keyframe, starts_frame
from server.rtc.negotiation import Offer, prefer_codec
from server.rtc.peer import PeerConnection, PeerSetup
from server.rtc.reassembly import VideoFrameAssembler

logger = logging.getLogger(__name__)


class Publisher:
    """A feed (source.py): hands each of its frames to `on_frame`, its stream's switch, which
    decides whether viewers get it.

    Frames arrive on the event loop from inside aiortc's packet handler; `epoch` tells the fan-outs'
    timelines that a new publisher has begun.
    """

    def __init__(
        self,
        setup: PeerSetup,
        *,
        epoch: int,
        on_frame: Callable[["Publisher", str, EncodedFrame], None],
        on_loss: Callable[["Publisher"], None],
        on_media: Callable[["Publisher"], None],
        on_ended: Callable[["Publisher"], None],
    ) -> None:
        self.epoch = epoch
        self._forward = on_frame
        self._on_loss = partial(on_loss, self)
        self._on_media = on_media
        self._peer = PeerConnection(setup, on_ended=partial(on_ended, self))
        self._counters = setup.counters
        self._assembler: VideoFrameAssembler | None = None
        self._video_receiver: RTCRtpReceiver | None = None
        self._has_media = False
        self._closed = False
        self.video_codec: str | None = None

    async def negotiate(self, offer: Offer, video_codec: str | None = None) -> str:
        """Answer with `video_codec` if given (a hand-over keeps the stream's codec), else the
        preferred one the offer has."""
        ours = []
        for kind, codec in offer.codecs(prefer=video_codec).items():
            if codec is None:
                continue
            transceiver = self._peer.pc.addTransceiver(kind, direction="recvonly")
            prefer_codec(transceiver, codec)
            if kind == "video":
                self.video_codec = codec
                self._assembler = VideoFrameAssembler(
                    on_loss=self._on_loss,
                    starts_frame=partial(starts_frame, codec),
                )
                replace_jitter_buffer(transceiver.receiver, self._assembler)
                self._video_receiver = transceiver.receiver
            divert_encoded_frames(transceiver.receiver, partial(self._on_frame, kind))
            ours.append(transceiver)
        return await self._peer.answer(offer, ours)

    async def send_pli(self) -> None:
        if self._assembler is None or self._video_receiver is None or self._closed:
            return
        ssrc = self._assembler.media_ssrc
        if ssrc is not None:
            await send_pli(self._video_receiver, ssrc)

    def _on_frame(self, kind: str, codec: RTCRtpCodecParameters, frame: JitterFrame) -> None:
        if self._closed:
            return
        self._counters.frames_received += 1
        mime = codec.mimeType.lower()
        encoded = EncodedFrame(
            data=frame.data,
            timestamp=frame.timestamp,
            clock_rate=codec.clockRate,
            codec=mime,
            keyframe=is_keyframe(mime, frame.data),
        )
        if not self._has_media:
            self._has_media = True
            self._on_media(self)
        self._forward(self, kind, encoded)

    async def close(self) -> None:
        """Idempotent."""
        self._closed = True
        await self._peer.close()
