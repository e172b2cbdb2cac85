"""Every HTTP request gets an answer in our JSON shape, even when something of ours breaks: a
500 `internal` naming a request id that the one log line carries (never a traceback per request,
never a half-sent page)."""

from __future__ import annotations

import json
import logging
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import error_body, where

log = logging.getLogger(__name__)


class Faults:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked_send)
        except Exception as exc:
            request = secrets.token_hex(4)
            log.error(
                "internal error, request %s: %s on %s %s",
                request,
                where(exc),
                scope["method"],
                _route(scope),
            )
            if started:
                raise  # the response is under way: only dropping the connection is left
            body = json.dumps(
                error_body("internal", f"something went wrong on our side ({request})")
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})


def _route(scope: Scope) -> str:
    """The route's pattern (`/api/fairs/{fair_id}`), never the path itself: paths and query
    strings may carry tokens."""
    route = scope.get("route")
    return str(getattr(route, "path", "?"))
