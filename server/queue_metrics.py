"""Lines and waits in /metrics: per booth of the fairs that have pages open on this node.

Read from the same fold of a fair's facts the live dashboard reads (rooms/reports/tally.py), fed
with the facts since the last scrape, so a scrape costs what happened since the one before; the
numbers follow from the facts alone, so every node serving a fair exports the same ones (a
dashboard takes `max by (fair, booth)`). A fair's tally is dropped once no page of it is open
here, so the map shrinks with the fairs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator

from prometheus_client.core import GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.registry import Collector
from redis.exceptions import RedisError

from rooms.reports.reader import Reports
from rooms.reports.tally import Tally

log = logging.getLogger(__name__)

REFRESH_TIMEOUT = 2.0  # seconds a scrape may spend reading new facts; then it shows the last


class QueueCollector(Collector):
    def __init__(self, reports: Reports, fair_ids: Callable[[], list[str]]) -> None:
        """`fair_ids`: the fairs with pages open on this node (server/ws/hub.py)."""
        self._reports = reports
        self._fair_ids = fair_ids
        self._tallies: dict[str, Tally] = {}
        self._now = 0.0
        self._lock = asyncio.Lock()  # two scrapes at once must not feed one tally twice

    def fairs(self) -> int:
        """Fairs tallied here (a test checks that the map shrinks)."""
        return len(self._tallies)

    async def refresh(self) -> None:
        """Fold each served fair's new facts; on a Redis failure the last figures stay."""
        async with self._lock:
            served = set(self._fair_ids())
            for gone in self._tallies.keys() - served:
                del self._tallies[gone]
            try:
                async with asyncio.timeout(REFRESH_TIMEOUT):
                    for fair_id in served:
                        tally = self._tallies.get(fair_id)
                        self._tallies[fair_id] = await self._reports.tally(fair_id, tally)
                    self._now = await self._reports.clock()
            except (RedisError, TimeoutError) as exc:
                log.warning("queue metrics not refreshed: %s", type(exc).__name__)

    def collect(self) -> Iterator[Metric]:
        labels = ["fair", "booth"]
        waiting = GaugeMetricFamily(
            "jobfair_queue_waiting", "People waiting in a booth's line", labels=labels
        )
        longest = GaugeMetricFamily(
            "jobfair_queue_longest_wait_seconds",
            "How long the first person in a booth's line has waited",
            labels=labels,
        )
        calling = GaugeMetricFamily(
            "jobfair_queue_calls", "Calls under way: called, not yet come or ended", labels=labels
        )
        waited = SummaryMetricFamily(
            "jobfair_queue_wait_seconds",
            "Waits from joining a booth's line to being called",
            labels=labels,
        )
        for fair_id, tally in self._tallies.items():
            for booth_id, booth in tally.booths.items():
                if not booth.joined:
                    continue
                key = [fair_id, booth_id]
                waiting.add_metric(key, len(booth.line))
                first = min(booth.line.values(), default=self._now)
                longest.add_metric(key, max(0.0, self._now - first))
                calling.add_metric(key, len(booth.calling))
                waited.add_metric(key, count_value=len(booth.waits), sum_value=sum(booth.waits))
        yield from (waiting, longest, calling, waited)
