"""From a viewer's raw samples (every 200 ms) to the figures of one run.

Freezes are measured from the samples, not only from Chromium's `totalFreezesDuration`: Chromium
counts a freeze when the next frame arrives, so a picture that never starts, or is still frozen
when the window ends, counts as no freeze at all there. Here a freeze is any stretch of more than
FREEZE_S without a newly decoded frame, including one still open at the end of the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FREEZE_S = 0.6

Sample = dict[str, Any]


def _at(samples: list[Sample], t: float) -> Sample:
    """The first sample taken at or after `t` (the last one if none)."""
    return next((s for s in samples if s["t"] >= t), samples[-1])


def _before(samples: list[Sample], t: float) -> Sample:
    """The last sample taken at or before `t` (the first one if none)."""
    found: Sample = next((s for s in reversed(samples) if s["t"] <= t), samples[0])
    return found


def _n(sample: Sample, kind: str, name: str) -> float:
    return float((sample.get(kind) or {}).get(name) or 0)


def _delta(a: Sample, b: Sample, kind: str, name: str) -> float:
    return _n(b, kind, name) - _n(a, kind, name)


def _seconds(a: Sample, b: Sample) -> float:
    return max(float(b["t"] - a["t"]) / 1000, 1e-9)


def _kbps(a: Sample, b: Sample, kind: str) -> float:
    return _delta(a, b, kind, "bytesReceived") * 8 / 1000 / _seconds(a, b)


def _loss_pct(a: Sample, b: Sample, kind: str) -> float:
    lost, got = _delta(a, b, kind, "packetsLost"), _delta(a, b, kind, "packetsReceived")
    return 100 * lost / (lost + got) if lost + got > 0 else 0.0


def _rtx_pct(a: Sample, b: Sample) -> float:
    """Share of the video bytes received that were retransmissions (answers to NACKs)."""
    total = _delta(a, b, "video", "bytesReceived")
    return 100 * _delta(a, b, "video", "retransmittedBytesReceived") / total if total > 0 else 0.0


def _concealed_pct(a: Sample, b: Sample) -> float:
    total = _delta(a, b, "audio", "totalSamplesReceived")
    return 100 * _delta(a, b, "audio", "concealedSamples") / total if total > 0 else 100.0


def _frozen_s(samples: list[Sample], start: float, end: float) -> float:
    frozen, last_new, decoded = 0.0, start, _n(_at(samples, start), "video", "framesDecoded")
    for s in samples:
        if not start < s["t"] <= end:
            continue
        now = _n(s, "video", "framesDecoded")
        if now > decoded:
            gap = (s["t"] - last_new) / 1000
            frozen += gap if gap > FREEZE_S else 0.0
            last_new, decoded = s["t"], now
    gap = (end - last_new) / 1000
    return frozen + (gap if gap > FREEZE_S else 0.0)


def _steps(samples: list[Sample], start: float, end: float) -> list[str]:
    steps: list[str] = []
    for s in samples:
        level = s.get("level") or "high"  # until the server moves it, it gets the large layer
        if start <= s["t"] <= end and (not steps or steps[-1] != level):
            steps.append(level)
    return steps


@dataclass
class Run:
    kind: str
    link: str
    publish: str
    first_frame_ms: float | None
    connected_ms: float | None
    fps: float
    freeze_s: float
    chromium_freeze_s: float
    chromium_freezes: int
    frames_dropped: int
    resolution: str
    video_kbps: float
    video_loss_pct: float
    video_rtx_pct: float
    jitter_ms: float
    nacks: int
    plis: int
    audio_kbps: float
    audio_loss_pct: float
    audio_concealed_pct: float
    ao_video_kbps: float
    ao_audio_kbps: float
    ao_audio_loss_pct: float
    ao_audio_concealed_pct: float
    video_stop_ms: float | None
    video_back_ms: float | None
    switch_ms: float | None  # first decoded frame -> the server put it on the low layer
    level_end: str  # the level the server had it on when the window ended
    levels: str  # every level it was on during the window, in order
    notice_ms: float | None  # page open -> the weak-link notice first shown
    window_s: float


def analyse(kind: str, link: str, publish: str, result: dict[str, Any]) -> Run:
    marks, samples = result["marks"], result["samples"]
    first = next((s["t"] for s in samples if _n(s, "video", "framesDecoded") > 0), None)
    connected = next((s["t"] for s in samples if s.get("pc") == "connected"), None)
    notice = next((s["t"] for s in samples if s.get("notice")), None)
    switched = marks.get("switched")
    a, b = _at(samples, marks["window_start"]), _before(samples, marks["window_end"])
    ao_a = _at(samples, marks["audio_only_start"])
    ao_b = _before(samples, marks["audio_only_end"])
    video = b.get("video") or {}
    back, stopped = marks.get("video_back"), marks.get("video_stopped")
    return Run(
        kind=kind,
        link=link,
        publish=publish,
        first_frame_ms=first,
        connected_ms=connected,
        fps=_delta(a, b, "video", "framesDecoded") / _seconds(a, b),
        freeze_s=_frozen_s(samples, a["t"], b["t"]),
        chromium_freeze_s=_delta(a, b, "video", "totalFreezesDuration"),
        chromium_freezes=int(_delta(a, b, "video", "freezeCount")),
        frames_dropped=int(_delta(a, b, "video", "framesDropped")),
        resolution=f"{video.get('frameWidth', 0)}x{video.get('frameHeight', 0)}",
        video_kbps=_kbps(a, b, "video"),
        video_loss_pct=_loss_pct(a, b, "video"),
        video_rtx_pct=_rtx_pct(a, b),
        jitter_ms=1000 * _n(b, "video", "jitter"),
        nacks=int(_delta(a, b, "video", "nackCount")),
        plis=int(_delta(a, b, "video", "pliCount")),
        audio_kbps=_kbps(a, b, "audio"),
        audio_loss_pct=_loss_pct(a, b, "audio"),
        audio_concealed_pct=_concealed_pct(a, b),
        ao_video_kbps=_kbps(ao_a, ao_b, "video"),
        ao_audio_kbps=_kbps(ao_a, ao_b, "audio"),
        ao_audio_loss_pct=_loss_pct(ao_a, ao_b, "audio"),
        ao_audio_concealed_pct=_concealed_pct(ao_a, ao_b),
        video_stop_ms=None if stopped is None else stopped - marks["audio_only_on"],
        video_back_ms=None if back is None else back - marks["video_back_on"],
        switch_ms=None if switched is None or first is None else switched - first,
        level_end=b.get("level") or "high",
        levels=">".join(_steps(samples, a["t"], b["t"])),
        notice_ms=notice,
        window_s=_seconds(a, b),
    )
