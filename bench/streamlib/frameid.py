"""Frame identity carried in RTP timestamps, so viewers need not decode anything.

Every server keeps the *differences* between a stream's RTP timestamps (a passthrough server
rewrites only the origin; aiortc's ``MediaRelay`` decodes, keeps ``frame.pts`` and re-encodes
with a new random origin). So the publisher gives frame ``i`` the timestamp
``i * 3000 + jitter(i)`` (90 kHz, 30 fps) with a pseudo-random jitter below 10 ms: a viewer's
timestamps then equal the publisher's plus one unknown constant, and only the right constant
maps a run of the viewer's timestamps onto the publisher's. Matching is done after the run,
with both sides' monotonic clock readings (one machine, one clock). It tolerates a tick or two of
rounding: ``MediaRelay`` loses one tick on some frames converting pts between time bases.
"""

from __future__ import annotations

from collections.abc import Sequence

CLOCK_RATE = 90_000
FPS = 30
TICKS_PER_FRAME = CLOCK_RATE // FPS
JITTER_TICKS = 900  # < 10 ms: decoders and servers do not care, yet a wrong match is ~1/180
TOLERANCE_TICKS = 2
_MASK = (1 << 32) - 1
_NEAR = sorted(range(-TOLERANCE_TICKS, TOLERANCE_TICKS + 1), key=abs)


def jitter(index: int) -> int:
    """A deterministic pseudo-random offset in ``[0, JITTER_TICKS)`` for frame ``index``."""
    x = (index * 0x9E3779B97F4A7C15) & ((1 << 64) - 1)
    x ^= x >> 31
    x = (x * 0xBF58476D1CE4E5B9) & ((1 << 64) - 1)
    x ^= x >> 29
    return x % JITTER_TICKS


def frame_pts(index: int) -> int:
    """The 90 kHz presentation timestamp the publisher gives frame ``index``."""
    return index * TICKS_PER_FRAME + jitter(index)


def find_offset(
    viewer_ts: Sequence[int],
    viewer_t: Sequence[float],
    pub_t: Sequence[float],
    probe: int = 40,
    horizon_s: float = 20.0,
) -> int | None:
    """The constant ``viewer_ts - pts (mod 2**32)`` of one viewer, or None if nothing fits.

    Candidates pair one of the viewer's first frames with every frame the publisher sent in the
    ``horizon_s`` before it arrived; the candidate that maps most of the first ``probe`` frames
    onto exact publisher timestamps wins, and it must map at least half of them.
    """
    if not viewer_ts:
        return None
    lookup = index_map(len(pub_t))
    sample = viewer_ts[:probe]
    best, best_score = None, 0
    for anchor in range(min(3, len(viewer_ts))):
        arrival = viewer_t[anchor]
        for i, sent in enumerate(pub_t):
            if sent > arrival or sent < arrival - horizon_s:
                continue
            offset = (viewer_ts[anchor] - frame_pts(i)) & _MASK
            score = sum(find_index(lookup, ts, offset) is not None for ts in sample)
            if score > best_score:
                best, best_score = offset, score
        if best_score * 2 >= len(sample):
            return best
    return None


def index_map(count: int) -> dict[int, int]:
    """``pts mod 2**32 -> frame index`` for the first ``count`` frames."""
    return {frame_pts(i) & _MASK: i for i in range(count)}


def find_index(lookup: dict[int, int], viewer_ts: int, offset: int) -> int | None:
    """The publisher's index of the frame a viewer saw with timestamp ``viewer_ts``."""
    pts = viewer_ts - offset
    for delta in _NEAR:
        index = lookup.get((pts + delta) & _MASK)
        if index is not None:
            return index
    return None
