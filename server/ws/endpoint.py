"""`/ws/fairs/{fair_id}`: checks origin and session, then one reader loop and one writer task.

Every client message gets exactly one answer: an ack, or an error frame with its id (its code
says what happened; `unavailable`: storage did not answer, the outcome is unknown and a retry
with the same op is safe; `internal`: a fault of ours, logged with the request id it names).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from urllib.parse import urlsplit

from redis.exceptions import RedisError
from starlette.websockets import WebSocket

from rooms.commands import admit
from rooms.errors import DomainError, NotFound
from rooms.permissions import Action, allowed
from server.auth import current_user
from server.errors import RateLimited, where
from server.services import Services, services
from server.ws import protocol
from server.ws.connection import Connection
from server.ws.handlers import HANDLERS
from server.ws.handlers.base import Context

log = logging.getLogger(__name__)

# a client past its rate keeps getting error frames; this many refusals in a row close it
MAX_REFUSALS = 50


def origin_ok(websocket: WebSocket, svc: Services) -> bool:
    """Browsers always send Origin: it must be ours (same host, or configured). Clients that are
    not browsers send none, and still need a signed session."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    if origin in svc.settings.origins:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


async def fair_socket(websocket: WebSocket) -> None:
    svc = services(websocket)
    fair_id = websocket.path_params["fair_id"]
    if not origin_ok(websocket, svc):
        # refused at the handshake (HTTP 403): a page of another site learns nothing more
        svc.metrics.errors.labels("bad_origin").inc()
        await websocket.close(protocol.CLOSE_POLICY, "origin not allowed")
        return
    user = await current_user(websocket, svc.people, svc.tokens)
    if user is None:
        await _refuse(websocket, protocol.CLOSE_UNAUTHENTICATED, "sign in first")
        return
    if not allowed(user, Action.ATTEND, fair_id, None):
        await _refuse(websocket, protocol.CLOSE_FORBIDDEN, "not a participant of this fair")
        return
    await websocket.accept()
    conn = Connection(websocket, user, fair_id, svc.settings.limits, svc.metrics)
    svc.metrics.connections.inc()
    try:
        await svc.hub.add(conn)  # subscribe before reading state: no event falls in between
        try:
            state = await svc.fairs.snapshot(fair_id)
        except NotFound:
            conn.close(protocol.CLOSE_FORBIDDEN, "no such fair")
            return
        conn.welcome(protocol.welcome(_you(conn), state))
        await svc.attendance.open(fair_id, conn.id, "c", user, user.booth_id)
        await _read(Context(svc, user, fair_id, conn))
    finally:
        await svc.hub.remove(conn)
        await conn.finish()
        await svc.attendance.end(fair_id, conn.id)
        svc.metrics.connections.dec()


async def _refuse(websocket: WebSocket, code: int, reason: str) -> None:
    """A browser sees a close code only on an accepted socket (before it, only a failure)."""
    await websocket.accept()
    await websocket.close(code, reason)


def _you(conn: Connection) -> dict[str, str | None]:
    """`connection`: this websocket's id, which events meant for one of a user's connections
    carry (`stream.level`), so each page knows its own."""
    user = conn.user
    return {
        "id": user.id,
        "name": user.name,
        "role": user.role.value,
        "booth_id": user.booth_id,
        "connection": conn.id,
    }


async def _read(ctx: Context) -> None:
    conn, websocket, metrics = ctx.conn, ctx.conn.websocket, ctx.services.metrics
    closed = asyncio.ensure_future(conn.closed.wait())
    refusals = 0
    try:
        while True:
            receive = asyncio.ensure_future(websocket.receive())
            await asyncio.wait({receive, closed}, return_when=asyncio.FIRST_COMPLETED)
            if not receive.done():
                receive.cancel()
                return
            message = receive.result()
            if message["type"] == "websocket.disconnect":
                return
            metrics.messages_in.inc()
            if await _handle(ctx, message.get("text")):
                refusals = 0
                continue
            refusals += 1
            if refusals > MAX_REFUSALS:
                conn.close(protocol.CLOSE_POLICY, "rate limit exceeded")
                return
    finally:
        closed.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await closed


async def _handle(ctx: Context, text: str | None) -> bool:
    """Answers one message; False when it was refused for the client's rate."""
    msg_id, name = None, "?"
    try:
        if text is None:
            raise protocol.Malformed("binary frames are not part of the protocol")
        msg = protocol.parse(text)
        msg_id = msg.id
        if not ctx.conn.bucket.take():
            raise RateLimited("too many messages; slow down")
        data = admit(ctx.user, ctx.fair_id, msg.type, msg.data)
        name = msg.type
        result = await HANDLERS[name](ctx, data)
    except protocol.Malformed as exc:
        _error(ctx, exc.msg_id, exc.code, exc.message)
    except DomainError as exc:
        _error(ctx, msg_id, exc.code, exc.message)
        return not isinstance(exc, RateLimited)
    except RedisError as exc:
        log.warning("storage did not answer a %s message: %s", name, type(exc).__name__)
        _error(ctx, msg_id, "unavailable", "storage did not answer; retry with the same op")
    except Exception as exc:
        request = secrets.token_hex(4)
        log.error("internal error in a %s message, request %s: %s", name, request, where(exc))
        _error(ctx, msg_id, "internal", f"something went wrong on our side ({request})")
    else:
        ctx.conn.push(protocol.ack(msg.id, result))
    return True


def _error(ctx: Context, msg_id: str | None, code: str, message: str) -> None:
    ctx.services.metrics.errors.labels(code).inc()
    ctx.conn.push(protocol.error(msg_id, code, message))
