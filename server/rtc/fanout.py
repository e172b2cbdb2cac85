"""Per-stream, per-kind fan-out of encoded frames to viewers' tracks."""

import time
from collections.abc import Callable

from server.rtc.encoded import EncodedTrack
from server.rtc.frames import EncodedFrame
from server.rtc.packetizer import Packetizer


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
    """Hands each frame of one kind to every attached viewer track, which sends it at once.

    A frame is packetized once per codec and its payloads shared by all tracks (only RTP headers
    are per viewer). Tracks that lost their place ask for a keyframe through `request_keyframe`,
    which merges the requests.
    """

    def __init__(self, request_keyframe: Callable[[], None]) -> None:
        self._request_keyframe = request_keyframe
        self._tracks: set[EncodedTrack] = set()
        self._timeline = Timeline()
        self._packetizers: dict[str, Packetizer] = {}

    def attach(self, track: EncodedTrack) -> None:
        self._tracks.add(track)
        if track.waiting_for_keyframe:
            self._request_keyframe()

    def detach(self, track: EncodedTrack) -> None:
        self._tracks.discard(track)

    def publish(self, frame: EncodedFrame, epoch: int) -> None:
        """Deliver a frame from publisher generation `epoch` to every track of the same codec."""
        timestamp = self._timeline.map(epoch, frame.timestamp, frame.clock_rate)
        codec = frame.codec
        packetized = None
        behind = False
        for track in self._tracks:
            if track.codec != codec:
                continue
            if packetized is None:
                packetized = self._packetizer(frame).packetize(frame, timestamp)
            if not track.deliver(packetized):
                behind = True
        if behind:
            self._request_keyframe()

    def _packetizer(self, frame: EncodedFrame) -> Packetizer:
        packetizer = self._packetizers.get(frame.codec)
        if packetizer is None:
            packetizer = self._packetizers[frame.codec] = Packetizer(frame.codec, frame.clock_rate)
        return packetizer

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
