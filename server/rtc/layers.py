"""Which layer each viewer's link can carry, decided from the RTCP it sends anyway.

Viewers send no REMB and no transport-cc here (writer.py), so the signals are what every
receiver reports: the fraction of packets lost (and, for video, the share of packets it NACKed),
the interarrival jitter, and the round-trip time from LSR/DLSR. A `LayerChooser` is fed one
`LinkReport` per receiver report (about one a second per kind and viewer, never per packet) and
answers the level the viewer should be on now, with hysteresis: down fast when a bad link
persists for `down_after`, up only after clean reports for `up_after`, and from audio only by a
probe of the low layer, after a back-off that doubles each time the probe fails. Each kind's
reports are judged apart (clean audio must not dilute lossy video): video reports move a viewer
between the layers and from video to audio, audio reports from audio to text and back, and decide
the probe. Thresholds and their reasons: docs/rtc.md, "Layers per viewer".
"""

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

LAYERS = 2  # video layers a publisher may send and a stream forwards: 0 high, 1 low


class Level(StrEnum):
    HIGH = "high"  # the high video layer
    LOW = "low"  # the low video layer
    AUDIO = "audio"  # no video at all
    TEXT = "text"  # audio still forwarded, but failing: pages offer text chat

    @property
    def layer(self) -> int | None:
        """The video layer of this level (None: no video)."""
        return {Level.HIGH: 0, Level.LOW: 1}.get(self)

    @staticmethod
    def of_layer(layer: int) -> "Level":
        return Level.LOW if layer == 1 else Level.HIGH


@dataclass(frozen=True, slots=True)
class LinkReport:
    """One receiver report, as the chooser needs it."""

    loss: float  # 0..1: the fraction lost since the last report, or the NACKed share if higher
    jitter: float  # seconds
    rtt: float | None  # seconds; None when the report cannot tell


@dataclass(frozen=True, slots=True)
class Limits:
    """A link is too weak for a level when, over `down_after`, the mean of one of these is
    reached."""

    loss: float
    rtt: float
    jitter: float

    def exceeded(self, loss: float, rtt: float, jitter: float) -> bool:
        return loss >= self.loss or rtt >= self.rtt or jitter >= self.jitter


# Leaving a level downwards (the mean over `down_after`):
HIGH_LIMITS = Limits(loss=0.08, rtt=0.5, jitter=0.08)  # high -> low
LOW_LIMITS = Limits(loss=0.20, rtt=1.0, jitter=0.15)  # low (or the only layer) -> audio
AUDIO_LIMITS = Limits(loss=0.35, rtt=2.0, jitter=0.5)  # audio -> text
# A report is clean enough to climb (every report over `up_after`):
CLEAN_VIDEO = Limits(loss=0.02, rtt=0.3, jitter=0.04)  # low -> high; audio -> low (probe)
CLEAN_AUDIO = Limits(loss=0.10, rtt=1.0, jitter=0.2)  # text -> audio

KINDS = ("audio", "video")

DOWN_AFTER = 2.0  # seconds a weak link must persist before a step down
# Measurements in a row over the limit before a step down: one burst (the page loading beside the
# stream) is no verdict; the step that stops the picture waits for one more (~2.4 s of loss).
OVER_IN_A_ROW = {Level.LOW: 2, Level.AUDIO: 3, Level.TEXT: 2}
UP_AFTER = 8.0  # seconds of clean reports before a step up
PROBE_AFTER = 10.0  # seconds on audio before the low layer is tried again
PROBE_MAX = 160.0  # the back-off doubles on each failed probe, up to this


@dataclass(slots=True)
class _Window:
    """One kind's reports of the last `down_after`, and since when they have been clean."""

    reports: deque[tuple[float, LinkReport]] = field(default_factory=deque)
    clean_since: float | None = None
    over: int = 0  # the latest measurements in a row over the current level's limits


class LayerChooser:
    """Pure logic (no I/O): feed it reports, apply the level it answers.

    `layers` (given with each report) is how many video layers the stream has now: with one,
    there is no low level, and the one layer is left for audio under `LOW_LIMITS`. A viewer who
    chose audio by hand (`hold_audio`) is never moved up; `restart` (their "try video again")
    starts at the low layer.
    """

    def __init__(
        self,
        *,
        down_after: float = DOWN_AFTER,
        up_after: float = UP_AFTER,
        probe_after: float = PROBE_AFTER,
        probe_max: float = PROBE_MAX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._down_after = down_after
        self._up_after = up_after
        self._probe_after = probe_after
        self._probe_max = probe_max
        self._clock = clock
        self._backoff = probe_after
        self._probe_started: float | None = None  # a probe from audio under way since
        self.manual = False
        self.level = Level.HIGH
        self.loss = 0.0  # the mean loss over the last `down_after`, for pages and /metrics
        self._windows = {kind: _Window() for kind in KINDS}
        self._changed_at = clock()

    def hold_audio(self) -> None:
        """The viewer chose audio only: stay there (text is still announced if audio fails)."""
        self.manual = True
        self._probe_started = None
        if self.level is not Level.TEXT:
            self._set(Level.AUDIO)

    def restart(self, layers: int) -> Level:
        """The viewer asked for video again: start at the low layer and let reports move it."""
        self.manual = False
        self._backoff = self._probe_after
        self._probe_started = None
        self._set(Level.LOW if layers > 1 else Level.HIGH)
        return self.level

    def report(self, kind: str, report: LinkReport, layers: int) -> Level | None:
        """Take one report about the viewer's `kind` sender; the new level if it changed, else
        None. Only the reports of the kind the level is judged by (`judged_by`) move it."""
        now = self._clock()
        before = self.level
        if before is Level.LOW and layers < 2:
            self._set(Level.HIGH)  # a single-layer feed: its one layer is the high one
        window = self._windows[kind]
        reports = window.reports
        reports.append((now, report))
        while now - reports[0][0] > self._down_after:
            reports.popleft()
        clean = CLEAN_AUDIO if self.level is Level.TEXT else CLEAN_VIDEO
        if clean.exceeded(report.loss, report.rtt or 0.0, report.jitter):
            window.clean_since = None
        elif window.clean_since is None:
            window.clean_since = now
        if kind != self.judged_by:
            return self.level if self.level is not before else None
        count = len(reports)
        loss = sum(r.loss for _, r in reports) / count
        jitter = sum(r.jitter for _, r in reports) / count
        rtts = [r.rtt for _, r in reports if r.rtt is not None]
        rtt = sum(rtts) / len(rtts) if rtts else 0.0
        self.loss = loss
        step = self._down_step(layers)
        settled = now - self._changed_at >= self._down_after and count >= 2
        if step is not None and step[0].exceeded(report.loss, report.rtt or 0.0, report.jitter):
            window.over += 1
        else:
            window.over = 0
        if (
            settled
            and step is not None
            and step[0].exceeded(loss, rtt, jitter)  # over the window,
            and window.over >= OVER_IN_A_ROW[step[1]]  # and in the latest measurements
        ):
            if step[1] is Level.AUDIO and self._probe_started is not None:
                self._backoff = min(self._backoff * 2, self._probe_max)  # the probe failed
                self._probe_started = None
            self._set(step[1])
        else:
            self._maybe_up(now, window.clean_since, layers)
        return self.level if self.level is not before else None

    def stayed(self, level: Level) -> None:
        """A move to another layer failed (it sent no keyframe): the viewer is still on
        `level`'s layer, and its reports from now on are about that one."""
        self._set(level)

    def moved(self) -> None:
        """The viewer's video now comes from its level's layer (the move's keyframe went out):
        what was measured while it waited, on the old layer, says nothing about this one, and
        the time to stay before a step down counts from here."""
        self._changed_at = self._clock()
        self._windows = {kind: _Window() for kind in KINDS}

    def idle(self, kind: str) -> None:
        """Nothing of `kind` was sent since its last report (the stream paused, its publisher
        gone, or video off): what came before such a gap says nothing about the link after it,
        so its window and clean time start afresh."""
        self._windows[kind] = _Window()

    @property
    def judged_by(self) -> str:
        """The kind whose reports say whether this level holds: video while the viewer gets
        video, else audio (the only kind then sent)."""
        return "audio" if self.level.layer is None else "video"

    def _down_step(self, layers: int) -> tuple[Limits, Level] | None:
        """The limits of the current level, and the level below it."""
        if self.level is Level.HIGH:
            return (HIGH_LIMITS, Level.LOW) if layers > 1 else (LOW_LIMITS, Level.AUDIO)
        if self.level is Level.LOW:
            return LOW_LIMITS, Level.AUDIO
        if self.level is Level.AUDIO:
            return AUDIO_LIMITS, Level.TEXT
        return None

    def _maybe_up(self, now: float, clean_since: float | None, layers: int) -> None:
        if self._probe_started is not None and now - self._probe_started >= self._up_after:
            self._probe_started = None  # the probe held: a later fall starts the back-off afresh
            self._backoff = self._probe_after
        clean_for = 0.0 if clean_since is None else now - clean_since
        level = self.level
        if level is Level.TEXT and clean_for >= self._up_after:
            self._set(Level.AUDIO)
        elif level is Level.AUDIO and not self.manual:
            if now - self._changed_at >= self._backoff and clean_for >= self._down_after:
                self._set(Level.LOW if layers > 1 else Level.HIGH)
                self._probe_started = now
        elif level is Level.LOW and clean_for >= self._up_after:
            self._set(Level.HIGH)

    def _set(self, level: Level) -> None:
        """A new level: what was measured at the old one says nothing about it."""
        self.level = level
        self._changed_at = self._clock()
        self._windows = {kind: _Window() for kind in KINDS}
