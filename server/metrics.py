"""Prometheus metrics of one app (its own registry: tests build several apps in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.connections = Gauge(
            "jobfair_ws_connections", "Open websocket connections", registry=self.registry
        )
        self.messages_in = Counter(
            "jobfair_ws_messages_in", "Websocket messages received", registry=self.registry
        )
        self.messages_out = Counter(
            "jobfair_ws_messages_out", "Websocket messages sent", registry=self.registry
        )
        self.errors = Counter(
            "jobfair_errors", "Refusals and failures by kind", ["kind"], registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
