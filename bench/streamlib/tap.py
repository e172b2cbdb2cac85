"""Viewer-side frame tap: the one module that reaches into aiortc internals.

An aiortc receiver always decodes, and 64 VP8 decoders would saturate the viewers' core long
before the server under test. So the tap wraps the receiver's jitter buffer to note each
complete (still encoded) frame with the time its last packet arrived, and swaps the decoder's
input queue for one that drops frames, leaving the decoder thread idle. Timing the last packet
rather than the jitter buffer's release removes the one frame the buffer holds back (it
releases a frame only when the next frame's first packet arrives), a viewer artefact that is
the same for every server. Pinned to aiortc 1.16 (``RTCRtpReceiver`` private names).
"""

from __future__ import annotations

import queue
import time
from typing import Any

from aiortc import RTCRtpReceiver

_MAX_PENDING = 256


class _DropFrames(queue.Queue[Any]):
    """Decoder input that discards frames but passes the stop sentinel on.

    Whether the decoder thread already reads the original queue or will read this one, the
    ``None`` that ``RTCRtpReceiver.stop()`` sends reaches it, so the thread still exits.
    """

    def __init__(self, original: queue.Queue[Any]) -> None:
        super().__init__()
        self._original = original

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is None:
            self._original.put(None)
            super().put(None)


class FrameTap:
    """Complete frames of one receiver: raw RTP timestamps and monotonic arrival times."""

    def __init__(self) -> None:
        self.timestamps: list[int] = []
        self.arrivals: list[float] = []
        self._last_packet: dict[int, float] = {}

    def install(self, receiver: RTCRtpReceiver) -> None:
        jitter_buffer = receiver._RTCRtpReceiver__jitter_buffer  # type: ignore[attr-defined]
        add = jitter_buffer.add

        def tapped_add(packet: Any) -> Any:
            now = time.monotonic()
            pending = self._last_packet
            pending[packet.timestamp] = now
            result = add(packet)
            frame = result[1]
            if frame is not None:
                self.timestamps.append(frame.timestamp)
                self.arrivals.append(pending.pop(frame.timestamp, now))
                if len(pending) > _MAX_PENDING:  # frames the buffer gave up on
                    for stale in list(pending)[: len(pending) - _MAX_PENDING // 2]:
                        del pending[stale]
            return result

        jitter_buffer.add = tapped_add
        name = "_RTCRtpReceiver__decoder_queue"
        setattr(receiver, name, _DropFrames(getattr(receiver, name)))
