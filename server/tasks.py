"""Ending the background tasks a node runs (sweeper, leases, listeners, notifiers)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any

RECANCEL = 0.1  # seconds between cancels of a task that did not end


async def cancel(*tasks: asyncio.Task[Any] | None) -> None:
    """Cancel each task and wait until it has ended; None and ended tasks are fine."""
    await cancel_all(tasks)


async def cancel_all(tasks: Iterable[asyncio.Task[Any] | None]) -> None:
    """A cancel can be lost (Python 3.11's `asyncio.timeout` may turn one that lands with its
    own deadline into a TimeoutError, which a loop that rides out Redis errors then swallows), so
    a task that has not ended is cancelled again until it does."""
    given = [task for task in tasks if task is not None]
    pending = {task for task in given if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=RECANCEL)
    for task in given:  # retrieved, so that none is reported as never retrieved
        with contextlib.suppress(asyncio.CancelledError, Exception):
            task.result()
