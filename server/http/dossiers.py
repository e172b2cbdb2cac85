"""Dossiers over HTTP: a worker fills theirs in, uploads a CV and answers, per booth, whether it
may read them; recruiters of those booths and the fair's moderators read it and download the CV.

CV files live in the upload store that every node reads (never served statically), are
recognised by content, and are sent as attachments so that a browser never renders them in our
origin.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from rooms.dossiers import Dossier
from rooms.errors import NotFound
from rooms.models import Participant
from rooms.permissions import Action, require_may
from server import uploads
from server.auth import signed_in
from server.http.api import write
from server.http.render import render
from server.services import Services, services
from server.uploads import DOCUMENT_TYPES, sniff_document


async def _user(request: Request, action: Action) -> tuple[Services, Participant]:
    """A read: the session's participant, who may take `action` in the path's fair."""
    svc = services(request)
    user = await signed_in(request, svc.people, svc.tokens)
    require_may(user, action, request.path_params["fair_id"])
    return svc, user


def _public(dossier: Dossier, fair_id: str) -> dict[str, Any]:
    out = dossier.model_dump(mode="json", exclude={"cv_file"})
    out["cv_url"] = (
        f"/api/fairs/{fair_id}/dossiers/{dossier.worker_id}/cv" if dossier.cv_file else None
    )
    return out


async def page(request: Request) -> Response:
    svc, user = await _user(request, Action.DOSSIER_KEEP)
    fair = await svc.fairs.get_fair(request.path_params["fair_id"])
    return render(request, "dossier.html", {"fair": fair}, user=user, language=fair.language)


async def mine(request: Request) -> Response:
    fair_id = request.path_params["fair_id"]
    if request.method == "PUT":
        svc, user, given = await write(request, "dossier.save")
        dossier = await svc.dossiers.save(fair_id, user, given)
    else:
        svc, user = await _user(request, Action.DOSSIER_KEEP)
        dossier = await svc.dossiers.get(fair_id, user.id)
    return JSONResponse(_public(dossier, fair_id))


async def upload_cv(request: Request) -> Response:
    svc, worker, _ = await write(request, "dossier.cv", json_body=False)
    fair_id = request.path_params["fair_id"]
    data = await request.body()
    kind = sniff_document(data)
    dossier = await uploads.replace(
        svc.uploads,
        uploads.cv_area(fair_id),
        data,
        kind,
        svc.settings.limits.upload_max_bytes,
        lambda name: svc.dossiers.attach_cv(fair_id, worker.id, name, kind, len(data)),
    )
    return JSONResponse(_public(dossier, fair_id))


async def shares(request: Request) -> Response:
    """The worker's answers, `{shared_with, declined}` (booth ids): a booth in neither was not
    asked yet, so the booth page asks before a join or a booking."""
    svc, user = await _user(request, Action.DOSSIER_KEEP)
    consent = await svc.dossiers.consent(request.path_params["fair_id"], user.id)
    return JSONResponse(asdict(consent))


async def share(request: Request) -> Response:
    svc, user, given = await write(
        request, "dossier.share", json_body=False, share=request.method == "PUT"
    )
    fair_id = request.path_params["fair_id"]
    consent = await svc.dossiers.choose(fair_id, user.id, given.booth_id, given.share)
    return JSONResponse(asdict(consent))


async def read(request: Request) -> Response:
    svc, user = await _user(request, Action.ATTEND)
    fair_id, worker_id = request.path_params["fair_id"], request.path_params["worker_id"]
    dossier = await svc.dossiers.readable_by(fair_id, user, worker_id)
    return JSONResponse(_public(dossier, fair_id))


async def cv(request: Request) -> Response:
    svc, user = await _user(request, Action.ATTEND)
    fair_id, worker_id = request.path_params["fair_id"], request.path_params["worker_id"]
    dossier = await svc.dossiers.readable_by(fair_id, user, worker_id)
    data = (
        await uploads.fetch(svc.uploads, uploads.cv_area(fair_id), dossier.cv_file, DOCUMENT_TYPES)
        if dossier.cv_file
        else None
    )
    if data is None or dossier.cv_kind is None:
        raise NotFound("no CV uploaded")
    return Response(
        data,
        media_type=DOCUMENT_TYPES[dossier.cv_kind],
        headers={
            "content-disposition": f'attachment; filename="cv-{worker_id}.{dossier.cv_kind}"',
            "cache-control": "private, no-store",
            "content-security-policy": "sandbox",
        },
    )


ROUTES: list[BaseRoute] = [
    Route("/fairs/{fair_id}/dossier", page),
    Route("/api/fairs/{fair_id}/dossier", mine, methods=["GET", "PUT"]),
    Route("/api/fairs/{fair_id}/dossier/cv", upload_cv, methods=["PUT"]),
    Route("/api/fairs/{fair_id}/dossier/shares", shares),
    Route("/api/fairs/{fair_id}/dossier/shares/{booth_id}", share, methods=["PUT", "DELETE"]),
    Route("/api/fairs/{fair_id}/dossiers/{worker_id}", read),
    Route("/api/fairs/{fair_id}/dossiers/{worker_id}/cv", cv),
]
