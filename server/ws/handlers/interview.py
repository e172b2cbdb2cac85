"""The interview room: two-way media, chat, time, and the recruiter's notes and outcome.

Media and chat are for the interview's two participants only; what a connection sends or
receives ends when it closes.
"""

from __future__ import annotations

from typing import Any

from rooms.commands import interview as iv
from rooms.commands import media
from rooms.commands.base import Empty
from server.ws.handlers.base import Context, Handler


def _viewer(ctx: Context) -> str:
    return f"{ctx.user.id}:{ctx.conn.id}"


async def open_room(ctx: Context, d: iv.Interview) -> dict[str, Any]:
    return await ctx.services.interview_room.open(ctx.fair_id, d.interview_id, ctx.user)


async def publish(ctx: Context, d: media.InterviewPublish) -> dict[str, Any]:
    room, media_ = ctx.services.interview_room, ctx.services.interview_media
    interview, side = await room.member(ctx.fair_id, d.interview_id, ctx.user)
    viewer = _viewer(ctx)
    answer = await media_.publish(ctx.fair_id, interview, side, viewer, d.sdp)
    ctx.conn.on_finish(
        f"interview:{interview['id']}",
        lambda: media_.leave(ctx.fair_id, interview, side, viewer),
    )
    return answer


async def view(ctx: Context, d: media.InterviewView) -> dict[str, Any]:
    room, media_ = ctx.services.interview_room, ctx.services.interview_media
    interview, side = await room.member(ctx.fair_id, d.interview_id, ctx.user)
    viewer = _viewer(ctx)
    answer = await media_.view(ctx.fair_id, interview, side, viewer, d.sdp, d.audio_only)
    ctx.conn.on_finish(
        f"interview:{interview['id']}",
        lambda: media_.leave(ctx.fair_id, interview, side, viewer),
    )
    return answer


async def audio_only(ctx: Context, d: media.InterviewAudioOnly) -> dict[str, Any]:
    room, media_ = ctx.services.interview_room, ctx.services.interview_media
    interview, side = await room.member(ctx.fair_id, d.interview_id, ctx.user)
    await media_.set_audio_only(ctx.fair_id, interview, side, _viewer(ctx), d.on)
    return {"audio_only": d.on}


async def leave(ctx: Context, d: media.Interview) -> dict[str, Any]:
    room, media_ = ctx.services.interview_room, ctx.services.interview_media
    interview, side = await room.member(ctx.fair_id, d.interview_id, ctx.user)
    await media_.leave(ctx.fair_id, interview, side, _viewer(ctx))
    ctx.conn.forget(f"interview:{interview['id']}")
    return {}


async def say(ctx: Context, d: iv.Say) -> dict[str, Any]:
    room = ctx.services.interview_room
    return await room.say(ctx.fair_id, d.interview_id, ctx.user, d.text, d.op)


async def extend(ctx: Context, d: iv.Extend) -> dict[str, Any]:
    room = ctx.services.interview_room
    return await room.extend(ctx.fair_id, d.interview_id, ctx.user, d.minutes, d.op)


async def record(ctx: Context, d: iv.Record) -> dict[str, Any]:
    room = ctx.services.interview_room
    return await room.record(ctx.fair_id, d.interview_id, ctx.user, d)


async def get(ctx: Context, d: iv.Interview) -> dict[str, Any]:
    return await ctx.services.interview_room.readable(ctx.fair_id, d.interview_id, ctx.user)


async def history(ctx: Context, d: Empty) -> dict[str, Any]:
    return {"interviews": await ctx.services.interview_room.history(ctx.fair_id, ctx.user)}


async def report(ctx: Context, d: iv.Report) -> dict[str, Any]:
    return await ctx.services.reports.outcomes(ctx.fair_id, ctx.user, d.booth_id)


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
