"""Interview queue messages (docs/protocol-queue.md). Who acts is always `ctx.user`, from the
signed session; rooms/queue.py checks what they may do where the entry's booth matters. Every
change carries `op`, so that a message re-sent after a lost ack has exactly one effect."""

from __future__ import annotations

from typing import Any

from rooms.commands import queue as q
from rooms.commands.base import BoothInput, Empty
from rooms.permissions import Action, may
from rooms.queue import LineChange, Queue
from server.ws.handlers.base import Context, Handler


def _q(ctx: Context) -> Queue:
    return ctx.services.queue


# --- workers ---------------------------------------------------------------------------------


async def join(ctx: Context, d: q.Join) -> Any:
    queue = _q(ctx)
    return await queue.join(ctx.fair_id, ctx.user, d.booth_id, d.job_id or "", d.op, d.share)


async def leave(ctx: Context, d: q.EntryOp) -> Any:
    return await _q(ctx).leave(ctx.fair_id, ctx.user, d.entry_id, d.op)


async def accept(ctx: Context, d: q.EntryOp) -> Any:
    return await _q(ctx).accept(ctx.fair_id, ctx.user, d.entry_id, d.op)


async def decline(ctx: Context, d: q.EntryOp) -> Any:
    return await _q(ctx).decline(ctx.fair_id, ctx.user, d.entry_id, d.op)


async def mine(ctx: Context, d: Empty) -> Any:
    """A worker's places after (re)connecting; it also renews their presence at once."""
    svc = ctx.services
    if may(ctx.user, Action.QUEUE_JOIN, ctx.fair_id):
        await svc.queue.vouch(ctx.fair_id, [ctx.user.id])
    return {
        "entries": await svc.queue_views.mine(ctx.fair_id, ctx.user.id),
        "settings": await svc.queue.settings(ctx.fair_id),
        "now": await svc.queue_views.now(),
    }


async def sizes(ctx: Context, d: Empty) -> Any:
    """The lobby orders booths by it: short lines first, after the live ones."""
    return {"sizes": await ctx.services.queue_views.sizes(ctx.fair_id)}


async def push_subscribe(ctx: Context, d: q.PushSubscribe) -> Any:
    sub = d.subscription.model_dump(exclude_none=True)
    await ctx.services.web_push.subscribe(ctx.fair_id, ctx.user.id, sub, d.lang)
    return {}


async def settings(ctx: Context, d: Empty) -> Any:
    return await _q(ctx).settings(ctx.fair_id)


# --- staff of a booth ----------------------------------------------------------------------------


async def view(ctx: Context, d: BoothInput) -> Any:
    """The booth's line as staff see it; this connection then gets `queue.line` on changes."""
    await ctx.services.fairs.get_booth(ctx.fair_id, d.booth_id)
    ctx.services.queue_notifier.watch(ctx.conn, d.booth_id)
    return await ctx.services.queue_views.view(ctx.fair_id, d.booth_id)


async def call_next(ctx: Context, d: q.BoothOp) -> Any:
    entry = await _q(ctx).call_next(ctx.fair_id, ctx.user, d.booth_id, d.op)
    ctx.services.web_push.called(ctx.fair_id, entry)  # this node made the call: it alone pushes
    return entry


async def call(ctx: Context, d: q.EntryOp) -> Any:
    entry = await _q(ctx).call(ctx.fair_id, ctx.user, d.entry_id, d.op)
    ctx.services.web_push.called(ctx.fair_id, entry)
    return entry


async def no_show(ctx: Context, d: q.EntryOp) -> Any:
    return await _q(ctx).no_show(ctx.fair_id, ctx.user, d.entry_id, d.op)


async def finish(ctx: Context, d: q.Finish) -> Any:
    return await _q(ctx).finish(ctx.fair_id, ctx.user, d.interview_id, d.op)


# --- moderators ----------------------------------------------------------------------------------


def _line(change: LineChange) -> Handler:
    async def handler(ctx: Context, d: q.BoothOp | q.Cap) -> Any:
        cap = d.cap if isinstance(d, q.Cap) else None
        return await _q(ctx).change_line(ctx.fair_id, ctx.user, d.booth_id, change, cap, d.op)

    return handler


async def reorder(ctx: Context, d: q.Reorder) -> Any:
    return await _q(ctx).reorder(ctx.fair_id, ctx.user, d.entry_id, d.position, d.op)


async def remove(ctx: Context, d: q.EntryOp) -> Any:
    return await _q(ctx).remove(ctx.fair_id, ctx.user, d.entry_id, d.op)


async def walk_in(ctx: Context, d: q.WalkIn) -> Any:
    return await _q(ctx).walk_in(ctx.fair_id, ctx.user, d.booth_id, d, d.op)


async def configure(ctx: Context, d: q.Configure) -> Any:
    return await _q(ctx).configure(ctx.fair_id, ctx.user, d, d.op)


async def audit(ctx: Context, d: q.Audit) -> Any:
    return {"records": await ctx.services.queue_views.audit(ctx.fair_id, d.booth_id)}


HANDLERS: dict[str, Handler] = {
    "queue.join": join,
    "queue.leave": leave,
    "queue.accept": accept,
    "queue.decline": decline,
    "push.subscribe": push_subscribe,
    "queue.mine": mine,
    "queue.settings": settings,
    "queue.sizes": sizes,
    "queue.view": view,
    "queue.call_next": call_next,
    "queue.call": call,
    "queue.no_show": no_show,
    "queue.finish": finish,
    "queue.pause": _line("pause"),
    "queue.resume": _line("resume"),
    "queue.close": _line("close"),
    "queue.cap": _line("cap"),
    "queue.reorder": reorder,
    "queue.remove": remove,
    "queue.walk_in": walk_in,
    "queue.configure": configure,
    "queue.audit": audit,
}
