"""The interview room: two-way media, chat, time, and the recruiter's notes and outcome.

Media and chat are for the interview's two participants only; what a connection sends or
receives ends when it closes.
"""

from __future__ import annotations

from typing import Any

from rooms.errors import InvalidInput
from server.ws.handlers.base import Context, Handler


def _viewer(ctx: Context) -> str:
    return f"{ctx.user.id}:{ctx.conn.id}"


async def open_room(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return await ctx.services.interview_room.open(ctx.fair_id, data.get("interview_id"), ctx.user)


async def publish(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    room, media = ctx.services.interview_room, ctx.services.interview_media
    interview, side = await room.member(ctx.fair_id, data.get("interview_id"), ctx.user)
    answer = await media.publish(ctx.fair_id, interview, side, data)
    viewer = _viewer(ctx)
    ctx.conn.on_finish(
        f"interview:{interview['id']}",
        lambda: media.leave(ctx.fair_id, interview, side, viewer),
    )
    return answer


async def view(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    room, media = ctx.services.interview_room, ctx.services.interview_media
    interview, side = await room.member(ctx.fair_id, data.get("interview_id"), ctx.user)
    viewer = _viewer(ctx)
    answer = await media.view(ctx.fair_id, interview, side, viewer, data)
    ctx.conn.on_finish(
        f"interview:{interview['id']}",
        lambda: media.leave(ctx.fair_id, interview, side, viewer),
    )
    return answer


async def audio_only(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    on = data.get("on")
    if not isinstance(on, bool):
        raise InvalidInput("on must be true or false")
    room, media = ctx.services.interview_room, ctx.services.interview_media
    interview, side = await room.member(ctx.fair_id, data.get("interview_id"), ctx.user)
    await media.set_audio_only(ctx.fair_id, interview, side, _viewer(ctx), on)
    return {"audio_only": on}


async def leave(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    room, media = ctx.services.interview_room, ctx.services.interview_media
    interview, side = await room.member(ctx.fair_id, data.get("interview_id"), ctx.user)
    await media.leave(ctx.fair_id, interview, side, _viewer(ctx))
    ctx.conn.forget(f"interview:{interview['id']}")
    return {}


async def say(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    room = ctx.services.interview_room
    return await room.say(ctx.fair_id, data.get("interview_id"), ctx.user, data.get("text"))


async def extend(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    room = ctx.services.interview_room
    fields = {k: v for k, v in data.items() if k != "interview_id"}
    return await room.extend(ctx.fair_id, data.get("interview_id"), ctx.user, fields)


async def record(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    room = ctx.services.interview_room
    fields = {k: v for k, v in data.items() if k != "interview_id"}
    return await room.record(ctx.fair_id, data.get("interview_id"), ctx.user, fields)


async def get(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    room = ctx.services.interview_room
    return await room.readable(ctx.fair_id, data.get("interview_id"), ctx.user)


async def history(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return {"interviews": await ctx.services.interview_room.history(ctx.fair_id, ctx.user)}


async def report(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return await ctx.services.interview_room.report(ctx.fair_id, ctx.user, data.get("booth_id"))


HANDLERS: dict[str, Handler] = {
    "interview.open": open_room,
    "interview.publish": publish,
    "interview.view": view,
    "interview.audio_only": audio_only,
    "interview.leave": leave,
    "interview.say": say,
    "interview.extend": extend,
    "interview.record": record,
    "interview.get": get,
    "interview.history": history,
    "interview.report": report,
}
