"""Rendering a page: language, CSRF token, the signed-in user and the strings scripts need."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from rooms.models import Participant
from server.auth import CSRF_COOKIE, new_csrf_token
from server.i18n import JS_MESSAGES, LANG_COOKIE, choose_language, gettext_for
from server.services import services
from server.turn import page_ice_servers


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    user: Participant | None,
    language: str = "vi",
    status: int = 200,
) -> Response:
    svc = services(request)
    lang = choose_language(request, language)
    _ = gettext_for(svc.catalogs, lang)
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    response = svc.templates.TemplateResponse(
        request,
        template,
        {
            **context,
            "_": _,
            "lang": lang,
            "csrf": csrf,
            "user": user,
            "js_messages": {m: _(m) for m in JS_MESSAGES},
            "ice_servers": page_ice_servers(
                svc.settings, None if user is None else user.id, time.time()
            ),
        },
        status_code=status,
    )
    secure = svc.settings.base_url.startswith("https")
    if request.cookies.get(CSRF_COOKIE) != csrf:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=secure)
    return response
