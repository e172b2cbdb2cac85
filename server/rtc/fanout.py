"""Per-stream, per-kind fan-out of encoded frames to viewers' tracks."""

import time
from collections.abc import Callable
from fractions import Fraction

import av

from server.rtc.encoded import EncodedTrack
from server.rtc.frames import EncodedFrame


class Timeline:
    """Keeps the timestamps viewers receive moving forward across publishers.

    Each publisher's timestamps start at 0; without an offset a returning publisher would send
    viewers' jitter buffers back in time. The gap between publishers is bridged with the wall-clock
    time that passed, so timestamps keep tracking real time.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._epoch: int | None = None
        self._offset = 0
        self._last: int | None = None
        self._last_at = 0.0

    def map(self, epoch: int, timestamp: int, clock_rate: int) -> int:
        now = self._clock()
        if epoch != self._epoch:
            self._epoch = epoch
            if self._last is None:
                self._offset = -timestamp
            else:
                elapsed = max(1, round((now - self._last_at) * clock_rate))
                self._offset = self._last + elapsed - timestamp
        self._last = timestamp + self._offset
        self._last_at = now
        return self._last


class Fanout:
    """Hands each frame of one kind to every attached viewer track.

    One `av.Packet` is built per frame and shared by all tracks (senders only read it). Tracks that
    lost their place ask for a keyframe through `request_keyframe`, which merges the requests.
    """

    def __init__(self, request_keyframe: Callable[[], None]) -> None:
        self._request_keyframe = request_keyframe
        self._tracks: set[EncodedTrack] = set()
        self._timeline = Timeline()

    def attach(self, track: EncodedTrack) -> None:
        self._tracks.add(track)
        if track.waiting_for_keyframe:
            self._request_keyframe()

    def detach(self, track: EncodedTrack) -> None:
        self._tracks.discard(track)

    def publish(self, frame: EncodedFrame, epoch: int) -> None:
        """Deliver a frame from publisher generation `epoch` to every track of the same codec."""
        packet = av.Packet(frame.data)
        packet.pts = self._timeline.map(epoch, frame.timestamp, frame.clock_rate)
        packet.time_base = Fraction(1, frame.clock_rate)
        behind = False
        for track in self._tracks:
            if track.codec == frame.codec and not track.deliver(packet, frame.keyframe):
                behind = True
        if behind:
            self._request_keyframe()

    def hold_until_keyframe(self) -> None:
        """The next frames will not follow what viewers hold (the publisher lost a frame or was
        replaced): hold every track until a keyframe."""
        for track in self._tracks:
            track.wait_for_keyframe()
        if self._tracks:
            self._request_keyframe()

    def close(self) -> None:
        """Idempotent: detaches every track (their owners stop them)."""
        self._tracks.clear()
