"""The JSON API for staff and recruiters: fairs, booths, jobs, invites, logos; plus health and
metrics. Every write needs a session, the CSRF header and the right scope."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from rooms.commands import admit_write
from rooms.commands.base import Input
from rooms.errors import NotFound
from rooms.models import Participant
from rooms.permissions import Action, require
from server import uploads
from server.auth import CSRF_HEADER, check_csrf, signed_in
from server.services import Services, services
from server.uploads import IMAGE_TYPES
from server.wire import loads

LOGO_MAX_BYTES = 512 * 1024


async def _writer(request: Request) -> tuple[Services, Participant]:
    """The signed-in user of a write request, after the CSRF check."""
    svc = services(request)
    user = await signed_in(request, svc.people, svc.tokens)
    check_csrf(request, request.headers.get(CSRF_HEADER))
    return svc, user


async def read_json(request: Request) -> Any:
    return loads(await request.body())


async def write(
    request: Request, name: str, json_body: bool = True, **given: Any
) -> tuple[Services, Participant, Any]:
    """An HTTP write through the one door (rooms/commands): the session, CSRF, then the input
    (the JSON body, the path's ids and what the method says) and the permission, before
    anything is read."""
    svc, user = await _writer(request)
    path = {k: v for k, v in request.path_params.items() if k != "fair_id"}
    body = await read_json(request) if json_body else {}
    data = {**body, **path, **given} if isinstance(body, dict) else body
    return svc, user, admit_write(user, request.path_params.get("fair_id"), name, data)


def _ok(model: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), status_code=status)


def _patch(given: Input, *path: str) -> dict[str, Any]:
    return given.model_dump(exclude_unset=True, exclude=set(path))


async def create_fair(request: Request) -> Response:
    svc, _, given = await write(request, "fair.create")
    return _ok(await svc.fairs.create_fair(given), 201)


async def update_fair(request: Request) -> Response:
    svc, _, given = await write(request, "fair.update")
    return _ok(await svc.fairs.update_fair(request.path_params["fair_id"], _patch(given)))


async def get_fair(request: Request) -> Response:
    svc = services(request)
    fair_id = request.path_params["fair_id"]
    user = await signed_in(request, svc.people, svc.tokens)
    require(user, Action.ATTEND, fair_id)
    return JSONResponse(await svc.fairs.snapshot(fair_id))


async def create_booth(request: Request) -> Response:
    svc, _, given = await write(request, "booth.create")
    return _ok(await svc.fairs.create_booth(request.path_params["fair_id"], given), 201)


async def update_booth(request: Request) -> Response:
    svc, _, given = await write(request, "booth.update")
    fair_id = request.path_params["fair_id"]
    return _ok(await svc.fairs.update_booth(fair_id, given.booth_id, _patch(given, "booth_id")))


async def upload_logo(request: Request) -> Response:
    svc, _, given = await write(request, "booth.logo", json_body=False)
    fair_id, booth_id = request.path_params["fair_id"], given.booth_id
    await svc.fairs.get_booth(fair_id, booth_id)
    data = await request.body()
    booth = await uploads.replace(
        svc.uploads,
        uploads.LOGOS,
        data,
        uploads.sniff_image(data),
        LOGO_MAX_BYTES,
        lambda name: svc.fairs.set_booth_logo(fair_id, booth_id, name),
    )
    return _ok(booth)


async def logo(request: Request) -> Response:
    svc, name = services(request), request.path_params["name"]
    data = await uploads.fetch(svc.uploads, uploads.LOGOS, name, IMAGE_TYPES)
    if data is None:
        raise NotFound("no such logo")
    return Response(
        data,
        media_type=IMAGE_TYPES[name.partition(".")[2]],
        headers={"cache-control": "public, max-age=86400, immutable"},
    )


async def create_job(request: Request) -> Response:
    svc, _, given = await write(request, "job.create")
    fair_id = request.path_params["fair_id"]
    return _ok(await svc.fairs.create_job(fair_id, given.booth_id, given), 201)


async def change_job(request: Request) -> Response:
    deleting = request.method == "DELETE"
    svc, user, given = await write(
        request, "job.delete" if deleting else "job.update", not deleting
    )
    fair_id = request.path_params["fair_id"]
    if deleting:
        await svc.fairs.delete_job(fair_id, user, given.job_id)
        return Response(status_code=204)
    return _ok(await svc.fairs.update_job(fair_id, user, given.job_id, _patch(given, "job_id")))


async def invite_recruiter(request: Request) -> Response:
    svc, _, given = await write(request, "recruiter.invite")
    fair_id = request.path_params["fair_id"]
    recruiter = await svc.people.add_recruiter(fair_id, given.booth_id, given.name)
    link = f"{svc.settings.base_url}/signin?t={svc.tokens.signin(recruiter)}"
    return JSONResponse({"id": recruiter.id, "name": recruiter.name, "link": link}, 201)


async def invite_speaker(request: Request) -> Response:
    svc, _, given = await write(request, "speaker.invite")
    speaker = await svc.people.add_speaker(request.path_params["fair_id"], given.name)
    link = f"{svc.settings.base_url}/signin?t={svc.tokens.signin(speaker)}"
    return JSONResponse({"id": speaker.id, "name": speaker.name, "link": link}, 201)


async def me(request: Request) -> Response:
    svc = services(request)
    user = await signed_in(request, svc.people, svc.tokens)
    return JSONResponse(user.model_dump(mode="json", exclude={"contact"}))


async def healthz(request: Request) -> Response:
    """Within the probe timeout (< 1 s), always: 200 only while Redis answers a ping now and this
    node's events flow (server/health.py); a load balancer then stops sending pages here."""
    health = services(request).health
    if health.ok and await health.ping():
        return JSONResponse({"status": "ok", "redis": "ok"})
    return JSONResponse({"status": "degraded", "redis": "unreachable"}, 503)


async def metrics(request: Request) -> Response:
    body = await services(request).metrics.render()
    return Response(body, media_type="text/plain; version=0.0.4")


ROUTES: list[BaseRoute] = [
    Route("/healthz", healthz),
    Route("/metrics", metrics),
    Route("/api/me", me),
    Route("/api/fairs", create_fair, methods=["POST"]),
    Route("/api/fairs/{fair_id}", get_fair, methods=["GET"]),
    Route("/api/fairs/{fair_id}", update_fair, methods=["PATCH"]),
    Route("/api/fairs/{fair_id}/booths", create_booth, methods=["POST"]),
    Route("/api/fairs/{fair_id}/booths/{booth_id}", update_booth, methods=["PATCH"]),
    Route("/api/fairs/{fair_id}/booths/{booth_id}/logo", upload_logo, methods=["PUT"]),
    Route("/api/fairs/{fair_id}/booths/{booth_id}/jobs", create_job, methods=["POST"]),
    Route("/api/fairs/{fair_id}/booths/{booth_id}/invites", invite_recruiter, methods=["POST"]),
    Route("/api/fairs/{fair_id}/speakers", invite_speaker, methods=["POST"]),
    Route("/api/fairs/{fair_id}/jobs/{job_id}", change_job, methods=["PATCH", "DELETE"]),
    Route("/media/logos/{name}", logo),
]
