"""Booth stream signalling: the recruiter publishes, anyone in the fair views (complete SDP offers
and answers; no trickle ICE). What a connection publishes or views ends when it closes."""

from __future__ import annotations

from typing import Any

from rooms.errors import InvalidInput
from rooms.models import Role
from rooms.permissions import Action, require
from server.ws.handlers.base import Context, Handler


def _booth(ctx: Context, data: dict[str, Any]) -> str:
    booth_id = data.get("booth_id")
    if not isinstance(booth_id, str) or not booth_id:
        raise InvalidInput("booth_id is required")
    return booth_id


def _viewer(ctx: Context) -> str:
    """Per connection: one person may watch from a phone and a laptop at once."""
    return f"{ctx.user.id}:{ctx.conn.id}"


async def publish(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    booth_id = _booth(ctx, data)
    require(ctx.user, Action.STREAM, ctx.fair_id, booth_id)
    await ctx.services.fairs.get_booth(ctx.fair_id, booth_id)
    streaming = ctx.services.streaming
    answer = await streaming.publish(ctx.fair_id, booth_id, ctx.user.id, data)
    ctx.conn.on_finish(f"publish:{booth_id}", lambda: streaming.unpublish(ctx.fair_id, booth_id))
    return {"sdp": answer}


async def stop(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """The recruiter's "Stop", or a moderator's: ends the stream and every viewer's connection."""
    booth_id = _booth(ctx, data)
    require(ctx.user, Action.STREAM, ctx.fair_id, booth_id)
    by_moderator = ctx.user.role is Role.MODERATOR
    reason = "stopped by a moderator" if by_moderator else "the recruiter ended the stream"
    await ctx.services.streaming.stop(ctx.fair_id, booth_id, reason)
    ctx.conn.forget(f"publish:{booth_id}")
    return {}


async def view(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    booth_id = _booth(ctx, data)
    require(ctx.user, Action.ATTEND, ctx.fair_id)
    streaming, viewer = ctx.services.streaming, _viewer(ctx)
    answer = await streaming.view(ctx.fair_id, booth_id, viewer, data)
    ctx.conn.on_finish(f"view:{booth_id}", lambda: streaming.leave(ctx.fair_id, booth_id, viewer))
    return answer


async def audio_only(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    booth_id = _booth(ctx, data)
    on = data.get("on")
    if not isinstance(on, bool):
        raise InvalidInput("on must be true or false")
    await ctx.services.streaming.set_audio_only(ctx.fair_id, booth_id, _viewer(ctx), on)
    return {"audio_only": on}


async def leave(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    booth_id = _booth(ctx, data)
    await ctx.services.streaming.leave(ctx.fair_id, booth_id, _viewer(ctx))
    ctx.conn.forget(f"view:{booth_id}")
    return {}


HANDLERS: dict[str, Handler] = {
    "stream.publish": publish,
    "stream.stop": stop,
    "stream.view": view,
    "stream.audio_only": audio_only,
    "stream.leave": leave,
}
