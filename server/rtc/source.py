"""Where a stream's viewers' packets come from: one switch between the feeds and the fan-outs.

A *feed* is anything that hands over still-encoded frames: today a publisher's connection; the
same contract fits a simulcast layer and a cascade leg from another node (docs/rtc.md, "One
switchable source"). The switch decides per frame, in one identity check, whether the frame goes
on to the fan-outs: only the selected feed's frames do, and none while the stream is paused.
Pausing, resuming and handing over are therefore changes of two attributes, never of the
per-viewer path: the forwarding cost per viewer does not change.
"""

from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from server.rtc.fanout import Fanout
from server.rtc.frames import EncodedFrame
from server.rtc.keyframes import KeyframeRequester


class Feed(Protocol):
    """A source of encoded frames for one stream."""

    @property
    def epoch(self) -> int:
        """Distinct per feed of a stream: the fan-outs' timelines re-base at a change."""
        ...

    async def send_pli(self) -> None:
        """Ask the feed's origin for a keyframe."""
        ...


class Switch:
    """Selects the feed a stream forwards, pauses it, and hands it over at a keyframe.

    - `select(feed)`: forward `feed` from now on (break before make: viewers are held until its
      keyframe). Used for a publisher that replaces another.
    - `hand_over(feed)`: keep forwarding the current feed until `feed`'s first keyframe, then cut
      over on that very frame (make before break: viewers see no gap and no broken frame).
    - `pause()` / `resume()`: stop forwarding at the server without touching any connection;
      resuming holds video until a keyframe, which is requested at once.
    """

    def __init__(
        self,
        fanouts: dict[str, Fanout],
        keyframes: KeyframeRequester,
        on_cut_over: Callable[[Feed], None] = lambda feed: None,
    ) -> None:
        self._fanouts = fanouts
        self._keyframes = keyframes
        self._on_cut_over = on_cut_over
        self.current: Feed | None = None
        self.pending: Feed | None = None
        self.paused = False

    def frame(self, feed: Feed, kind: str, frame: EncodedFrame) -> None:
        """Every feed's every frame passes here (the hot path: keep it to these checks)."""
        if feed is not self.current:
            if feed is not self.pending or kind != "video" or not frame.keyframe:
                return
            self._cut_over(feed)
        if self.paused:
            return
        if frame.keyframe and kind == "video":
            self._keyframes.keyframe_arrived()
        self._fanouts[kind].publish(frame, feed.epoch)

    def lost(self, feed: Feed) -> None:
        """`feed` lost a frame: if viewers see it, they wait for a keyframe."""
        if feed is self.current and not self.paused:
            self._fanouts["video"].hold_until_keyframe()

    def select(self, feed: Feed | None) -> None:
        """Forward `feed` (None: nothing) from its next keyframe on; a pending hand-over is
        dropped."""
        self.pending = None
        self.current = feed
        # Held first, attached second: requests made before the feed has sent a packet could not
        # reach it, and viewers held back ask again as its frames pass them by.
        self._fanouts["video"].hold_until_keyframe()
        self._keyframes.attach(None if feed is None or self.paused else feed.send_pli)

    def hand_over(self, feed: Feed) -> None:
        """Cut over to `feed` at its first keyframe; until then the current feed goes on."""
        if self.current is None:
            self.select(feed)
            return
        self.pending = feed
        self._keyframes.attach(_both(self.current.send_pli, feed.send_pli))
        self._keyframes.request()

    def forget(self, feed: Feed) -> bool:
        """`feed` ended. True if it was the one viewers saw (the stream has no source now)."""
        if feed is self.pending:
            self.pending = None
            if self.current is not None:
                self._keyframes.attach(None if self.paused else self.current.send_pli)
        if feed is not self.current:
            return False
        self.current = None
        self._keyframes.attach(None)
        return True

    def pause(self) -> None:
        """Forward nothing; the feed's frames are consumed and dropped. Idempotent."""
        self.paused = True
        self._keyframes.attach(None)

    def resume(self) -> None:
        """Forward again: audio with its next frame, video from a keyframe requested now."""
        if not self.paused:
            return
        self.paused = False
        if self.current is not None:
            self._keyframes.attach(self.current.send_pli)
        self._fanouts["video"].hold_until_keyframe()

    def _cut_over(self, feed: Feed) -> None:
        old = self.current
        self.current, self.pending = feed, None
        self._keyframes.attach(None if self.paused else feed.send_pli)
        if old is not None:
            self._on_cut_over(old)


def _both(
    first: Callable[[], Coroutine[Any, Any, None]], second: Callable[[], Coroutine[Any, Any, None]]
) -> Callable[[], Coroutine[Any, Any, None]]:
    """During a hand-over a keyframe request goes to both feeds: the current one still serves
    viewers who lost a frame, the next one must send the keyframe the cut happens at."""

    async def send() -> None:
        await first()
        await second()

    return send
