"""Server nodes' leases: whatever a node holds (a booth's media, its clients' presence) is only
trusted while its lease lives, so a node that crashes is noticed by the others within a TTL."""

from __future__ import annotations

import secrets

from redis.asyncio import Redis

from rooms.store import keys

LEASE_SECONDS = 15


def new_node_id() -> str:
    return secrets.token_hex(6)


class Nodes:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def renew(self, node_id: str) -> None:
        await self.redis.set(keys.node_lease(node_id), "1", ex=LEASE_SECONDS)

    async def release(self, node_id: str) -> None:
        await self.redis.delete(keys.node_lease(node_id))

    async def alive(self, node_ids: set[str]) -> set[str]:
        if not node_ids:
            return set()
        ordered = sorted(node_ids)
        found = await self.redis.exists(*(keys.node_lease(n) for n in ordered))
        if found == len(ordered):
            return set(ordered)
        async with self.redis.pipeline(transaction=False) as pipe:
            for n in ordered:
                pipe.exists(keys.node_lease(n))
            flags = await pipe.execute()
        return {n for n, flag in zip(ordered, flags, strict=True) if flag}
