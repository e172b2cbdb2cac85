"""Q&A messages (docs/protocol-qa.md): attendees ask, vote and list; staff moderate and answer.

Each handler passes the validated input on; rooms/qa.py checks what the question's channel
allows, with the identity taken from the session.
"""

from __future__ import annotations

from typing import Any

from rooms.commands import qa as c
from rooms.qa import Restriction
from server.ws.handlers.base import Context, Handler


async def listing(ctx: Context, d: c.Listing) -> dict[str, Any]:
    """Watch the channel first, then read it: no change falls between the list and the events."""
    qa = ctx.services.qa
    channel = await qa.require_channel(ctx.fair_id, d.channel)
    ctx.services.qa_notifier.watch(ctx.conn, channel)
    return await qa.listing(ctx.fair_id, ctx.user, channel, d.sort)


async def ask(ctx: Context, d: c.Ask) -> dict[str, Any]:
    qa = ctx.services.qa
    return await qa.ask(ctx.fair_id, ctx.user, d.channel, d.text, d.anonymous, d.op)


async def vote(ctx: Context, d: c.Question) -> dict[str, Any]:
    return await ctx.services.qa.vote(ctx.fair_id, ctx.user, d.question_id, up=True)


async def unvote(ctx: Context, d: c.Question) -> dict[str, Any]:
    return await ctx.services.qa.vote(ctx.fair_id, ctx.user, d.question_id, up=False)


async def approve(ctx: Context, d: c.Question) -> dict[str, Any]:
    return await ctx.services.qa.approve(ctx.fair_id, ctx.user, d.question_id)


async def hide(ctx: Context, d: c.Question) -> dict[str, Any]:
    return await ctx.services.qa.hide(ctx.fair_id, ctx.user, d.question_id)


async def edit(ctx: Context, d: c.Text) -> dict[str, Any]:
    return await ctx.services.qa.edit(ctx.fair_id, ctx.user, d.question_id, d.text)


async def pin(ctx: Context, d: c.Pin) -> dict[str, Any]:
    return await ctx.services.qa.pin(ctx.fair_id, ctx.user, d.question_id, d.pinned)


async def merge(ctx: Context, d: c.Merge) -> dict[str, Any]:
    return await ctx.services.qa.merge(ctx.fair_id, ctx.user, d.from_, d.into)


async def answering(ctx: Context, d: c.Answering) -> dict[str, Any]:
    qa = ctx.services.qa
    return await qa.set_answering(ctx.fair_id, ctx.user, d.channel, d.question_id)


async def answer(ctx: Context, d: c.Text) -> dict[str, Any]:
    return await ctx.services.qa.answer(ctx.fair_id, ctx.user, d.question_id, d.text)


async def mark_answered(ctx: Context, d: c.Answered) -> dict[str, Any]:
    qa = ctx.services.qa
    return await qa.mark_answered(ctx.fair_id, ctx.user, d.question_id, d.answered)


async def premoderation(ctx: Context, d: c.Premoderation) -> dict[str, Any]:
    return await ctx.services.qa.set_premoderation(ctx.fair_id, ctx.user, d.channel, d.on)


def _restrict(state: Restriction) -> Handler:
    async def handler(ctx: Context, d: c.Person) -> dict[str, Any]:
        return await ctx.services.qa.restrict(ctx.fair_id, ctx.user, d.user_id, state)

    return handler


async def log(ctx: Context, d: c.Log) -> dict[str, Any]:
    return {"entries": await ctx.services.qa.log(ctx.fair_id, ctx.user, d.count)}


HANDLERS: dict[str, Handler] = {
    "qa.list": listing,
    "qa.ask": ask,
    "qa.vote": vote,
    "qa.unvote": unvote,
    "qa.approve": approve,
    "qa.hide": hide,
    "qa.edit": edit,
    "qa.pin": pin,
    "qa.merge": merge,
    "qa.answering": answering,
    "qa.answer": answer,
    "qa.mark_answered": mark_answered,
    "qa.premoderation": premoderation,
    "qa.mute": _restrict("muted"),
    "qa.unmute": _restrict(""),
    "qa.remove_participant": _restrict("removed"),
    "qa.log": log,
}
