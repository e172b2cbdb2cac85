"""HTML pages: index, lobby (with worker registration), booth, recruiter and moderator consoles,
and the sign-in link. Pages render a shell; scripts fill it live over the fair websocket."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

import web
from rooms.errors import DomainError, Forbidden
from rooms.models import Participant, Role
from rooms.permissions import Action, allowed
from server.auth import SESSION_COOKIE, check_csrf, current_user, resolve
from server.http.render import render
from server.services import services


async def _user(request: Request) -> Participant | None:
    svc = services(request)
    return await current_user(request, svc.people, svc.tokens)


def home_of(who: Participant) -> str:
    """Where a participant lands after signing in."""
    if who.role is Role.RECRUITER:
        return f"/fairs/{who.fair_id}/booths/{who.booth_id}/console"
    if who.role is Role.MODERATOR and who.fair_id:
        return f"/fairs/{who.fair_id}/moderate"
    if who.role is Role.MODERATOR:
        return "/"
    return f"/fairs/{who.fair_id}"


def _with_session(request: Request, response: Response, who: Participant) -> Response:
    svc = services(request)
    response.set_cookie(
        SESSION_COOKIE,
        svc.tokens.session(who),
        max_age=svc.tokens.session_seconds,
        httponly=True,
        samesite="lax",
        secure=svc.settings.base_url.startswith("https"),
    )
    return response


async def index(request: Request) -> Response:
    svc = services(request)
    user = await _user(request)
    fairs = await svc.fairs.list_fairs()
    return render(request, "index.html", {"fairs": fairs}, user=user)


async def lobby(request: Request) -> Response:
    svc = services(request)
    fair = await svc.fairs.get_fair(request.path_params["fair_id"])
    user = await _user(request)
    if user is not None and not allowed(user, Action.ATTEND, fair.id, None):
        user = None  # signed in elsewhere: offer registration here
    may_speak = user is not None and allowed(user, Action.STAGE_SPEAK, fair.id, None)
    context = {"fair": fair, "may_speak": may_speak}
    return render(request, "lobby.html", context, user=user, language=fair.language)


async def register(request: Request) -> Response:
    svc = services(request)
    fair = await svc.fairs.get_fair(request.path_params["fair_id"])
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    fields = {"name": str(form.get("name", "")), "contact": str(form.get("contact", ""))}
    try:
        worker = await svc.people.register_worker(fair.id, fields)
    except DomainError as exc:
        return render(
            request,
            "lobby.html",
            {"fair": fair, "error": exc.code, "form": fields},  # the page says it by code
            user=None,
            language=fair.language,
            status=400,
        )
    return _with_session(request, RedirectResponse(home_of(worker), status_code=303), worker)


async def booth_page(request: Request) -> Response:
    svc = services(request)
    fair_id, booth_id = request.path_params["fair_id"], request.path_params["booth_id"]
    fair = await svc.fairs.get_fair(fair_id)
    booth = await svc.fairs.get_booth(fair_id, booth_id)
    user = await _user(request)
    if user is None or not allowed(user, Action.ATTEND, fair_id, None):
        return RedirectResponse(f"/fairs/{fair_id}", status_code=303)
    return render(
        request, "booth.html", {"fair": fair, "booth": booth}, user=user, language=fair.language
    )


async def console(request: Request) -> Response:
    svc = services(request)
    fair_id, booth_id = request.path_params["fair_id"], request.path_params["booth_id"]
    user = await _user(request)
    if user is None or not allowed(user, Action.EDIT_BOOTH, fair_id, booth_id):
        raise Forbidden("only this booth's recruiters and moderators may open its console")
    fair = await svc.fairs.get_fair(fair_id)
    booth = await svc.fairs.get_booth(fair_id, booth_id)
    return render(
        request, "console.html", {"fair": fair, "booth": booth}, user=user, language=fair.language
    )


async def moderate(request: Request) -> Response:
    svc = services(request)
    fair_id = request.path_params["fair_id"]
    user = await _user(request)
    if user is None or not allowed(user, Action.EDIT_FAIR, fair_id, None):
        raise Forbidden("only moderators may open the moderator console")
    fair = await svc.fairs.get_fair(fair_id)
    return render(request, "moderate.html", {"fair": fair}, user=user, language=fair.language)


async def signin(request: Request) -> Response:
    svc = services(request)
    claims = svc.tokens.read_signin(request.query_params.get("t", ""))
    who = await resolve(svc.people, claims)
    return _with_session(request, RedirectResponse(home_of(who), status_code=303), who)


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico on pages that are not ours (JSON, errors): the one icon."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


async def service_worker(request: Request) -> Response:
    """From the root, so that its scope covers every page (web/static/js/sw.js)."""
    path = web.ROOT / "static" / "js" / "sw.js"
    return FileResponse(path, media_type="text/javascript", headers={"cache-control": "no-cache"})


async def signout(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


ROUTES: list[BaseRoute] = [
    Route("/", index),
    Route("/signin", signin),
    Route("/signout", signout, methods=["POST"]),
    Route("/favicon.ico", favicon),
    Route("/sw.js", service_worker),
    Route("/fairs/{fair_id}", lobby),
    Route("/fairs/{fair_id}/register", register, methods=["POST"]),
    Route("/fairs/{fair_id}/moderate", moderate),
    Route("/fairs/{fair_id}/booths/{booth_id}", booth_page),
    Route("/fairs/{fair_id}/booths/{booth_id}/console", console),
]
