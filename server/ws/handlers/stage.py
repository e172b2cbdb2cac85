"""The fair's main stage (rooms/commands/stage.py): the same media path and node routing as a
booth's stream, with stream id `<fair>/stage`. Whoever broadcasts goes through a hand-over, so
the stage passes from a speaker to a booth's recruiter and back without viewers reconnecting."""

from __future__ import annotations

from typing import Any

from rooms.commands import stage
from rooms.commands.base import STAGE, Empty
from rooms.errors import Forbidden, InvalidState
from rooms.streams import OfflineReason
from server.ws.handlers.base import Context, Handler


async def _take(ctx: Context, sdp: str, presenting: str) -> dict[str, Any]:
    streaming, fair_id, user_id = ctx.services.streaming, ctx.fair_id, ctx.user.id
    answer = await streaming.hand_over(fair_id, STAGE, user_id, presenting, sdp)
    ctx.conn.on_finish("publish:stage", lambda: streaming.unpublish_if(fair_id, STAGE, user_id))
    return {"sdp": answer}


async def publish(ctx: Context, d: stage.Speak) -> dict[str, Any]:
    return await _take(ctx, d.sdp, "")


async def present(ctx: Context, d: stage.Present) -> dict[str, Any]:
    """Only the booth the stage's host invited, and only onto a live stage."""
    streams = ctx.services.streaming.streams
    if await streams.stage_guest(ctx.fair_id) != d.booth_id:
        raise Forbidden("the stage's host has not invited this booth")
    if await streams.get(ctx.fair_id, STAGE) is None:
        raise InvalidState("the stage is not live")
    return await _take(ctx, d.sdp, d.booth_id)


async def stop(ctx: Context, d: Empty) -> dict[str, Any]:
    await ctx.services.streaming.stop(ctx.fair_id, STAGE, OfflineReason.STOPPED_BY_MODERATOR)
    ctx.conn.forget("publish:stage")
    return {}


async def invite(ctx: Context, d: stage.Guest) -> dict[str, Any]:
    await ctx.services.streaming.streams.set_stage_guest(ctx.fair_id, d.booth_id)
    return {"booth_id": d.booth_id}


HANDLERS: dict[str, Handler] = {
    "stage.publish": publish,
    "stage.present": present,
    "stage.stop": stop,
    "stage.invite": invite,
}
