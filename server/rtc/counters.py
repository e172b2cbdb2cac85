"""Running totals of one hub's media path, for /metrics (server/media_metrics.py reads them).

Plain integers on one object that every connection of the hub shares (through `PeerSetup`),
bumped at most once per frame and viewer, where the code already loops: a call into a metrics
library per packet would cost more than the packet's own header. They only grow; a scrape turns
them into Prometheus counters.
"""

from dataclasses import dataclass


@dataclass(slots=True)
class MediaCounters:
    frames_received: int = 0  # encoded frames from publishers, audio and video
    packets_sent: int = 0  # RTP packets written to viewers (retransmissions not included)
    packets_dropped: int = 0  # RTP packets a viewer did not get: it lagged or awaited a keyframe
    retransmissions: int = 0  # packets resent on a viewer's NACK
    keyframe_requests: int = 0  # for viewers, unless merged into a pending one
    plis_sent: int = 0  # what the rate limit let through to publishers (keyframes.py)
    relay_legs: int = 0  # cascade legs made: this node viewing a stream another node holds
