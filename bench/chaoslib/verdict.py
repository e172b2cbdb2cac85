"""What a fault did, from the lines left in Redis and the pages' timed records.

- lost: an acknowledged join whose entry is not in its booth's line;
- duplicated: a worker in the same line more than once (one per extra entry);
- reordered: an acknowledged entry B placed ahead of an entry A whose ack arrived before B's join
  was first sent (A happened before B, so A must stay ahead; joins that overlapped in time may
  land in either order, and are not counted);
- recovered: the moment every surviving node's /healthz answered 200 to a probe sent after the
  fault ended, every join in flight during the fault was answered, and every page that lost its
  socket was connected again with a `queue.mine` answer showing all its acknowledged places.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from redis.asyncio import Redis

from bench.chaoslib.cluster import Probe
from bench.chaoslib.page import Change, Page
from rooms.store import keys


@dataclass
class Tally:
    lost: int = 0
    duplicated: int = 0
    reordered: int = 0


async def tally(redis_url: str, fair_id: str, booths: list[str], changes: list[Change]) -> Tally:
    redis = Redis.from_url(redis_url, decode_responses=True)
    try:
        entries = await redis.hgetall(keys.queue_entries(fair_id))
        lines = {b: await redis.zrange(keys.queue_line(fair_id, b), 0, -1) for b in booths}
    finally:
        await redis.aclose()
    out = Tally()
    for booth, line in lines.items():
        workers = [json.loads(entries[e])["worker_id"] for e in line if e in entries]
        out.duplicated += len(workers) - len(set(workers))
        place: dict[str, int] = {str(entry): i for i, entry in enumerate(line)}
        acked = [c for c in changes if c.booth == booth and c.entry is not None]
        out.lost += sum(c.entry not in place for c in acked)
        out.reordered += reordered([c for c in acked if c.entry in place], place)
    return out


def reordered(acked: list[Change], place: dict[str, int]) -> int:
    """How many entries sit ahead of one acknowledged before they were sent (see above)."""
    by_ack = sorted(acked, key=lambda c: c.answered or 0.0)
    furthest, i, count = -1, 0, 0  # furthest place of the entries acked before this one was sent
    for change in sorted(acked, key=lambda c: c.sent):
        while i < len(by_ack) and (by_ack[i].answered or 0.0) < change.sent:
            furthest = max(furthest, place[by_ack[i].entry or ""])
            i += 1
        count += furthest > place[change.entry or ""]
    return count


def recovered_at(
    pages: list[Page], probes: list[Probe], alive: list[int], fault_at: float, ended_at: float
) -> tuple[float | None, str]:
    """When everything was back (see above), or None and what never was."""
    times = [fault_at]
    for port in alive:
        ok = [
            p.ended or 0.0
            for p in probes
            if p.port == port and p.sent >= ended_at and p.status == 200
        ]
        if not ok:
            return None, f"/healthz of the node on port {port}"
        times.append(min(ok))
    changes = [c for page in pages for c in page.changes]
    hit = [
        c for c in changes if c.sent <= ended_at and (c.answered is None or c.answered > fault_at)
    ]
    if waiting := sum(c.answered is None for c in hit):
        return None, f"answers to {waiting} joins sent during the fault"
    times += [c.answered or 0.0 for c in hit]
    dropped = [page for page in pages if page.drops and page.drops[-1] > fault_at]
    shown = [[t for t in page.seen if t > page.drops[-1]] for page in dropped]
    if behind := sum(not s for s in shown) + sum(not p.ready.is_set() for p in dropped):
        return None, f"{behind} dropped pages never back with their places shown"
    times += [s[0] for s in shown]
    return max(times), ""
