"""Fairs, booths and job postings: what the lobby shows."""

from __future__ import annotations

import time
from typing import Any

from redis.asyncio import Redis

from rooms.errors import Conflict, NotFound
from rooms.events import Event
from rooms.models import Booth, BoothInput, Fair, FairInput, Job, JobInput, Participant
from rooms.permissions import Action, require
from rooms.store import keys
from rooms.store.records import Records, new_id
from rooms.store.scripts import Scripts, Stale
from rooms.streams import StreamState
from rooms.validation import fields_of, merge


def _public(model: Booth | Job | Fair) -> dict[str, Any]:
    return model.model_dump(mode="json")


class Fairs:
    def __init__(self, redis: Redis, scripts: Scripts) -> None:
        self.redis = redis
        self.scripts = scripts
        self.records = Records(redis, scripts)

    # --- fairs -------------------------------------------------------------------------------

    async def create_fair(self, data: FairInput) -> Fair:
        fair = Fair(id=new_id(), created_at=time.time(), **fields_of(FairInput, data))
        await self._put_fair(fair, "create", "")
        return fair

    async def update_fair(self, fair_id: str, patch: dict[str, Any]) -> Fair:
        """`patch`: some editable fields; validated as a whole with the others."""
        for _ in range(8):
            raw: str | None = await self.redis.get(keys.fair(fair_id))  # type: ignore[assignment]
            if raw is None:
                raise NotFound("no such fair")
            current = Fair.model_validate_json(raw)
            fair = current.model_copy(update=dict(merge(FairInput, current, patch)))
            try:
                await self._put_fair(fair, "replace", raw)
            except Stale:
                continue
            return fair
        raise Conflict("the fair is being changed by someone else; try again")

    async def _put_fair(self, fair: Fair, mode: str, expected: str) -> None:
        event = Event("fair.updated", _public(fair))
        await self.scripts.run(
            "put_fair",
            [keys.FAIRS, keys.fair(fair.id), keys.rev(fair.id)],
            [
                fair.id,
                fair.model_dump_json(),
                mode,
                fair.created_at,
                expected,
                keys.events(fair.id),
                event.encode(),
            ],
        )

    async def get_fair(self, fair_id: str) -> Fair:
        raw = await self.redis.get(keys.fair(fair_id))
        if raw is None:
            raise NotFound("no such fair")
        return Fair.model_validate_json(raw)

    async def list_fairs(self) -> list[Fair]:
        ids: list[str] = await self.redis.zrange(keys.FAIRS, 0, -1)  # type: ignore[assignment]
        if not ids:
            return []
        raws = await self.redis.mget([keys.fair(i) for i in ids])
        return [Fair.model_validate_json(r) for r in raws if r is not None]

    # --- booths ------------------------------------------------------------------------------

    async def create_booth(self, fair_id: str, data: BoothInput) -> Booth:
        booth = Booth(
            id=new_id(), fair_id=fair_id, created_at=time.time(), **fields_of(BoothInput, data)
        )
        event = Event("booth.created", _public(booth))
        await self.records.create(fair_id, keys.booths(fair_id), booth.id, booth, event)
        return booth

    async def update_booth(self, fair_id: str, booth_id: str, patch: dict[str, Any]) -> Booth:
        def change(current: Booth) -> Booth:
            return current.model_copy(update=dict(merge(BoothInput, current, patch)))

        return await self._replace_booth(fair_id, booth_id, change)

    async def set_booth_logo(self, fair_id: str, booth_id: str, logo: str) -> tuple[Booth, str]:
        """Returns the booth and the name of the logo file it replaced ('' if none)."""
        replaced = ""

        def change(current: Booth) -> Booth:
            nonlocal replaced
            replaced = current.logo
            return current.model_copy(update={"logo": logo})

        return await self._replace_booth(fair_id, booth_id, change), replaced

    async def _replace_booth(self, fair_id: str, booth_id: str, change: Any) -> Booth:
        return await self.records.replace(
            fair_id,
            keys.booths(fair_id),
            booth_id,
            Booth,
            change,
            lambda b: Event("booth.updated", _public(b)),
            "booth",
        )

    async def get_booth(self, fair_id: str, booth_id: str) -> Booth:
        return await self.records.get(keys.booths(fair_id), booth_id, Booth, "booth")

    # --- jobs --------------------------------------------------------------------------------

    async def create_job(self, fair_id: str, booth_id: str, data: JobInput) -> Job:
        job = Job(
            id=new_id(), booth_id=booth_id, created_at=time.time(), **fields_of(JobInput, data)
        )
        event = Event("job.created", _public(job))
        await self.records.create(
            fair_id, keys.jobs(fair_id), job.id, job, event, parent=(keys.booths(fair_id), booth_id)
        )
        return job

    async def get_job(self, fair_id: str, job_id: str) -> Job:
        return await self.records.get(keys.jobs(fair_id), job_id, Job, "job")

    async def update_job(
        self, fair_id: str, who: Participant, job_id: str, patch: dict[str, Any]
    ) -> Job:
        """Editing jobs is allowed per booth: the job's booth is checked once it is read."""
        require(who, Action.EDIT_JOBS, fair_id, (await self.get_job(fair_id, job_id)).booth_id)

        def change(current: Job) -> Job:
            return current.model_copy(update=dict(merge(JobInput, current, patch)))

        return await self.records.replace(
            fair_id,
            keys.jobs(fair_id),
            job_id,
            Job,
            change,
            lambda j: Event("job.updated", _public(j)),
            "job",
        )

    async def delete_job(self, fair_id: str, who: Participant, job_id: str) -> Job:
        raw: str | None = await self.redis.hget(keys.jobs(fair_id), job_id)  # type: ignore[assignment]
        if raw is None:
            raise NotFound("no such job")
        job = Job.model_validate_json(raw)
        require(who, Action.EDIT_JOBS, fair_id, job.booth_id)
        event = Event("job.deleted", {"id": job.id, "booth_id": job.booth_id})
        await self.records.delete(fair_id, keys.jobs(fair_id), job_id, raw, event)
        return job

    # --- the lobby ---------------------------------------------------------------------------

    async def snapshot(self, fair_id: str) -> dict[str, Any]:
        """The whole lobby at one revision, with which booths are live (one MULTI: consistent)."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.get(keys.fair(fair_id))
            pipe.hvals(keys.booths(fair_id))
            pipe.hvals(keys.jobs(fair_id))
            pipe.get(keys.rev(fair_id))
            pipe.hvals(keys.streams(fair_id))
            pipe.hget(keys.stage(fair_id), "guest")
            fair_raw, booth_raws, job_raws, rev, stream_raws, guest = await pipe.execute()
        if fair_raw is None:
            raise NotFound("no such fair")
        booths = sorted(
            (Booth.model_validate_json(r) for r in booth_raws), key=lambda b: b.created_at
        )
        jobs = sorted((Job.model_validate_json(r) for r in job_raws), key=lambda j: j.created_at)
        return {
            "rev": int(rev or 0),
            "fair": _public(Fair.model_validate_json(fair_raw)),
            "booths": [_public(b) for b in booths],
            "jobs": [_public(j) for j in jobs],
            "streams": {
                s.booth_id: s.public()
                for s in (StreamState.model_validate_json(r) for r in stream_raws)
            },
            "stage_guest": guest or None,
        }
