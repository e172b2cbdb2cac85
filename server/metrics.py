"""Prometheus metrics of one app (its own registry: tests build several apps in one process).

Counted where they happen: websocket traffic and refusals (server/ws/), Redis round trips (the
health probe, server/health.py), event-loop lag (server/loop_lag.py). Read when scraped: the
media path (server/media_metrics.py), lines and waits (server/queue_metrics.py), and the gauges
given a function here. What a dashboard shows of them: deploy/grafana/jobfair.json.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.registry import Collector

SEND_DROPS = ("queue_full", "send_timeout")  # why a client's websocket was dropped
# Redis answers a ping in well under a millisecond on loopback; the health probe gives up at 0.5 s
REDIS_RTT_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5)
LOOP_LAG_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._refreshes: list[Callable[[], Awaitable[None]]] = []
        self.connections = Gauge(
            "jobfair_ws_connections", "Open websocket connections", registry=self.registry
        )
        self.messages_in = Counter(
            "jobfair_ws_messages_in", "Websocket messages received", registry=self.registry
        )
        self.messages_out = Counter(
            "jobfair_ws_messages_out", "Websocket messages sent", registry=self.registry
        )
        # the send path is hot (thousands of frames per "call next"): it counts in a plain int,
        # added to `messages_out` when the metrics are read
        self.sent = 0
        self._sent_counted = 0
        self.errors = Counter(
            "jobfair_errors", "Refusals and failures by kind", ["kind"], registry=self.registry
        )
        self.send_drops = Counter(
            "jobfair_ws_send_queue_drops",
            "Clients dropped because they did not read their events",
            ["reason"],
            registry=self.registry,
        )
        for reason in SEND_DROPS:
            self.send_drops.labels(reason)  # shown at 0 from the start
        self.send_queued = Gauge(
            "jobfair_ws_send_queue_messages",
            "Events queued to clients, not yet sent",
            registry=self.registry,
        )
        self.redis_up = Gauge(
            "jobfair_redis_up",
            "1 while Redis answers and this node's events flow, else 0 (degraded)",
            registry=self.registry,
        )
        self.redis_rtt = Histogram(
            "jobfair_redis_rtt_seconds",
            "Round-trip time of the health probe's Redis pings",
            buckets=REDIS_RTT_BUCKETS,
            registry=self.registry,
        )
        self.loop_lag = Histogram(
            "jobfair_event_loop_lag_seconds",
            "How much later than asked a sleep on the event loop ended",
            buckets=LOOP_LAG_BUCKETS,
            registry=self.registry,
        )

    def collect_from(
        self, collector: Collector, refresh: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """Add a collector read on each scrape; `refresh` runs first, if it needs to await."""
        self.registry.register(collector)
        if refresh is not None:
            self._refreshes.append(refresh)

    async def render(self) -> bytes:
        self.messages_out.inc(self.sent - self._sent_counted)
        self._sent_counted = self.sent
        for refresh in self._refreshes:
            await refresh()
        return generate_latest(self.registry)
