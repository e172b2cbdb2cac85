"""`/ws/fairs/{fair_id}`: checks origin and session, then one reader loop and one writer task."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

from starlette.websockets import WebSocket

from rooms.errors import DomainError, InvalidInput, NotFound
from rooms.permissions import Action, allowed
from server.auth import current_user
from server.errors import RateLimited
from server.services import Services, services
from server.ws import protocol
from server.ws.connection import Connection
from server.ws.handlers import HANDLERS
from server.ws.handlers.base import Context

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
        svc.metrics.errors.labels("bad_origin").inc()
        await websocket.close(protocol.CLOSE_POLICY, "origin not allowed")
        return
    user = await current_user(websocket, svc.people, svc.tokens)
    if user is None:
        await websocket.close(protocol.CLOSE_UNAUTHENTICATED, "sign in first")
        return
    if not allowed(user, Action.ATTEND, fair_id, None):
        await websocket.close(protocol.CLOSE_FORBIDDEN, "not a participant of this fair")
        return
    await websocket.accept()
    conn = Connection(websocket, user, fair_id, svc.settings.limits, svc.metrics)
    conn.start()
    svc.metrics.connections.inc()
    try:
        await svc.hub.add(conn)  # subscribe before reading state: no event falls in between
        try:
            state = await svc.fairs.snapshot(fair_id)
        except NotFound:
            conn.close(protocol.CLOSE_FORBIDDEN, "no such fair")
            return
        conn.push(protocol.welcome(_you(conn), state))
        await _read(Context(svc, user, fair_id, conn))
    finally:
        await svc.hub.remove(conn)
        await conn.finish()
        svc.metrics.connections.dec()


def _you(conn: Connection) -> dict[str, str | None]:
    user = conn.user
    return {"id": user.id, "name": user.name, "role": user.role.value, "booth_id": user.booth_id}


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
            if not conn.bucket.take():
                refusals += 1
                metrics.errors.labels(RateLimited.code).inc()
                if refusals > MAX_REFUSALS:
                    conn.close(protocol.CLOSE_POLICY, "rate limit exceeded")
                    return
                conn.push(protocol.error(None, RateLimited.code, "too many messages; slow down"))
                continue
            refusals = 0
            await _handle(ctx, message.get("text"))
    finally:
        closed.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await closed


async def _handle(ctx: Context, text: str | None) -> None:
    msg_id = None
    try:
        if text is None:
            raise InvalidInput("binary frames are not part of the protocol")
        msg = protocol.parse(text)
        msg_id = msg.id
        handler = HANDLERS.get(msg.type)
        if handler is None:
            raise InvalidInput(f"unknown message type: {msg.type}")
        result = await handler(ctx, msg.data)
    except DomainError as exc:
        ctx.services.metrics.errors.labels(exc.code).inc()
        ctx.conn.push(protocol.error(msg_id, exc.code, exc.message))
        return
    ctx.conn.push(protocol.ack(msg_id, result))
