"""Per-stream fan-out of encoded frames to viewers' tracks, and the timeline they are sent on."""

import time
from collections.abc import Callable

from server.rtc.encoded import EncodedTrack
from server.rtc.frames import EncodedFrame
from server.rtc.packetizer import Packetizer

_EPOCHS_KEPT = 8  # feeds whose offsets a timeline remembers (the current and pending ones' layers)


class Timeline:
    """Keeps the timestamps viewers receive moving forward across feeds.

    Every feed (a publisher's layer, one after another publisher) has its own RTP clock origin;
    each is mapped onto the stream's clock when its first frame arrives, bridging with the
    wall-clock time since the last frame mapped. Two layers of one camera thus line up within
    their arrival jitter, so a viewer moved between them keeps time (its writer makes sure the
    step is forward, writer.py), and a returning publisher never sends viewers back in time.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._offsets: dict[int, int] = {}
        self._last: int | None = None
        self._last_at = 0.0

    def map(self, epoch: int, timestamp: int, clock_rate: int) -> int:
        now = self._clock()
        offset = self._offsets.get(epoch)
        if offset is None:
            if self._last is None:
                offset = -timestamp
            else:
                elapsed = max(1, round((now - self._last_at) * clock_rate))
                offset = self._last + elapsed - timestamp
            if len(self._offsets) >= _EPOCHS_KEPT:
                del self._offsets[next(iter(self._offsets))]
            self._offsets[epoch] = offset
        mapped = timestamp + offset
        if self._last is None or mapped > self._last:
            self._last, self._last_at = mapped, now
        return mapped


class Fanout:
    """Hands each frame of one kind (one video layer) to every attached viewer track, which
    sends it at once.

    A frame is packetized once per codec and its payloads shared by all tracks (only RTP headers
    are per viewer). Tracks that lost their place ask for a keyframe through `request_keyframe`,
    which merges the requests. A track moving here from another fan-out (`join`) gets only this
    fan-out's next keyframe, and is then detached from its old one: make before break.
    """

    def __init__(self, request_keyframe: Callable[[], None]) -> None:
        self._request_keyframe = request_keyframe
        self._tracks: set[EncodedTrack] = set()
        self._joining: dict[EncodedTrack, Callable[[], None]] = {}
        self._packetizers: dict[str, Packetizer] = {}

    @property
    def in_use(self) -> bool:
        """A track gets, or waits for, this fan-out's frames (a paused one gets none). Counts the
        tracks: read about once a second (a cascade leg's low layer, relay.py), never per frame."""
        return bool(self._joining) or any(not track.paused for track in self._tracks)

    def attach(self, track: EncodedTrack) -> None:
        self._tracks.add(track)
        if track.waiting_for_keyframe:
            self._request_keyframe()

    def join(self, track: EncodedTrack, joined: Callable[[], None]) -> None:
        """`track` gets this fan-out's frames from its next keyframe on (requested now);
        `joined` runs right after that keyframe was handed to it."""
        self._joining[track] = joined
        self._request_keyframe()

    def cancel_join(self, track: EncodedTrack) -> None:
        """`track` no longer waits for this fan-out's keyframe (it stays where it is)."""
        self._joining.pop(track, None)

    def detach(self, track: EncodedTrack) -> None:
        self._tracks.discard(track)
        self._joining.pop(track, None)

    def publish(self, frame: EncodedFrame, timestamp: int) -> None:
        """Deliver a frame, at `timestamp` on the stream's timeline, to every track of its codec."""
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
        if self._joining:
            if not frame.keyframe:
                behind = True  # a lost request is retried (merged by the requester)
            else:
                if packetized is None:
                    packetized = self._packetizer(frame).packetize(frame, timestamp)
                joining, self._joining = self._joining, {}
                for track, joined in joining.items():
                    if track.codec != codec:
                        self._joining[track] = joined
                        continue
                    if not track.start_over(packetized):
                        behind = True  # it lagged (congested): it waits for the next keyframe
                    self._tracks.add(track)
                    joined()
        if behind:
            self._request_keyframe()

    def _packetizer(self, frame: EncodedFrame) -> Packetizer:
        packetizer = self._packetizers.get(frame.codec)
        if packetizer is None:
            packetizer = self._packetizers[frame.codec] = Packetizer(frame.codec, frame.clock_rate)
        return packetizer

    def hold_until_keyframe(self) -> None:
        """The next frames will not follow what viewers hold (the feed lost a frame or was
        replaced): hold every track until a keyframe."""
        for track in self._tracks:
            track.wait_for_keyframe()
        if self._tracks:
            self._request_keyframe()

    def close(self) -> None:
        """Idempotent: detaches every track (their owners stop them)."""
        self._tracks.clear()
        self._joining.clear()
