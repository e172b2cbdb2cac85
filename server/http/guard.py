"""An ASGI middleware for every HTTP request: body size cap, write rate per client, safe headers.

A client is the signed-in participant, else the address. Keying by session gives each person
behind a shared address (a job center's NAT, a proxy) their own allowance; the address is the
real client's, because uvicorn takes X-Forwarded-For from JOBFAIR_TRUSTED_PROXIES only.
"""

from __future__ import annotations

import json

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.auth import SESSION_COOKIE, Tokens, Unauthenticated
from server.errors import TooLarge, error_body
from server.ratelimit import KeyedLimiter
from server.settings import Settings

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
UPLOAD_SUFFIXES = ("/logo", "/cv")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),  # the console embeds the interview room
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        b"media-src 'self' blob:; connect-src 'self' ws: wss:; frame-ancestors 'self'",
    ),
    (b"permissions-policy", b"camera=(self), microphone=(self), display-capture=(self)"),
]


class Guard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limits = settings.limits
        self.tokens = Tokens(settings.secret_key, settings.session_hours, settings.invite_days)
        self.writes = KeyedLimiter(self.limits.http_rate_per_minute, self.limits.http_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = (
            self.limits.upload_max_bytes + 64 * 1024
            if scope["path"].endswith(UPLOAD_SUFFIXES)
            else self.limits.http_max_body
        )
        headers = dict(scope["headers"])
        if scope["method"] in UNSAFE:
            if not self.writes.take(self.client(scope)):
                await _reply(send, 429, "rate_limited", "too many requests; slow down")
                return
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > cap):
                await _reply(send, 413, TooLarge.code, f"request body over {cap} bytes")
                return

        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise TooLarge(f"request body over {cap} bytes")
            return message

        async def secured_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, counted_receive, secured_send)

    def client(self, scope: Scope) -> str:
        """The session's participant if the cookie's signature holds (checked here without Redis:
        a revoked participant's write is refused later anyway), else the client address."""
        session = HTTPConnection(scope).cookies.get(SESSION_COOKIE)
        if session:
            try:
                return f"session:{self.tokens.read_session(session).user_id}"
            except Unauthenticated:
                pass  # forged or expired: counted by address, like any anonymous client
        client = scope.get("client")
        return f"address:{client[0] if client else '?'}"


async def _reply(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *SECURITY_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})
