"""Turn the publisher's and viewers' logs into the figures of one point."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from . import frameid
from .viewers import ViewerLog


@dataclass(frozen=True)
class FrameStats:
    delivered_min: float  # share of the window's frames that reached the slowest viewer
    delivered_mean: float
    delay_p50_ms: float
    delay_p95_ms: float
    unmatched: int  # viewers whose timestamps could not be tied to the publisher's


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def analyse(
    sent: Sequence[float], viewers: Sequence[ViewerLog], t0: float, t1: float
) -> FrameStats:
    """Delivery and added delay of the frames the publisher sent in ``[t0, t1)``.

    A frame counts as delivered to a viewer if it arrived complete at any time before the logs
    were collected (the orchestrator waits a grace period after ``t1``); its delay is that
    arrival minus the publisher's send time.
    """
    window = [i for i, t in enumerate(sent) if t0 <= t < t1]
    if not window or not viewers:
        return FrameStats(0.0, 0.0, math.nan, math.nan, len(viewers))
    first, last = window[0], window[-1]
    lookup = frameid.index_map(len(sent))
    delays: list[float] = []
    shares: list[float] = []
    unmatched = 0
    for viewer in viewers:
        offset = frameid.find_offset(viewer.timestamps, viewer.arrivals, sent)
        if offset is None:
            unmatched += 1
            shares.append(0.0)
            continue
        seen: set[int] = set()
        for ts, arrival in zip(viewer.timestamps, viewer.arrivals, strict=True):
            index = frameid.find_index(lookup, ts, offset)
            if index is None or not first <= index <= last or index in seen:
                continue
            seen.add(index)
            delays.append((arrival - sent[index]) * 1000)
        shares.append(len(seen) / len(window))
    return FrameStats(
        delivered_min=min(shares),
        delivered_mean=sum(shares) / len(shares),
        delay_p50_ms=percentile(delays, 50),
        delay_p95_ms=percentile(delays, 95),
        unmatched=unmatched,
    )
