"""Where a stream's viewers' packets come from: one switch between the feeds and the fan-outs.

A *feed* is anything that hands over still-encoded frames: a publisher's connection (one or two
video layers), and the same contract fits a cascade leg from another node (docs/rtc.md, "One
switchable source"). The switch decides per frame, in one identity check, whether the frame goes
on to the fan-outs: only the selected feed's frames do, and none while the stream is paused.
Each video layer has its own fan-out (a *route*); a viewer's video track is on one route, and
`move` puts it on another at that layer's next keyframe. Pausing, resuming, handing over and
moving a viewer are therefore changes of a few attributes, never of the per-viewer path: the
forwarding cost per viewer does not change.
"""

import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Protocol, runtime_checkable

from server.rtc.counters import MediaCounters
from server.rtc.encoded import EncodedTrack
from server.rtc.fanout import Fanout, Timeline
from server.rtc.frames import EncodedFrame
from server.rtc.keyframes import KeyframeRequester, SendPli
from server.rtc.layers import LAYERS

# Seconds a move may wait for its layer's keyframe (requested at once, and again with every frame
# of that layer meanwhile): a layer sending nothing would hold the viewer's level wrong for good.
MOVE_TIMEOUT = 2.0


class Feed(Protocol):
    """A source of encoded frames for one stream."""

    @property
    def epoch(self) -> int:
        """Distinct per feed of a stream: the timelines map each feed's clock on its own."""
        ...

    async def send_pli(self) -> None:
        """Ask the feed's origin for a keyframe (of its only, or high, layer)."""
        ...


@runtime_checkable
class LayeredFeed(Protocol):
    """A feed sending more than one video layer (a publisher with two video tracks)."""

    @property
    def layer_count(self) -> int: ...

    def layer_pli(self, layer: int) -> SendPli: ...


def layer_count(feed: Feed | None) -> int:
    if feed is None:
        return 1
    return feed.layer_count if isinstance(feed, LayeredFeed) else 1


def _pli(feed: Feed, layer: int) -> SendPli | None:
    if isinstance(feed, LayeredFeed):  # a layer it does not receive ignores the request
        return feed.layer_pli(layer)
    return feed.send_pli if layer == 0 else None


class Route:
    """One video layer's way to the viewers on it: its fan-out and its keyframe requests (merged
    per layer: a keyframe of the low layer serves no one on the high one)."""

    def __init__(self, counters: MediaCounters | None) -> None:
        self.keyframes = KeyframeRequester(counters=counters)
        self.fanout = Fanout(request_keyframe=self.keyframes.request)


class Switch:
    """Selects the feed a stream forwards, pauses it, hands it over at a keyframe, and moves
    viewers between its layers at a keyframe.

    - `select(feed)`: forward `feed` from now on (break before make: viewers are held until its
      keyframe). Used for a publisher that replaces another.
    - `hand_over(feed)`: keep forwarding the current feed until `feed`'s first keyframe, then cut
      over on that very frame (make before break: viewers see no gap and no broken frame; viewers
      of the other layer wait for its keyframe, requested at the same time).
    - `pause()` / `resume()`: stop forwarding at the server without touching any connection;
      resuming holds video until a keyframe, which is requested at once.
    - `move(track, layer)`: the viewer's video comes from `layer` from that layer's next keyframe
      on (make before break per viewer); a feed with fewer layers serves its lowest. A move whose
      keyframe has not come within `MOVE_TIMEOUT` is cancelled (`settle`).
    """

    def __init__(
        self,
        counters: MediaCounters | None = None,
        on_cut_over: Callable[[Feed], None] = lambda feed: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._on_cut_over = on_cut_over
        self._clock = clock
        self._audio = Fanout(request_keyframe=lambda: None)  # every Opus frame stands alone
        self.routes = [Route(counters) for _ in range(LAYERS)]
        self._timelines = {"audio": Timeline(), "video": Timeline()}
        self._route_of: dict[EncodedTrack, int] = {}  # video track -> the route it gets
        self._wanted: dict[EncodedTrack, int] = {}  # video track -> the layer it should get
        # video track -> the route it moves to, and since when it waits for its keyframe
        self._joining: dict[EncodedTrack, tuple[int, float]] = {}
        self._pinned: dict[EncodedTrack, int] = {}  # video track -> the one route it is on
        self._layers = 1  # layer_count when last read per report
        self.current: Feed | None = None
        self.pending: Feed | None = None
        self.paused = False

    def frame(self, feed: Feed, kind: str, frame: EncodedFrame, layer: int = 0) -> None:
        """Every feed's every frame passes here (the hot path: keep it to these checks)."""
        if feed is not self.current:
            if feed is not self.pending or kind != "video" or not frame.keyframe:
                return
            self._cut_over(feed, layer)
        if self.paused:
            return
        epoch = feed.epoch * LAYERS + layer
        timestamp = self._timelines[kind].map(epoch, frame.timestamp, frame.clock_rate)
        if kind == "video":
            route = self.routes[layer]
            if frame.keyframe:
                route.keyframes.keyframe_arrived()
            route.fanout.publish(frame, timestamp)
        else:
            self._audio.publish(frame, timestamp)

    def lost(self, feed: Feed, layer: int = 0) -> None:
        """`feed` lost a frame of `layer`: if viewers see it, they wait for a keyframe."""
        if feed is self.current and not self.paused:
            self.routes[layer].fanout.hold_until_keyframe()

    @property
    def layer_count(self) -> int:
        """Video layers viewers can be moved between now."""
        return layer_count(self.current)

    def layers(self) -> int:
        """Per receiver report: `layer_count`, or 0 while there is no feed (a viewer's reports
        then say nothing about the layers). When a layer stopped or started sending, every
        track is re-placed: none stays on, or waits for, a layer that sends nothing."""
        if self.current is None:
            return 0
        count = self.layer_count
        if count != self._layers:
            self._layers = count
            self._place_all()
        return count

    def settle(self, track: EncodedTrack) -> int | None:
        """Per receiver report: a move of `track` still waiting for its layer's keyframe after
        `MOVE_TIMEOUT` is cancelled, and `track` stays where it is, which is returned (None: no
        move failed). Its viewer's level must say so."""
        joining = self._joining.get(track)
        if joining is None or self._clock() - joining[1] < MOVE_TIMEOUT:
            return None
        del self._joining[track]
        self.routes[joining[0]].fanout.cancel_join(track)
        route = self._route_of[track]
        self._wanted[track] = route
        return route

    # --- viewers' tracks -----------------------------------------------------------------

    def attach(
        self, tracks: Iterable[EncodedTrack], pinned: Mapping[EncodedTrack, int] | None = None
    ) -> None:
        """`pinned`: video tracks that get one layer's route whatever the feed sends, never
        moved (a cascade leg's, which carries each layer on a track of its own)."""
        pinned = pinned or {}
        self._pinned.update(pinned)
        for track in tracks:
            if track.kind == "audio":
                self._audio.attach(track)
                continue
            route = pinned.get(track)
            if route is None:
                route = min(self._wanted.setdefault(track, 0), self.layer_count - 1)
            self._route_of[track] = route
            self.routes[route].fanout.attach(track)

    def detach(self, tracks: Iterable[EncodedTrack]) -> None:
        for track in tracks:
            self._audio.detach(track)
            for route in self.routes:
                route.fanout.detach(track)
            self._route_of.pop(track, None)
            self._wanted.pop(track, None)
            self._joining.pop(track, None)
            self._pinned.pop(track, None)

    def in_use(self, layer: int) -> bool:
        """A viewer gets `layer`'s frames or waits for its keyframe (about once a second)."""
        return self.routes[layer].fanout.in_use

    def move(self, track: EncodedTrack, layer: int) -> None:
        """Give `track` the video of `layer` (0 high, 1 low), from its next keyframe on. A
        track already detached is left alone (a report can arrive while its viewer closes)."""
        if track not in self._route_of or track in self._pinned:
            return
        self._wanted[track] = layer
        self._place(track)

    def request_keyframe(self, track: EncodedTrack) -> None:
        """A viewer asked for a keyframe (PLI/FIR, or it lost its place): from its layer."""
        self.routes[self._route_of.get(track, 0)].keyframes.request()

    def _place(self, track: EncodedTrack) -> None:
        now = self._route_of.get(track)
        if now is None or track in self._pinned:
            return
        target = min(self._wanted.get(track, 0), self.layer_count - 1)
        joining = self._joining.pop(track, None)
        if joining is not None and joining[0] == target and not track.paused:
            self._joining[track] = joining  # already on its way there
            return
        if joining is not None:  # else that fan-out would hand it its keyframe too
            self.routes[joining[0]].fanout.cancel_join(track)
        if target == now:
            return
        if track.paused:  # no frames to keep: move it now, it starts at a keyframe anyway
            self.routes[now].fanout.detach(track)
            self._route_of[track] = target
            track.wait_for_keyframe()
            self.routes[target].fanout.attach(track)
            return
        self._joining[track] = (target, self._clock())
        self.routes[target].fanout.join(track, partial(self._joined, track, now, target))

    def _joined(self, track: EncodedTrack, old: int, new: int) -> None:
        """`track` got `new`'s keyframe: nothing more of the old layer."""
        self.routes[old].fanout.detach(track)
        self._route_of[track] = new
        self._joining.pop(track, None)

    def _place_all(self) -> None:
        """The feed changed, maybe its number of layers: every track to the layer it should get.
        Moves under way wait afresh: the feed's keyframes were only just requested."""
        self._layers = self.layer_count
        for track in list(self._route_of):
            self._place(track)
        self._restart_joins()

    def _restart_joins(self) -> None:
        now = self._clock()
        for track, (target, _) in self._joining.items():
            self._joining[track] = (target, now)

    # --- feeds ---------------------------------------------------------------------------

    def select(self, feed: Feed | None) -> None:
        """Forward `feed` (None: nothing) from its next keyframe on; a pending hand-over is
        dropped."""
        self.pending = None
        self.current = feed
        self._place_all()
        # Held first, attached second: requests made before the feed has sent a packet could not
        # reach it, and viewers held back ask again as its frames pass them by.
        for route in self.routes:
            route.fanout.hold_until_keyframe()
        self._attach_requests()

    def hand_over(self, feed: Feed) -> None:
        """Cut over to `feed` at its first keyframe; until then the current feed goes on."""
        current = self.current
        if current is None:
            self.select(feed)
            return
        self.pending = feed
        for layer, route in enumerate(self.routes):
            route.keyframes.attach(_both(_pli(current, layer), _pli(feed, layer)))
            route.keyframes.request()

    def forget(self, feed: Feed) -> bool:
        """`feed` ended. True if it was the one viewers saw (the stream has no source now)."""
        if feed is self.pending:
            self.pending = None
            self._attach_requests()
        if feed is not self.current:
            return False
        self.current = None
        self._attach_requests()
        # Nothing will come on those routes: the next feed's `select` re-places every track.
        for track, (target, _) in self._joining.items():
            self.routes[target].fanout.cancel_join(track)
        self._joining.clear()
        return True

    def pause(self) -> None:
        """Forward nothing; the feed's frames are consumed and dropped. Idempotent."""
        self.paused = True
        self._attach_requests()

    def resume(self) -> None:
        """Forward again: audio with its next frame, video from a keyframe requested now."""
        if not self.paused:
            return
        self.paused = False
        self._attach_requests()
        for route in self.routes:
            route.fanout.hold_until_keyframe()
        self._restart_joins()  # a move made while paused waits from now

    async def close(self) -> None:
        """Idempotent: detaches every track and cancels keyframe requests."""
        self._audio.close()
        self._route_of.clear()
        self._wanted.clear()
        self._joining.clear()
        self._pinned.clear()
        for route in self.routes:
            route.fanout.close()
            await route.keyframes.close()

    def _attach_requests(self) -> None:
        """Each layer's requests go to the current feed's layer (nowhere while paused)."""
        feed = None if self.paused else self.current
        for layer, route in enumerate(self.routes):
            route.keyframes.attach(None if feed is None else _pli(feed, layer))

    def _cut_over(self, feed: Feed, layer: int) -> None:
        old = self.current
        self.current, self.pending = feed, None
        self._attach_requests()
        self._place_all()
        for other, route in enumerate(self.routes):
            if other != layer:  # their keyframe was requested with this one's
                route.fanout.hold_until_keyframe()
        if old is not None:
            self._on_cut_over(old)


def _both(first: SendPli | None, second: SendPli | None) -> SendPli | None:
    """During a hand-over a keyframe request goes to both feeds: the current one still serves
    viewers who lost a frame, the next one must send the keyframe the cut happens at."""
    if first is None or second is None:
        return first or second

    async def send() -> None:
        await first()
        await second()

    return send
