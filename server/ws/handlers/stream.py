"""Booth stream signalling: the recruiter publishes, anyone in the fair views (complete SDP offers
and answers; no trickle ICE). What a connection publishes or views ends when it closes."""

from __future__ import annotations

from typing import Any

from rooms.commands import media
from rooms.commands.base import BoothInput
from rooms.permissions import Action, allowed
from server.ws.handlers.base import Context, Handler


def _viewer(ctx: Context) -> str:
    """Per connection: one person may watch from a phone and a laptop at once."""
    return f"{ctx.user.id}:{ctx.conn.id}"


async def publish(ctx: Context, d: media.Publish) -> dict[str, Any]:
    booth_id = d.booth_id
    await ctx.services.fairs.get_booth(ctx.fair_id, booth_id)
    streaming = ctx.services.streaming
    answer = await streaming.publish(ctx.fair_id, booth_id, ctx.user.id, d.sdp)
    ctx.conn.on_finish(f"publish:{booth_id}", lambda: streaming.unpublish(ctx.fair_id, booth_id))
    return {"sdp": answer}


async def stop(ctx: Context, d: BoothInput) -> dict[str, Any]:
    """The recruiter's "Stop", or a moderator's: ends the stream and every viewer's connection."""
    by_staff = allowed(ctx.user, Action.STREAM, ctx.fair_id, None)  # for any booth: moderators
    reason = "stopped by a moderator" if by_staff else "the recruiter ended the stream"
    code = "moderator" if by_staff else "recruiter"
    await ctx.services.streaming.stop(ctx.fair_id, d.booth_id, reason, code)
    ctx.conn.forget(f"publish:{d.booth_id}")
    return {}


def _watching(ctx: Context, booth_id: str) -> str:
    """The report period of this connection watching this booth (rooms/reports/periods.py)."""
    return f"{ctx.conn.id}.{booth_id}"


async def view(ctx: Context, d: media.View) -> dict[str, Any]:
    booth_id, streaming, viewer = d.booth_id, ctx.services.streaming, _viewer(ctx)
    answer = await streaming.view(ctx.fair_id, booth_id, viewer, d.sdp, d.audio_only)
    attendance, period = ctx.services.attendance, _watching(ctx, booth_id)
    await attendance.open(ctx.fair_id, period, "v", ctx.user, booth_id)

    async def stop_viewing() -> None:
        await attendance.end(ctx.fair_id, period)
        await streaming.leave(ctx.fair_id, booth_id, viewer)

    ctx.conn.on_finish(f"view:{booth_id}", stop_viewing)
    return answer


async def audio_only(ctx: Context, d: media.AudioOnly) -> dict[str, Any]:
    await ctx.services.streaming.set_audio_only(ctx.fair_id, d.booth_id, _viewer(ctx), d.on)
    return {"audio_only": d.on}


async def leave(ctx: Context, d: BoothInput) -> dict[str, Any]:
    await ctx.services.attendance.end(ctx.fair_id, _watching(ctx, d.booth_id))
    await ctx.services.streaming.leave(ctx.fair_id, d.booth_id, _viewer(ctx))
    ctx.conn.forget(f"view:{d.booth_id}")
    return {}


HANDLERS: dict[str, Handler] = {
    "stream.publish": publish,
    "stream.stop": stop,
    "stream.view": view,
    "stream.audio_only": audio_only,
    "stream.leave": leave,
}
