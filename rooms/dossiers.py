"""A worker's dossier: the profile recruiters read, and which booths may read it.

The CV file is stored by `server/` (outside the web root); the dossier keeps its name and kind.
A worker shares the dossier with a booth by choice, or by joining its line or booking a slot.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints
from redis.asyncio import Redis

from rooms.errors import Conflict, Forbidden, NotFound
from rooms.models import Contact, Name, Participant, Role, Strict
from rooms.store import keys
from rooms.store.records import CAS_ATTEMPTS
from rooms.store.scripts import Scripts, Stale
from rooms.validation import parse

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
Country = Literal["JP", "KR", "TW", "other"]
CvKind = Literal["pdf", "png", "jpg"]


class DossierInput(Strict):
    name: Name
    contact: Contact
    birth_year: int | None = Field(default=None, ge=1940, le=2015)
    home_province: Short = ""
    education: Short = ""
    skills: list[Short] = Field(default_factory=list, max_length=20)
    desired_job: Short = ""
    languages: list[Short] = Field(default_factory=list, max_length=10)
    abroad_countries: list[Country] = Field(default_factory=list, max_length=4)


class Dossier(DossierInput):
    worker_id: str
    updated_at: float
    cv_file: str = ""  # stored file name; empty when no CV was uploaded
    cv_kind: CvKind | None = None
    cv_bytes: int = 0


class Dossiers:
    def __init__(self, redis: Redis, scripts: Scripts) -> None:
        self.redis = redis
        self.scripts = scripts

    async def get(self, fair_id: str, worker_id: str) -> Dossier:
        raw = await self.redis.hget(keys.dossiers(fair_id), worker_id)
        if raw is None:
            raise NotFound("no dossier yet")
        return Dossier.model_validate_json(raw)

    async def save(self, fair_id: str, worker: Participant, data: Any) -> Dossier:
        """Create or replace the structured fields; the CV stays."""
        fields = parse(DossierInput, data)
        return await self._change(
            fair_id,
            worker.id,
            lambda current: Dossier(
                **dict(fields),
                worker_id=worker.id,
                updated_at=time.time(),
                cv_file=current.cv_file if current else "",
                cv_kind=current.cv_kind if current else None,
                cv_bytes=current.cv_bytes if current else 0,
            ),
        )

    async def attach_cv(
        self, fair_id: str, worker_id: str, file_name: str, kind: CvKind, size: int
    ) -> tuple[Dossier, str]:
        """Returns the dossier and the name of the CV file it replaced ('' if none)."""
        replaced = ""

        def change(current: Dossier | None) -> Dossier:
            nonlocal replaced
            if current is None:
                raise NotFound("fill in your dossier before uploading a CV")
            replaced = current.cv_file
            return current.model_copy(
                update={
                    "cv_file": file_name,
                    "cv_kind": kind,
                    "cv_bytes": size,
                    "updated_at": time.time(),
                }
            )

        dossier = await self._change(fair_id, worker_id, change)
        return dossier, replaced

    async def _change(self, fair_id: str, worker_id: str, change: Any) -> Dossier:
        for _ in range(CAS_ATTEMPTS):
            raw: str | None = await self.redis.hget(keys.dossiers(fair_id), worker_id)  # type: ignore[assignment]
            current = None if raw is None else Dossier.model_validate_json(raw)
            updated: Dossier = change(current)
            try:
                await self.scripts.run(
                    "dossier_put",
                    [keys.fair(fair_id), keys.dossiers(fair_id)],
                    [worker_id, updated.model_dump_json(), raw or ""],
                )
            except Stale:
                continue
            return updated
        raise Conflict("the dossier is being changed elsewhere; try again")

    async def share(self, fair_id: str, worker_id: str, booth_id: str) -> None:
        await self.scripts.run(
            "dossier_share",
            [keys.booths(fair_id), keys.dossier_shares(fair_id, worker_id)],
            [booth_id],
        )

    async def unshare(self, fair_id: str, worker_id: str, booth_id: str) -> None:
        await self.redis.srem(keys.dossier_shares(fair_id, worker_id), booth_id)

    async def shared_with(self, fair_id: str, worker_id: str) -> set[str]:
        members: set[str] = await self.redis.smembers(keys.dossier_shares(fair_id, worker_id))  # type: ignore[assignment]
        return members

    async def readable_by(self, fair_id: str, reader: Participant, worker_id: str) -> Dossier:
        """The dossier, if `reader` may see it: its worker, the fair's moderators, or a recruiter
        of a booth it is shared with."""
        if reader.role is Role.WORKER and reader.id != worker_id:
            raise Forbidden("a dossier is only for its worker and the booths they share it with")
        if reader.role is Role.MODERATOR and reader.fair_id not in (None, fair_id):
            raise Forbidden("not a moderator of this fair")
        if reader.role is Role.RECRUITER and (
            reader.fair_id != fair_id
            or not await self.redis.sismember(
                keys.dossier_shares(fair_id, worker_id), reader.booth_id or ""
            )
        ):
            raise Forbidden("this worker has not shared their dossier with your booth")
        return await self.get(fair_id, worker_id)
