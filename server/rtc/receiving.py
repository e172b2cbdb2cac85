"""The receive half every feed that is a peer connection shares: a publisher's, and a cascade
leg's (relay.py), where this node is the viewer of another node's stream.

Its receivers hand over complete, still-encoded frames instead of decoding them (aiortc's
decoder queue is diverted), video is reassembled by `VideoFrameAssembler` (fast loss handling),
and a keyframe is asked of the remote sender with a PLI. A publisher may send two video tracks,
two layers of one camera (docs/rtc.md, "Layers"): each is reassembled on its own, and its frames,
losses and keyframe requests carry its layer (0 high, 1 low).
"""

import time
from collections.abc import Callable
from functools import partial

from aiortc import RTCRtpReceiver
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from server.rtc.aiortc_internals import divert_encoded_frames, replace_jitter_buffer, send_pli
from server.rtc.counters import MediaCounters
from server.rtc.frames import EncodedFrame, is_keyframe, starts_frame
from server.rtc.reassembly import VideoFrameAssembler

# Seconds without a packet after which a video layer no longer counts: a publisher may negotiate
# two video tracks and send one (a camera that cannot, a browser that stopped the other).
HEARD_WITHIN = 2.0


class EncodedReceiving:
    """Frames of a connection's receivers go to `on_frame(kind, frame, layer)` on the event
    loop, the first of them after `on_media()`; a video frame lost for good is `on_loss(layer)`."""

    def __init__(
        self,
        counters: MediaCounters,
        *,
        on_frame: Callable[[str, EncodedFrame, int], None],
        on_loss: Callable[[int], None],
        on_media: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._counters = counters
        self._forward = on_frame
        self._on_loss = on_loss
        self._on_media = on_media
        self._clock = clock
        self._layers: list[tuple[VideoFrameAssembler, RTCRtpReceiver]] = []
        # per layer: the highest sequence number seen, and when (None: nothing yet)
        self._heard: list[tuple[int | None, float | None]] = []
        self._has_media = False
        self._media_at: float | None = None  # when the first frame of any kind arrived
        self._closed = False

    @property
    def layer_count(self) -> int:
        """Video layers viewers can get now: up to the last one that sent a packet within
        `HEARD_WITHIN` (at least 1, so a viewer's choice always maps to one).

        Read per receiver report and per placement, never per packet: a layer counts as heard
        when its reassembler's highest sequence number moved since the last read, so receiving
        costs nothing more. A layer not heard yet counts until `HEARD_WITHIN` after the
        connection's first frame (its layers' first frames come together, not at once)."""
        count = 1
        for layer in range(len(self._layers)):
            if self.heard(layer):
                count = layer + 1
        return count

    def heard(self, layer: int) -> bool:
        """`layer` sent a packet within `HEARD_WITHIN` (see `layer_count`)."""
        now = self._clock()
        assembler, _ = self._layers[layer]
        seen, heard_at = self._heard[layer]
        if assembler.highest != seen:
            self._heard[layer] = (assembler.highest, now)
            heard_at = now
        elif heard_at is None:
            heard_at = now if self._media_at is None else self._media_at
        return now - heard_at < HEARD_WITHIN

    def expect(self, layer: int) -> None:
        """`layer` was asked to send again after a silence of our own making (a leg's low
        layer): it counts for `HEARD_WITHIN` from now, as a new connection's layers do."""
        assembler, _ = self._layers[layer]
        self._heard[layer] = (assembler.highest, self._clock())

    def highest(self, layer: int) -> int | None:
        """The highest sequence number `layer` received: it moves while packets arrive."""
        return self._layers[layer][0].highest

    def divert(self, kind: str, receiver: RTCRtpReceiver, layer: int = 0) -> None:
        """Take `kind`'s frames still encoded; before the connection starts the receiver."""
        divert_encoded_frames(receiver, partial(self._on_frame, kind, layer))

    def reassemble_video(
        self, receiver: RTCRtpReceiver, codec: str, ssrc: int | None = None
    ) -> int:
        """Reassemble a video receiver's packets ourselves; before its first packet. Returns its
        layer (the order of the calls). `ssrc`: the one the remote description announced, so
        that a keyframe can be asked for before the first packet (a leg's paused low layer)."""
        layer = len(self._layers)
        assembler = VideoFrameAssembler(
            on_loss=partial(self._on_loss, layer), starts_frame=partial(starts_frame, codec)
        )
        assembler.media_ssrc = ssrc
        replace_jitter_buffer(receiver, assembler)
        self._layers.append((assembler, receiver))
        self._heard.append((None, None))
        return layer

    async def send_pli(self, layer: int = 0) -> None:
        if layer >= len(self._layers) or self._closed:
            return
        assembler, receiver = self._layers[layer]
        ssrc = assembler.media_ssrc
        if ssrc is not None:
            await send_pli(receiver, ssrc)

    def close(self) -> None:
        """No frame is handed over after this."""
        self._closed = True

    def _on_frame(
        self, kind: str, layer: int, codec: RTCRtpCodecParameters, frame: JitterFrame
    ) -> None:
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
            self._media_at = self._clock()
            self._on_media()
        self._forward(kind, encoded, layer)
