"""How late the event loop runs: a task that sleeps `interval` and measures how much longer it
took. Every websocket, Redis reply and RTP packet of the node waits on the same loop, so its lag
is the delay everything here adds (a long garbage collection or a blocking call shows at once)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from server.tasks import cancel

INTERVAL = 0.25  # seconds between measurements


class LoopLag:
    def __init__(self, observe: Callable[[float], None], interval: float = INTERVAL) -> None:
        """`observe(seconds)` gets each measured lag."""
        self._observe = observe
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="loop-lag")

    async def close(self) -> None:
        await cancel(self._task)
        self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(self._interval)
            self._observe(max(0.0, loop.time() - start - self._interval))
