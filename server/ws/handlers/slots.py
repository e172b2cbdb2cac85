"""Booked interview slot messages (docs/protocol-queue.md, "Booked slots"). Who acts is always
`ctx.user`, from the signed session; rooms/slots.py checks what they may do. Every change carries
`op`, so a message re-sent after a lost ack has exactly one effect."""

from __future__ import annotations

import time
from typing import Any

from rooms.commands import slots as s
from rooms.commands.base import BoothInput, Empty
from rooms.slots import Slots
from server.ws.handlers.base import Context, Handler


def _s(ctx: Context) -> Slots:
    return ctx.services.slots


async def list_(ctx: Context, d: BoothInput) -> Any:
    """A booth's slots; `now` lets a client tell which have begun by its own clock."""
    return {**await _s(ctx).of_booth(ctx.fair_id, ctx.user, d.booth_id), "now": time.time()}


async def mine(ctx: Context, d: Empty) -> Any:
    return {**await _s(ctx).mine(ctx.fair_id, ctx.user), "now": time.time()}


async def publish(ctx: Context, d: s.Publish) -> Any:
    return await _s(ctx).publish(ctx.fair_id, ctx.user, d.booth_id, d, d.op)


async def remove(ctx: Context, d: s.SlotOp) -> Any:
    return await _s(ctx).remove(ctx.fair_id, ctx.user, d.slot_id, d.op)


async def book(ctx: Context, d: s.Book) -> Any:
    return await _s(ctx).book(ctx.fair_id, ctx.user, d.slot_id, d.op, d.share)


async def cancel(ctx: Context, d: s.SlotOp) -> Any:
    return await _s(ctx).cancel(ctx.fair_id, ctx.user, d.slot_id, d.op)


HANDLERS: dict[str, Handler] = {
    "slots.list": list_,
    "slots.mine": mine,
    "slots.publish": publish,
    "slots.remove": remove,
    "slots.book": book,
    "slots.cancel": cancel,
}
