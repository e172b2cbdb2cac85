"""Rendering a page: language, the fair's clock, CSRF token, the signed-in user and the strings
scripts need."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from rooms.models import Fair, Participant
from server.auth import CSRF_COOKIE, new_csrf_token
from server.i18n import DEFAULT_ZONE, HTML_LANG, LANG_COOKIE, FairClock, choose_language
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
    fair = context.get("fair")
    zone = ZoneInfo(fair.timezone if isinstance(fair, Fair) else DEFAULT_ZONE)
    clock = FairClock(zone, lang)
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    response = svc.templates.TemplateResponse(
        request,
        template,
        {
            **context,
            "_": svc.catalogs.gettext(lang),
            "ngettext": svc.catalogs.ngettext(lang),
            "lang": lang,
            "html_lang": HTML_LANG[lang],
            "clock": clock,
            "clock_for": lambda other: FairClock(ZoneInfo(other.timezone), lang),
            "zone_name": clock.name(datetime.now(UTC)),
            "csrf": csrf,
            "user": user,
            "push_key": svc.web_push.public_key,  # "": Web Push is off
            "js_messages": svc.catalogs.for_scripts(lang),
            "ice_servers": page_ice_servers(
                svc.settings, None if user is None else user.id, time.time()
            ),
        },
        status_code=status,
    )
    response.headers["vary"] = "Accept-Language, Cookie"
    secure = svc.settings.base_url.startswith("https")
    if request.cookies.get(CSRF_COOKIE) != csrf:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=secure)
    return response
