"""/metrics of a real node: what deploy/grafana/jobfair.json queries is served, lines and waits
per booth, the Redis round trip and the event-loop lag measured while the node runs."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.people import People
from rooms.reports.reader import Reports
from server.queue_metrics import QueueCollector
from tests.clients import FAIR_INPUT, Fixture, connect, ok
from tests.procs import ROOT

DASHBOARD = ROOT / "deploy" / "grafana" / "jobfair.json"
METRIC_NAME = re.compile(r"\bjobfair_[a-z0-9_]+\b")


async def scrape(base: str) -> list[Sample]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{base}/metrics")
    assert response.status_code == 200
    return [s for f in text_string_to_metric_families(response.text) for s in f.samples]


def value(samples: list[Sample], name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and labels.items() <= s.labels.items()]
    assert len(found) == 1, (name, labels, found)
    return found[0]


async def test_every_metric_the_dashboard_queries_is_served(fx: Fixture) -> None:
    worker = await connect(fx, fx.worker)
    await ok(worker, "queue.join", {"booth_id": fx.booth_a.id})  # a line: the queue series
    refused = await worker.request("queue.call_next", {"booth_id": fx.booth_a.id})
    assert refused["type"] == "error"  # a refusal: the errors series
    served = {s.name for s in await scrape(fx.base)}
    await worker.close()

    used = set(METRIC_NAME.findall(DASHBOARD.read_text()))
    assert len(used) >= 20, used  # the dashboard's queries, not an empty file
    assert used - served == set()
    json.loads(DASHBOARD.read_text())  # Grafana imports JSON: it must parse


async def test_lines_and_waits_are_exported_per_booth(fx: Fixture, people: People) -> None:
    first = await people.register_worker(fx.fair.id, {"name": "An", "contact": "0912345678"})
    ws1, ws2 = await connect(fx, first), await connect(fx, fx.worker)
    await ok(ws1, "queue.join", {"booth_id": fx.booth_a.id})
    await ok(ws2, "queue.join", {"booth_id": fx.booth_a.id})
    await ok(ws2, "queue.join", {"booth_id": fx.booth_b.id})
    await asyncio.sleep(1.1)
    fair, a, b = fx.fair.id, fx.booth_a.id, fx.booth_b.id

    before = await scrape(fx.base)
    assert value(before, "jobfair_queue_waiting", fair=fair, booth=a) == 2
    assert value(before, "jobfair_queue_waiting", fair=fair, booth=b) == 1
    assert value(before, "jobfair_queue_longest_wait_seconds", fair=fair, booth=a) >= 1
    recruiter = await connect(fx, fx.recruiter_a)
    await ok(recruiter, "queue.call_next", {"booth_id": a})

    after = await scrape(fx.base)
    assert value(after, "jobfair_queue_waiting", fair=fair, booth=a) == 1
    assert value(after, "jobfair_queue_calls", fair=fair, booth=a) == 1
    assert value(after, "jobfair_queue_wait_seconds_count", fair=fair, booth=a) == 1
    assert value(after, "jobfair_queue_wait_seconds_sum", fair=fair, booth=a) >= 1
    for ws in (ws1, ws2, recruiter):
        await ws.close()


async def test_redis_round_trips_and_event_loop_lag_are_measured_while_the_node_runs(
    fx: Fixture,
) -> None:
    first = await scrape(fx.base)
    await asyncio.sleep(1.2)  # the probe pings every 0.5 s, the lag is measured every 0.25 s
    then = await scrape(fx.base)
    for name in ("jobfair_redis_rtt_seconds_count", "jobfair_event_loop_lag_seconds_count"):
        assert value(then, name) >= value(first, name) + 2, name
    rtt = value(then, "jobfair_redis_rtt_seconds_sum") / value(
        then, "jobfair_redis_rtt_seconds_count"
    )
    assert 0 < rtt < 0.5
    assert value(then, "jobfair_redis_up") == 1


async def test_a_fair_no_longer_served_here_is_forgotten(redis: Redis, fairs: Fairs) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    served = [fair.id]
    collector = QueueCollector(Reports(redis), lambda: served)
    await collector.refresh()
    assert collector.fairs() == 1
    served.clear()  # its last page closed
    await collector.refresh()
    assert collector.fairs() == 0
