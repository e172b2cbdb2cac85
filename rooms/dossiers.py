"""A worker's dossier: the profile recruiters read, and which booths may read it.

The CV file is stored by `server/` (outside the web root); the dossier keeps its name and kind.
A booth's recruiters read the dossier only if the worker said yes to that booth: asked when they
join its line or book a time there (the answer travels with that message and is recorded in the
same script), changed on the dossier page. A "no" is recorded too, so the pages do not ask again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints
from redis.asyncio import Redis

from rooms.errors import Conflict, Forbidden, NotFound
from rooms.models import Contact, Name, Participant, Strict
from rooms.permissions import Action, allowed, may, require, require_may
from rooms.store import keys
from rooms.store.records import CAS_ATTEMPTS
from rooms.store.scripts import Scripts, Stale
from rooms.validation import fields_of

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


def consent_choice(share: bool | None) -> str:
    """A message's `share` field as the scripts' choice: true 'share', false 'decline', absent
    '' (no answer: whatever the worker chose before stands, and nothing is shared by default)."""
    if share is None:
        return ""
    return "share" if share else "decline"


def consent_keys(fair_id: str, worker_id: str) -> list[str]:
    """The keys of a worker's answers, in the order the scripts take them (see _consent.lua)."""
    return [keys.dossier_shares(fair_id, worker_id), keys.dossier_declined(fair_id, worker_id)]


@dataclass(frozen=True, slots=True)
class Consent:
    """A worker's answers: the booths that may read the dossier and CV, and those refused."""

    shared_with: list[str]
    declined: list[str]


class Dossiers:
    def __init__(self, redis: Redis, scripts: Scripts) -> None:
        self.redis = redis
        self.scripts = scripts

    async def get(self, fair_id: str, worker_id: str) -> Dossier:
        raw = await self.redis.hget(keys.dossiers(fair_id), worker_id)
        if raw is None:
            raise NotFound("no dossier yet")
        return Dossier.model_validate_json(raw)

    async def save(self, fair_id: str, worker: Participant, given: DossierInput) -> Dossier:
        """Create or replace the structured fields; the CV stays."""
        require(worker, Action.DOSSIER_KEEP, fair_id)
        fields = DossierInput(**fields_of(DossierInput, given))
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

    async def choose(self, fair_id: str, worker_id: str, booth_id: str, share: bool) -> Consent:
        """The worker's answer on the dossier page: share with the booth, or withdraw."""
        await self.scripts.run(
            "dossier_share",
            [keys.booths(fair_id), *consent_keys(fair_id, worker_id)],
            [keys.events(fair_id), worker_id, booth_id, consent_choice(share)],
        )
        return await self.consent(fair_id, worker_id)

    async def consent(self, fair_id: str, worker_id: str) -> Consent:
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in consent_keys(fair_id, worker_id):
                pipe.smembers(key)
            shared, declined = await pipe.execute()
        return Consent(shared_with=sorted(shared), declined=sorted(declined))

    async def readable_by(self, fair_id: str, reader: Participant, worker_id: str) -> Dossier:
        """The dossier, if `reader` may see it: its worker, the fair's moderators (and the
        service's, who moderate every fair), or a recruiter of a booth the worker said yes to.
        The dossier page states exactly this (web/templates/dossier.html)."""
        if reader.id == worker_id and may(reader, Action.DOSSIER_KEEP, fair_id):
            return await self.get(fair_id, worker_id)
        require_may(reader, Action.DOSSIER_READ, fair_id)
        if not allowed(reader, Action.DOSSIER_READ, fair_id, None):  # for one booth: a recruiter's
            shared = await self.redis.sismember(
                keys.dossier_shares(fair_id, worker_id), reader.booth_id or ""
            )
            if not shared:
                raise Forbidden("this worker has not shared their dossier with your booth")
        return await self.get(fair_id, worker_id)
