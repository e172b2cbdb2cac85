"""The live dashboard for staff (server/dashboard.py)."""

from __future__ import annotations

from typing import Any

from rooms.commands.report import Watch
from rooms.reports.reader import Reports
from server.ws.handlers.base import Context, Handler


async def watch(ctx: Context, d: Watch) -> dict[str, Any]:
    scope = Reports.scope(ctx.user, ctx.fair_id, d.booth_id)
    return await ctx.services.dashboards.watch(ctx.conn, scope)


HANDLERS: dict[str, Handler] = {"report.watch": watch}
