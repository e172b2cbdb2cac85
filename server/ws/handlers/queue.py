"""Interview queue messages (docs/protocol-queue.md). Who acts is always `ctx.user`, from the
signed session; rooms/queue.py checks what they may do. Every change carries `op`, a client id
for the action, so that a message re-sent after a lost ack has exactly one effect."""

from __future__ import annotations

from typing import Any

from rooms.models import Role
from rooms.permissions import Action, require
from rooms.queue import LineChange, Queue, check_id
from server.ws.handlers.base import Context, Handler


def _q(ctx: Context) -> Queue:
    return ctx.services.queue


# --- workers ---------------------------------------------------------------------------------


async def join(ctx: Context, d: dict[str, Any]) -> Any:
    return await _q(ctx).join(
        ctx.fair_id, ctx.user, d.get("booth_id"), d.get("job_id"), d.get("op"), d.get("share")
    )


async def leave(ctx: Context, d: dict[str, Any]) -> Any:
    return await _q(ctx).leave(ctx.fair_id, ctx.user, d.get("entry_id"), d.get("op"))


async def accept(ctx: Context, d: dict[str, Any]) -> Any:
    return await _q(ctx).accept(ctx.fair_id, ctx.user, d.get("entry_id"), d.get("op"))


async def decline(ctx: Context, d: dict[str, Any]) -> Any:
    return await _q(ctx).decline(ctx.fair_id, ctx.user, d.get("entry_id"), d.get("op"))


async def mine(ctx: Context, d: dict[str, Any]) -> Any:
    """A worker's places after (re)connecting; it also renews their presence at once."""
    svc = ctx.services
    if ctx.user.role is Role.WORKER:
        await svc.queue.vouch(ctx.fair_id, [ctx.user.id])
    return {
        "entries": await svc.queue_views.mine(ctx.fair_id, ctx.user.id),
        "settings": await svc.queue.settings(ctx.fair_id),
    }


async def settings(ctx: Context, d: dict[str, Any]) -> Any:
    return await _q(ctx).settings(ctx.fair_id)


# --- staff of a booth ----------------------------------------------------------------------------


async def view(ctx: Context, d: dict[str, Any]) -> Any:
    """The booth's line as staff see it; this connection then gets `queue.line` on changes."""
    booth_id = check_id(d.get("booth_id"), "booth_id")
    require(ctx.user, Action.QUEUE_SERVE, ctx.fair_id, booth_id)
    await ctx.services.fairs.get_booth(ctx.fair_id, booth_id)
    ctx.services.queue_notifier.watch(ctx.conn, booth_id)
    return await ctx.services.queue_views.view(ctx.fair_id, booth_id)


async def call_next(ctx: Context, d: dict[str, Any]) -> Any:
    return await _q(ctx).call_next(ctx.fair_id, ctx.user, d.get("booth_id"), d.get("op"))


async def call(ctx: Context, d: dict[str, Any]) -> Any:
    return await _q(ctx).call(ctx.fair_id, ctx.user, d.get("entry_id"), d.get("op"))


async def no_show(ctx: Context, d: dict[str, Any]) -> Any:
    return await _q(ctx).no_show(ctx.fair_id, ctx.user, d.get("entry_id"), d.get("op"))


async def finish(ctx: Context, d: dict[str, Any]) -> Any:
    return await _q(ctx).finish(ctx.fair_id, ctx.user, d.get("interview_id"), d.get("op"))


# --- moderators ----------------------------------------------------------------------------------


def _line(change: LineChange) -> Handler:
    async def handler(ctx: Context, d: dict[str, Any]) -> Any:
        booth_id, cap = d.get("booth_id"), d.get("cap")
        return await _q(ctx).change_line(ctx.fair_id, ctx.user, booth_id, change, cap, d.get("op"))

    return handler


async def reorder(ctx: Context, d: dict[str, Any]) -> Any:
    entry_id, position = d.get("entry_id"), d.get("position")
    return await _q(ctx).reorder(ctx.fair_id, ctx.user, entry_id, position, d.get("op"))


async def remove(ctx: Context, d: dict[str, Any]) -> Any:
    return await _q(ctx).remove(ctx.fair_id, ctx.user, d.get("entry_id"), d.get("op"))


async def walk_in(ctx: Context, d: dict[str, Any]) -> Any:
    form = {k: v for k, v in d.items() if k not in ("booth_id", "op")}
    return await _q(ctx).walk_in(ctx.fair_id, ctx.user, d.get("booth_id"), form, d.get("op"))


async def configure(ctx: Context, d: dict[str, Any]) -> Any:
    form = {k: v for k, v in d.items() if k != "op"}
    return await _q(ctx).configure(ctx.fair_id, ctx.user, form, d.get("op"))


async def audit(ctx: Context, d: dict[str, Any]) -> Any:
    require(ctx.user, Action.QUEUE_MODERATE, ctx.fair_id)
    booth_id = d.get("booth_id")
    booth = None if booth_id is None else check_id(booth_id, "booth_id")
    return {"records": await ctx.services.queue_views.audit(ctx.fair_id, booth)}


HANDLERS: dict[str, Handler] = {
    "queue.join": join,
    "queue.leave": leave,
    "queue.accept": accept,
    "queue.decline": decline,
    "queue.mine": mine,
    "queue.settings": settings,
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
