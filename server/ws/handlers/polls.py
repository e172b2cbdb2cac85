"""Poll messages (docs/protocol-polls.md): hosts open, close and draw; attendees answer.
rooms/polls.py checks what the poll's channel allows, with the identity from the session."""

from __future__ import annotations

from typing import Any

from rooms.commands import polls as c
from server.ws.handlers.base import Context, Handler


async def listing(ctx: Context, d: c.Listing) -> dict[str, Any]:
    """Watch the channel first, then read it: no change falls between the list and the events."""
    ctx.services.poll_notifier.watch(ctx.conn, d.channel)
    return await ctx.services.polls.listing(ctx.fair_id, ctx.user, d.channel)


async def create(ctx: Context, d: c.Create) -> dict[str, Any]:
    polls = ctx.services.polls
    return await polls.create(
        ctx.fair_id, ctx.user, d.channel, d.text, d.options, d.correct, d.seconds, d.op
    )


async def answer(ctx: Context, d: c.Answer) -> dict[str, Any]:
    return await ctx.services.polls.answer(ctx.fair_id, ctx.user, d.poll_id, d.option)


async def close(ctx: Context, d: c.Poll) -> dict[str, Any]:
    return await ctx.services.polls.close(ctx.fair_id, ctx.user, d.poll_id)


async def draw(ctx: Context, d: c.Draw) -> dict[str, Any]:
    return await ctx.services.polls.draw_winners(ctx.fair_id, ctx.user, d.poll_id, d.winners)


HANDLERS: dict[str, Handler] = {
    "poll.list": listing,
    "poll.create": create,
    "poll.answer": answer,
    "poll.close": close,
    "poll.draw": draw,
}
