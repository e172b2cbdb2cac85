"""HTTP writes: the JSON API that creates and edits fairs, booths, jobs, invitations and a
worker's dossier. Ids in the path are part of the input (`booth_id`, `job_id`), so the permission
check sees the booth before anything is read; a PATCH carries any editable fields, each with its
constraints, and the domain validates the whole once merged with what is stored."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, create_model

from rooms.commands.base import BoothInput, Command, Empty, Flag, Id, Input
from rooms.dossiers import DossierInput
from rooms.models import BoothInput as BoothFields
from rooms.models import FairInput, JobInput, NameInput
from rooms.permissions import Action


def patch_of(fields: type[BaseModel], base: type[Input] = Input) -> type[Input]:
    """`fields`' fields, each optional and as constrained: what a PATCH may carry."""
    optional: dict[str, Any] = {}
    for name, info in fields.model_fields.items():
        kind: Any = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        optional[name] = (kind | None, None)
    return create_model(f"{fields.__name__}Patch", __base__=base, **optional)


class NewFair(FairInput, Input):
    pass


class NewBooth(BoothFields, Input):
    pass


class NewJob(BoothInput, JobInput):
    pass


class JobRef(Input):
    job_id: Id


class Invite(BoothInput, NameInput):
    pass


class NewSpeaker(NameInput, Input):
    pass


class Dossier(DossierInput, Input):
    pass


class Share(BoothInput):
    share: Flag


FairPatch = patch_of(FairInput)
BoothPatch = patch_of(BoothFields, BoothInput)
JobPatch = patch_of(JobInput, JobRef)

WRITES = {
    "fair.create": Command(NewFair, Action.CREATE_FAIR, "create", "a fair", "POST /api/fairs"),
    "fair.update": Command(
        FairPatch, Action.EDIT_FAIR, "idempotent", "edit a fair", "PATCH /api/fairs/{fair_id}"
    ),
    "booth.create": Command(
        NewBooth, Action.CREATE_BOOTH, "create", "a booth", "POST /api/fairs/{fair_id}/booths"
    ),
    "booth.update": Command(
        BoothPatch,
        Action.EDIT_BOOTH,
        "idempotent",
        "edit a booth",
        "PATCH /api/fairs/{fair_id}/booths/{booth_id}",
    ),
    "booth.logo": Command(
        BoothInput,
        Action.EDIT_BOOTH,
        "idempotent",
        "a PNG, JPEG or WebP logo as the body (≤ 512 KiB)",
        "PUT /api/fairs/{fair_id}/booths/{booth_id}/logo",
    ),
    "job.create": Command(
        NewJob,
        Action.EDIT_JOBS,
        "create",
        "a job posting",
        "POST /api/fairs/{fair_id}/booths/{booth_id}/jobs",
    ),
    "job.update": Command(
        JobPatch,
        Action.EDIT_JOBS,
        "idempotent",
        "edit a posting",
        "PATCH /api/fairs/{fair_id}/jobs/{job_id}",
    ),
    "job.delete": Command(
        JobRef,
        Action.EDIT_JOBS,
        "idempotent",
        "take a posting down",
        "DELETE /api/fairs/{fair_id}/jobs/{job_id}",
    ),
    "recruiter.invite": Command(
        Invite,
        Action.INVITE,
        "create",
        "a recruiter and their sign-in link",
        "POST /api/fairs/{fair_id}/booths/{booth_id}/invites",
    ),
    "speaker.invite": Command(
        NewSpeaker,
        Action.INVITE,
        "create",
        "a main-stage speaker and their sign-in link",
        "POST /api/fairs/{fair_id}/speakers",
    ),
    "dossier.save": Command(
        Dossier,
        Action.DOSSIER_KEEP,
        "idempotent",
        "one's profile (the CV stays)",
        "PUT /api/fairs/{fair_id}/dossier",
    ),
    "dossier.cv": Command(
        Empty,
        Action.DOSSIER_KEEP,
        "idempotent",
        "a PDF, JPEG or PNG CV as the body (≤ 5 MB)",
        "PUT /api/fairs/{fair_id}/dossier/cv",
    ),
    "dossier.share": Command(
        Share,
        Action.DOSSIER_KEEP,
        "idempotent",
        "let a booth read the dossier (PUT), or withdraw (DELETE: share false)",
        "PUT|DELETE /api/fairs/{fair_id}/dossier/shares/{booth_id}",
    ),
}
