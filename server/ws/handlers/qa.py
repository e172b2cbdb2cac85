"""Q&A messages (docs/protocol-qa.md): attendees ask, vote and list; staff moderate and answer.

Each handler only picks fields out of the message; rooms/qa.py validates them and checks who may
do it, with the identity taken from the session.
"""

from __future__ import annotations

from typing import Any

from server.ws.handlers.base import Context, Handler


async def listing(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Watch the channel first, then read it: no change falls between the list and the events."""
    qa = ctx.services.qa
    channel = await qa.require_channel(ctx.fair_id, data.get("channel"))
    ctx.services.qa_notifier.watch(ctx.conn, channel)
    return await qa.listing(ctx.fair_id, ctx.user, channel, data.get("sort", "top"))


async def ask(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return await ctx.services.qa.ask(
        ctx.fair_id,
        ctx.user,
        data.get("channel"),
        data.get("text"),
        data.get("anonymous", False),
        data.get("op"),
    )


async def vote(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return await ctx.services.qa.vote(ctx.fair_id, ctx.user, data.get("question_id"), up=True)


async def unvote(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return await ctx.services.qa.vote(ctx.fair_id, ctx.user, data.get("question_id"), up=False)


async def approve(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return await ctx.services.qa.approve(ctx.fair_id, ctx.user, data.get("question_id"))


async def hide(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return await ctx.services.qa.hide(ctx.fair_id, ctx.user, data.get("question_id"))


async def edit(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    qid, text = data.get("question_id"), data.get("text")
    return await ctx.services.qa.edit(ctx.fair_id, ctx.user, qid, text)


async def pin(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    qid, pinned = data.get("question_id"), data.get("pinned", True)
    return await ctx.services.qa.pin(ctx.fair_id, ctx.user, qid, pinned)


async def merge(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return await ctx.services.qa.merge(ctx.fair_id, ctx.user, data.get("from"), data.get("into"))


async def answering(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    channel, qid = data.get("channel"), data.get("question_id")
    return await ctx.services.qa.set_answering(ctx.fair_id, ctx.user, channel, qid)


async def answer(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    qid, text = data.get("question_id"), data.get("text")
    return await ctx.services.qa.answer(ctx.fair_id, ctx.user, qid, text)


async def mark_answered(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    qid, answered = data.get("question_id"), data.get("answered", True)
    return await ctx.services.qa.mark_answered(ctx.fair_id, ctx.user, qid, answered)


async def premoderation(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    channel, on = data.get("channel"), data.get("on")
    return await ctx.services.qa.set_premoderation(ctx.fair_id, ctx.user, channel, on)


async def mute(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return await ctx.services.qa.restrict(ctx.fair_id, ctx.user, data.get("user_id"), "muted")


async def unmute(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return await ctx.services.qa.restrict(ctx.fair_id, ctx.user, data.get("user_id"), "")


async def remove_participant(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return await ctx.services.qa.restrict(ctx.fair_id, ctx.user, data.get("user_id"), "removed")


async def log(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    entries = await ctx.services.qa.log(ctx.fair_id, ctx.user, data.get("count", 100))
    return {"entries": entries}


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
    "qa.mute": mute,
    "qa.unmute": unmute,
    "qa.remove_participant": remove_participant,
    "qa.log": log,
}
