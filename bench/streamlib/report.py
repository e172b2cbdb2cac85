"""The printed table, the per-viewer cost slopes and the final RESULT line."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence

from .runner import Point


def _median(points: Sequence[Point], target: str, n: int, key: Callable[[Point], float]) -> float:
    values = [key(p) for p in points if p.target == target and p.viewers == n]
    return statistics.median(values) if values else math.nan


def slope(points: Sequence[Point], target: str, n: int) -> float:
    """Server CPU ms per viewer-second between 1 and ``n`` viewers (fixed cost cancels).

    Uses the median of the repeats at each end; NaN when either end is missing.
    """
    if n <= 1:
        return math.nan
    at_n = _median(points, target, n, lambda p: p.server_ms_per_s)
    at_1 = _median(points, target, 1, lambda p: p.server_ms_per_s)
    return (at_n - at_1) / (n - 1)


def edge_slope(points: Sequence[Point], target: str, n: int) -> float:
    """A cascade's second node (its viewers' node): CPU ms per viewer-second from 1 to ``n``."""
    if n <= 1:
        return math.nan
    at_n = _median(points, target, n, lambda p: p.edge_ms_per_s)
    at_1 = _median(points, target, 1, lambda p: p.edge_ms_per_s)
    return (at_n - at_1) / (n - 1)


def origin_ms_per_s(points: Sequence[Point], target: str, n: int) -> float:
    """A cascade's first node (the publisher's): CPU ms per second with ``n`` viewers."""
    return _median(points, target, n, lambda p: p.server_ms_per_s)


def delivered_min(points: Sequence[Point], target: str, n: int) -> float:
    return _median(points, target, n, lambda p: p.frames.delivered_min * 100)


def delay_p95(points: Sequence[Point], target: str, n: int) -> float:
    return _median(points, target, n, lambda p: p.frames.delay_p95_ms)


def _fmt(value: float, digits: int = 1) -> str:
    return "na" if math.isnan(value) else f"{value:.{digits}f}"


_HEADER = (
    f"{'target':<8} {'N':>4} {'srv ms/s':>9} {'ms/viewer-s':>11} {'RSS MB':>7} {'thr':>4} "
    f"{'slowest %':>9} {'mean %':>7} {'p50 ms':>7} {'p95 ms':>7} {'clients %':>9} "
    f"{'irq %':>6} {'other %':>8} {'load1':>6} {'edge ms/s':>9}"
)


NOISY_OTHER_PCT = 25.0  # foreign load (% of one core) above which a row is starred


def table(points: Sequence[Point], legend: bool = True) -> str:
    """One row per measured run; ``ms/viewer-s`` is the slope from N=1 to this row's N
    (medians of the repeats, so repeats share it); ``*`` marks runs with foreign load."""
    lines = [_HEADER, "-" * len(_HEADER)]
    # cascade rows: "srv ms/s" is the origin node A, "edge ms/s" node B (viewers' node)
    for p in points:
        per_viewer = slope(points, p.target, p.viewers)
        lines.append(
            f"{p.target:<8} {p.viewers:>4} {p.server_ms_per_s:>9.1f} {_fmt(per_viewer, 2):>11} "
            f"{p.rss_mb:>7.1f} {p.server_threads:>4} {p.frames.delivered_min * 100:>9.1f} "
            f"{p.frames.delivered_mean * 100:>7.1f} {_fmt(p.frames.delay_p50_ms):>7} "
            f"{_fmt(p.frames.delay_p95_ms):>7} {p.client_cpu_pct:>9.0f} "
            f"{p.irq_cpu_pct:>6.0f} {p.other_cpu_pct:>8.0f} {p.load1:>6.2f} "
            f"{_fmt(p.edge_ms_per_s):>9}"
            + (" *" if p.other_cpu_pct > NOISY_OTHER_PCT else "")
            + (f"  ({p.frames.unmatched} viewers unmatched)" if p.frames.unmatched else "")
        )
    if legend:
        lines.append(
            f"* other work on the machine used > {NOISY_OTHER_PCT:.0f}% of a core during the run"
        )
    return "\n".join(lines)


REAL_TIME_DELIVERED = 99.0  # % of frames at the slowest viewer
REAL_TIME_P95_MS = 200.0


def summary(points: Sequence[Point], packets_per_s: float) -> str:
    """Per target: the cost slope at each N, per forwarded packet, and where it stops keeping up.

    "Real time" means the median run delivered at least 99% of frames to the slowest viewer
    with a p95 added delay under 200 ms.
    """
    lines = []
    for target in dict.fromkeys(p.target for p in points):
        counts = sorted({p.viewers for p in points if p.target == target})
        slopes = [f"{n}: {_fmt(slope(points, target, n), 2)}" for n in counts if n > 1]
        live = [
            n
            for n in counts
            if delivered_min(points, target, n) >= REAL_TIME_DELIVERED
            and delay_p95(points, target, n) < REAL_TIME_P95_MS
        ]
        line = f"{target}: server ms per viewer-second from N=1 to N={', '.join(slopes)}"
        if not slopes:
            line = f"{target}: no point above N=1, no per-viewer slope"
        if live and live[-1] > 1:
            per_packet = slope(points, target, live[-1]) / packets_per_s * 1000
            line += f"; at N={live[-1]}: {per_packet:.1f} us per packet sent to a viewer"
        line += f"; real time up to N={live[-1]}" if live else "; never real time"
        lines.append(line)
        if any(not math.isnan(p.edge_ms_per_s) for p in points if p.target == target):
            lines.append(
                f"{target}: origin (A) ms/s at N="
                + ", ".join(f"{n}: {_fmt(origin_ms_per_s(points, target, n))}" for n in counts)
                + "; edge (B) ms per viewer-second from N=1 to N="
                + ", ".join(f"{n}: {_fmt(edge_slope(points, target, n), 2)}" for n in counts[1:])
            )
    return "\n".join(lines)


def result_line(points: Sequence[Point], viewers: int, relay_n: int, nodes: int = 1) -> str:
    cascade = ""
    if nodes == 2:
        cascade = (
            f" nodes=2 origin_cpu_ms_per_s={_fmt(origin_ms_per_s(points, 'cascade', viewers))}"
            f" edge_ms_per_viewer_s={_fmt(edge_slope(points, 'cascade', viewers), 2)}"
        )
    return (
        f"RESULT viewers={viewers} "
        f"frames_delivered_min={_fmt(delivered_min(points, 'jobfair', viewers))} "
        f"delay_p95_ms={_fmt(delay_p95(points, 'jobfair', viewers))} "
        f"server_ms_per_viewer_s={_fmt(slope(points, 'jobfair', viewers), 2)} "
        f"relay_ms_per_viewer_s={_fmt(slope(points, 'relay', relay_n), 2)} "
        f"janus_ms_per_viewer_s={_fmt(slope(points, 'janus', viewers), 2)}" + cascade
    )
