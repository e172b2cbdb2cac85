"""The media path in /metrics: each stream hub's streams and viewers now, and its totals.

Read when Prometheus scrapes, from what the hubs keep anyway (`StreamHub.stats()`, and the plain
counters of server/rtc/counters.py), so forwarding a packet costs nothing here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from server.rtc.hub import StreamHub

GAUGES = (  # (name, help, the HubStats field)
    ("jobfair_rtc_streams", "Streams held here, live or awaiting a publisher", "streams"),
    ("jobfair_rtc_streams_live", "Streams whose publisher's media is flowing", "live_streams"),
    ("jobfair_rtc_publishers", "Publisher connections", "publishers"),
    ("jobfair_rtc_viewers", "Viewer connections", "viewers"),
)
COUNTERS = (  # (name without _total, help, the MediaCounters field)
    ("jobfair_rtc_frames_received", "Encoded frames received from publishers", "frames_received"),
    ("jobfair_rtc_packets_sent", "RTP packets forwarded to viewers", "packets_sent"),
    (
        "jobfair_rtc_packets_dropped",
        "RTP packets not sent to a viewer that lagged or awaited a keyframe",
        "packets_dropped",
    ),
    ("jobfair_rtc_retransmissions", "RTP packets resent on a viewer's NACK", "retransmissions"),
    (
        "jobfair_rtc_keyframe_requests",
        "Keyframes needed by viewers (requests merged into a pending one not counted)",
        "keyframe_requests",
    ),
    ("jobfair_rtc_plis_sent", "Keyframe requests (PLI) sent to publishers", "plis_sent"),
    (
        "jobfair_rtc_relay_legs",
        "Cascade legs made to view a stream another node holds",
        "relay_legs",
    ),
)


# Per hub, the viewers with the most loss that get series of their own: a big fair's thousands
# of viewers would each make series (more with every reload), and a weak link is what an
# operator looks for; stream_viewers_by_level still counts them all.
VIEWER_SERIES = 50


def _connection(viewer_id: str) -> str:
    """The connection part of `participant:connection` (who watched which booth is nobody's
    business in /metrics); a relay viewer's `relay:node` names the node."""
    return viewer_id.partition(":")[2] or viewer_id


class MediaCollector(Collector):
    """`hubs`: label value -> hub (`booth` streams, `interview` rooms)."""

    def __init__(self, hubs: Mapping[str, StreamHub]) -> None:
        self._hubs = hubs

    def collect(self) -> Iterator[Metric]:
        stats = {label: hub.stats() for label, hub in self._hubs.items()}
        for name, help_, field in GAUGES:
            gauge = GaugeMetricFamily(name, help_, labels=["hub"])
            for label, s in stats.items():
                gauge.add_metric([label], getattr(s, field))
            yield gauge
        yield from self._links()
        for name, help_, field in COUNTERS:
            counter = CounterMetricFamily(name, help_, labels=["hub"])
            for label, hub in self._hubs.items():
                counter.add_metric([label], getattr(hub.counters, field))
            yield counter

    def _links(self) -> Iterator[Metric]:
        """Per viewer (the `VIEWER_SERIES` with the most loss, labelled by connection id
        only), its level and recent loss; per stream, how many viewers are on each level. A
        viewer's series end when it leaves: they are read from the hub at each scrape."""
        level = GaugeMetricFamily(
            "jobfair_rtc_viewer_level",
            "1 for the level a viewer is on: high or low video layer, audio only, or text",
            labels=["hub", "stream", "viewer", "level"],
        )
        loss = GaugeMetricFamily(
            "jobfair_rtc_viewer_loss_ratio",
            "Share of a viewer's packets lost lately (from its receiver reports and NACKs)",
            labels=["hub", "stream", "viewer"],
        )
        by_level = GaugeMetricFamily(
            "jobfair_rtc_stream_viewers_by_level",
            "Viewers of a stream on each level (text counts as audio)",
            labels=["hub", "stream", "level"],
        )
        for label, hub in self._hubs.items():
            links = sorted(hub.viewer_links(), key=lambda link: link.loss, reverse=True)
            for link in links[:VIEWER_SERIES]:
                viewer = _connection(link.viewer_id)
                level.add_metric([label, link.stream_id, viewer, link.level.value], 1)
                loss.add_metric([label, link.stream_id, viewer], link.loss)
            for stream_id, counts in hub.levels().items():
                for name, count in counts.items():
                    by_level.add_metric([label, stream_id, name], count)
        yield from (level, loss, by_level)
