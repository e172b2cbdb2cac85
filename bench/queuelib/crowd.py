"""A fair for the queue benchmarks, written straight through the domain: booths with a recruiter
each and N registered workers, plus the session cookies a node signed with `secret` accepts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.models import BoothInput, FairInput, Participant
from rooms.people import People
from rooms.store.scripts import Scripts
from server.auth import SESSION_COOKIE, Tokens

FAIR = {
    "title": "Bench fair",
    "starts_at": "2026-11-26T08:00:00Z",
    "ends_at": "2026-11-26T18:00:00Z",
}


@dataclass
class Crowd:
    fair_id: str
    booths: list[str]
    recruiters: list[Participant]  # one per booth, same order
    workers: list[Participant]
    tokens: Tokens

    @property
    def path(self) -> str:
        return f"/ws/fairs/{self.fair_id}"

    def cookie(self, who: Participant) -> str:
        return f"{SESSION_COOKIE}={self.tokens.session(who)}"


async def gather_crowd(redis_url: str, secret: str, workers: int, booths: int = 1) -> Crowd:
    redis = Redis.from_url(redis_url, decode_responses=True)
    try:
        scripts = Scripts(redis)
        fairs, people = Fairs(redis, scripts), People(redis, scripts)
        fair = await fairs.create_fair(FairInput.model_validate(FAIR))
        booth_ids, recruiters = [], []
        for b in range(booths):
            form = BoothInput.model_validate({"employer": f"Bench employer {b}"})
            booth = (await fairs.create_booth(fair.id, form)).id
            booth_ids.append(booth)
            recruiters.append(await people.add_recruiter(fair.id, booth, f"Recruiter {b}"))
        crowd: list[Participant] = []
        for start in range(0, workers, 50):
            crowd += await asyncio.gather(
                *(
                    people.register_worker(fair.id, {"name": f"W{i}", "contact": "0912345678"})
                    for i in range(start, min(workers, start + 50))
                )
            )
    finally:
        await redis.aclose()
    return Crowd(fair.id, booth_ids, recruiters, crowd, Tokens(secret, 24, 7))
