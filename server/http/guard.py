"""An ASGI middleware for every HTTP request: body size cap, write rate per client, safe headers."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import TooLarge, error_body
from server.ratelimit import KeyedLimiter
from server.settings import Limits

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
UPLOAD_SUFFIXES = ("/logo", "/cv")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        b"media-src 'self' blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'",
    ),
    (b"permissions-policy", b"camera=(self), microphone=(self), display-capture=(self)"),
]


class Guard:
    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits
        self.writes = KeyedLimiter(limits.http_rate_per_minute, limits.http_burst)

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
            client = scope.get("client")
            if not self.writes.take(client[0] if client else "?"):
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
