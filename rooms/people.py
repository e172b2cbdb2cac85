"""Participants: service staff, fair moderators, booth recruiters and registered workers.

There are no passwords: a participant exists here, and a signed token (see server/auth.py) names
them. Removing a participant revokes every token that names them.
"""

from __future__ import annotations

import time
from typing import Any

from redis.asyncio import Redis

from rooms.errors import NotFound
from rooms.events import Audience, Event
from rooms.models import NameInput, Participant, Role, WorkerInput
from rooms.store import keys
from rooms.store.records import Records, new_id
from rooms.store.scripts import Scripts
from rooms.validation import parse


class People:
    def __init__(self, redis: Redis, scripts: Scripts) -> None:
        self.redis = redis
        self.records = Records(redis, scripts)

    async def ensure_staff(self, name: str) -> tuple[Participant, bool]:
        """The first run's moderator: returns the existing staff member if there is one."""
        existing = await self.redis.hvals(keys.STAFF)
        if existing:
            return Participant.model_validate_json(sorted(existing)[0]), False
        staff = Participant(id=new_id(), role=Role.MODERATOR, name=name, created_at=time.time())
        # HSETNX on a fresh id is one atomic command; two racing first runs make two staff members
        await self.redis.hsetnx(keys.STAFF, staff.id, staff.model_dump_json())
        return staff, True

    async def register_worker(self, fair_id: str, data: Any) -> Participant:
        form = parse(WorkerInput, data)
        worker = Participant(
            id=new_id(),
            role=Role.WORKER,
            name=form.name,
            contact=form.contact,
            fair_id=fair_id,
            created_at=time.time(),
        )
        event = Event("worker.registered", _summary(worker), Audience("staff"))
        await self._add(worker, event, fact=("reg", worker.id))
        return worker

    async def add_recruiter(self, fair_id: str, booth_id: str, name: Any) -> Participant:
        recruiter = Participant(
            id=new_id(),
            role=Role.RECRUITER,
            name=_name(name),
            fair_id=fair_id,
            booth_id=booth_id,
            created_at=time.time(),
        )
        await self._add(
            recruiter,
            Event("recruiter.invited", _summary(recruiter), Audience("booth_staff", booth_id)),
            parent=(keys.booths(fair_id), booth_id),
        )
        return recruiter

    async def add_speaker(self, fair_id: str, name: Any) -> Participant:
        """A guest of the main stage: broadcasts there, answers its Q&A, hosts its polls."""
        speaker = Participant(
            id=new_id(),
            role=Role.SPEAKER,
            name=_name(name),
            fair_id=fair_id,
            created_at=time.time(),
        )
        await self._add(speaker, Event("speaker.invited", _summary(speaker), Audience("staff")))
        return speaker

    async def add_moderator(self, fair_id: str, name: Any) -> Participant:
        moderator = Participant(
            id=new_id(),
            role=Role.MODERATOR,
            name=_name(name),
            fair_id=fair_id,
            created_at=time.time(),
        )
        await self._add(moderator, None)
        return moderator

    async def _add(
        self,
        who: Participant,
        event: Event | None,
        parent: tuple[str, str] | None = None,
        fact: tuple[str, ...] = (),
    ) -> None:
        assert who.fair_id is not None
        await self.records.create(
            who.fair_id, keys.people(who.fair_id), who.id, who, event, parent=parent, fact=fact
        )

    async def get(self, fair_id: str | None, participant_id: str) -> Participant:
        key = keys.STAFF if fair_id is None else keys.people(fair_id)
        raw = await self.redis.hget(key, participant_id)
        if raw is None:
            raise NotFound("no such participant")
        return Participant.model_validate_json(raw)

    async def of_fair(self, fair_id: str) -> list[Participant]:
        """Everyone of a fair, oldest first."""
        raws = await self.redis.hvals(keys.people(fair_id))
        return sorted(
            (Participant.model_validate_json(r) for r in raws), key=lambda p: p.created_at
        )

    async def count(self, fair_id: str) -> dict[str, int]:
        counts = {role.value: 0 for role in Role}
        for raw in await self.redis.hvals(keys.people(fair_id)):
            counts[Participant.model_validate_json(raw).role.value] += 1
        return counts


def _name(value: Any) -> str:
    return parse(NameInput, {"name": value}).name


def _summary(who: Participant) -> dict[str, Any]:
    return {"id": who.id, "name": who.name, "role": who.role.value, "booth_id": who.booth_id}
