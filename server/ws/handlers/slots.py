"""Booked interview slot messages (docs/protocol-queue.md, "Booked slots"). Who acts is always
`ctx.user`, from the signed session; rooms/slots.py checks what they may do. Every change carries
`op`, so a message re-sent after a lost ack has exactly one effect."""

from __future__ import annotations

import time
from typing import Any

from rooms.errors import Forbidden
from rooms.models import Role
from rooms.slots import Slots
from server.ws.handlers.base import Context, Handler


def _s(ctx: Context) -> Slots:
    return ctx.services.slots


async def list_(ctx: Context, d: dict[str, Any]) -> Any:
    """A booth's slots; `now` lets a client tell which have begun by its own clock."""
    return {**await _s(ctx).of_booth(ctx.fair_id, ctx.user, d.get("booth_id")), "now": time.time()}


async def mine(ctx: Context, d: dict[str, Any]) -> Any:
    if ctx.user.role is not Role.WORKER:
        raise Forbidden("only workers book interview times")
    return {**await _s(ctx).mine(ctx.fair_id, ctx.user), "now": time.time()}


async def publish(ctx: Context, d: dict[str, Any]) -> Any:
    form = {k: v for k, v in d.items() if k not in ("booth_id", "op")}
    return await _s(ctx).publish(ctx.fair_id, ctx.user, d.get("booth_id"), form, d.get("op"))


async def remove(ctx: Context, d: dict[str, Any]) -> Any:
    return await _s(ctx).remove(ctx.fair_id, ctx.user, d.get("slot_id"), d.get("op"))


async def book(ctx: Context, d: dict[str, Any]) -> Any:
    return await _s(ctx).book(ctx.fair_id, ctx.user, d.get("slot_id"), d.get("op"), d.get("share"))


async def cancel(ctx: Context, d: dict[str, Any]) -> Any:
    return await _s(ctx).cancel(ctx.fair_id, ctx.user, d.get("slot_id"), d.get("op"))


HANDLERS: dict[str, Handler] = {
    "slots.list": list_,
    "slots.mine": mine,
    "slots.publish": publish,
    "slots.remove": remove,
    "slots.book": book,
    "slots.cancel": cancel,
}
