"""A viewer's outgoing track: already-encoded frames that the aiortc sender only packetizes."""

import asyncio
from collections import deque
from typing import TYPE_CHECKING, TypeAlias

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.packet import Packet

if TYPE_CHECKING:
    from av.stream import Stream

    # The stubs make Packet generic over its stream; the runtime class cannot be subscripted.
    EncodedPacket: TypeAlias = Packet[Stream]
else:
    EncodedPacket = Packet


class EncodedTrack(MediaStreamTrack):
    """Bounded buffer of `av.Packet`s for one viewer and kind, fed like `MediaPlayer(decode=False)`.

    A viewer that falls behind never holds up the others nor grows memory: when its buffer is full,
    audio drops its oldest frame, and video drops everything and waits for the next keyframe (a
    delta frame without its predecessors would only show corruption). Video also starts at a
    keyframe, and again after `resume()`.
    """

    def __init__(self, kind: str, codec: str, capacity: int) -> None:
        super().__init__()
        self.kind = kind
        self.codec = codec
        self._capacity = capacity
        self._buffer: deque[EncodedPacket] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._gated = kind == "video"
        self._needs_keyframe = self._gated
        self._paused = False
        self.dropped = 0

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    @property
    def waiting_for_keyframe(self) -> bool:
        return self._needs_keyframe and not self._paused

    @property
    def paused(self) -> bool:
        return self._paused

    def deliver(self, packet: EncodedPacket, keyframe: bool) -> bool:
        """Queue a frame. False means this track waits for a keyframe: ask the publisher for one."""
        if self._paused or self.readyState != "live":
            return True
        if self._needs_keyframe:
            if not keyframe:
                self.dropped += 1
                return False
            self._needs_keyframe = False
        if len(self._buffer) >= self._capacity:
            if self._gated:
                self.dropped += len(self._buffer) + 1
                self._buffer.clear()
                self._needs_keyframe = not keyframe
                if self._needs_keyframe:
                    return False
            else:
                self.dropped += 1
                self._buffer.popleft()
        self._buffer.append(packet)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
        return True

    def wait_for_keyframe(self) -> None:
        """Drop what is queued and resume at the next keyframe (the source lost a frame)."""
        if self._gated:
            self._buffer.clear()
            self._needs_keyframe = True

    def pause(self) -> None:
        """Stop delivering frames (the sender then sends no RTP) without renegotiation."""
        self._paused = True
        self._buffer.clear()
        self._needs_keyframe = self._gated

    def resume(self) -> None:
        self._paused = False

    async def recv(self) -> EncodedPacket:
        while not self._buffer:
            if self.readyState != "live":
                raise MediaStreamError
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._buffer.popleft()

    def stop(self) -> None:
        super().stop()
        self._buffer.clear()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
