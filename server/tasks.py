"""Ending the background tasks a node runs (sweeper, leases, listeners, notifiers)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any


async def cancel(*tasks: asyncio.Task[Any] | None) -> None:
    """Cancel each task and wait until it has ended; None and ended tasks are fine."""
    await cancel_all(tasks)


async def cancel_all(tasks: Iterable[asyncio.Task[Any] | None]) -> None:
    pending = [task for task in tasks if task is not None]
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError):
            await task
