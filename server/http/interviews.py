"""Interview pages: the room, for its worker and recruiter only, and a worker's own history.

Both render a shell; the scripts fill them over the fair websocket (`interview.*` messages).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from rooms.errors import Forbidden
from rooms.models import Participant
from rooms.permissions import Action, require
from server.auth import current_user
from server.http.render import render
from server.services import services


async def _user(request: Request) -> Participant:
    svc = services(request)
    user = await current_user(request, svc.people, svc.tokens)
    if user is None:
        raise Forbidden("sign in first")
    return user


async def room(request: Request) -> Response:
    """Only the interview's two participants; anyone else gets 403 (the room refuses them)."""
    svc = services(request)
    fair_id, interview_id = request.path_params["fair_id"], request.path_params["interview_id"]
    user = await _user(request)
    interview, side = await svc.interview_room.member(fair_id, interview_id, user)
    fair = await svc.fairs.get_fair(fair_id)
    booth = await svc.fairs.get_booth(fair_id, interview["booth_id"])
    context = {"fair": fair, "booth": booth, "interview": interview, "side": side}
    return render(request, "interview.html", context, user=user, language=fair.language)


async def history(request: Request) -> Response:
    svc = services(request)
    fair_id = request.path_params["fair_id"]
    user = await _user(request)
    require(user, Action.INTERVIEW_HISTORY, fair_id)
    fair = await svc.fairs.get_fair(fair_id)
    return render(request, "interviews.html", {"fair": fair}, user=user, language=fair.language)


ROUTES: list[BaseRoute] = [
    Route("/fairs/{fair_id}/interviews", history),
    Route("/fairs/{fair_id}/interviews/{interview_id}", room),
]
