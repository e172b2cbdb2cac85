"""Lobby messages: re-read the whole lobby after a gap, and an application-level ping."""

from __future__ import annotations

import time
from typing import Any

from rooms.commands.base import Empty
from server.ws.handlers.base import Context, Handler


async def snapshot(ctx: Context, d: Empty) -> dict[str, Any]:
    return await ctx.services.fairs.snapshot(ctx.fair_id)


async def ping(ctx: Context, d: Empty) -> dict[str, Any]:
    return {"time": time.time()}


HANDLERS: dict[str, Handler] = {"fair.snapshot": snapshot, "ping": ping}
