"""Interview records: made by `queue_outcome.lua` when a call is accepted, ended by "finish" (or
by the sweeper past the longest allowed). The interview room itself builds on these.

A record: id, entry_id, booth_id, worker_id, name, walk_in, job_id, recruiter_id (who called),
started_at, ended_at (0 while under way), duration (seconds), ending ('', finished, timeout).
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from rooms.errors import NotFound
from rooms.store import keys


class Interviews:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def get(self, fair_id: str, interview_id: str) -> dict[str, Any]:
        raw = await self.redis.hget(keys.interviews(fair_id), interview_id)
        if raw is None:
            raise NotFound("no such interview")
        found: dict[str, Any] = json.loads(raw)
        return found
