"""Connection facts: who was connected to the fair, and who watched which booth, and when.

Only the node holding a websocket knows these, so each node records a period's open and close
facts itself (`period_*.lua`) and vouches for its open periods with a lease per fair, renewed a
few times per lease. A node that dies closes nothing: whichever node next finds its lease run out
closes its open periods at the moment the lease ran out (as the queue's presence leases do), so
a crash costs at most one lease of overcounted presence, never a period open forever.
"""

from __future__ import annotations

from redis.asyncio import Redis

from rooms.nodes import LEASE_SECONDS
from rooms.store import keys
from rooms.store.scripts import Scripts


class Periods:
    def __init__(self, redis: Redis, scripts: Scripts, lease: float = LEASE_SECONDS) -> None:
        self.redis = redis
        self.scripts = scripts
        self.lease = lease

    async def open(
        self,
        fair_id: str,
        node_id: str,
        period_id: str,
        kind: str,
        user_id: str,
        role: str,
        booth_id: str | None,
    ) -> bool:
        """`kind` c (connected to the fair; `booth_id`: a recruiter's own) or v (watching the
        booth `booth_id`). False when the period was open already."""
        opened = await self.scripts.run(
            "period_open",
            [
                keys.facts(fair_id),
                keys.open_periods(fair_id, node_id),
                keys.period_leases(fair_id),
            ],
            [node_id, self.lease, period_id, kind, user_id, role, booth_id or ""],
        )
        return bool(opened)

    async def close(self, fair_id: str, node_id: str, period_id: str) -> bool:
        closed = await self.scripts.run(
            "period_close",
            [keys.facts(fair_id), keys.open_periods(fair_id, node_id)],
            [period_id],
        )
        return bool(closed)

    async def renew(self, fair_id: str, node_id: str) -> bool:
        """Vouch for the node's open periods a lease longer; True when the lease had run out
        (the caller opens its periods again: another node may have closed them)."""
        lapsed = await self.scripts.run(
            "period_renew", [keys.period_leases(fair_id)], [node_id, self.lease]
        )
        return bool(lapsed)

    async def reap(self, fair_id: str) -> int:
        """Close the open periods of every node whose lease in the fair ran out; returns how
        many. Two nodes reaping at once close each period once."""
        leases = keys.period_leases(fair_id)
        expired: list[str] = await self.scripts.run("period_expired", [leases], [])
        closed = 0
        for node_id in expired[::2]:
            closed += int(
                await self.scripts.run(
                    "period_reap",
                    [keys.facts(fair_id), leases, keys.open_periods(fair_id, node_id)],
                    [node_id],
                )
            )
        return closed
