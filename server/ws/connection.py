"""One client's websocket: a bounded send queue drained by one writer task.

Broadcasts never await a client: `push` only enqueues. A client whose queue fills, or whose
single send blocks longer than the timeout (it stopped reading), is closed and forgotten, so it can
neither stall the others nor grow server memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable

from starlette.websockets import WebSocket

from rooms.models import Participant
from server.metrics import Metrics
from server.ratelimit import TokenBucket
from server.settings import Limits
from server.ws.protocol import CLOSE_TRY_AGAIN

log = logging.getLogger(__name__)


class Connection:
    def __init__(
        self,
        websocket: WebSocket,
        user: Participant,
        fair_id: str,
        limits: Limits,
        metrics: Metrics,
    ) -> None:
        self.id = secrets.token_hex(6)
        self.websocket = websocket
        self.user = user
        self.fair_id = fair_id
        self.metrics = metrics
        self.bucket = TokenBucket(limits.ws_rate_per_minute, limits.ws_burst)
        self._queue: asyncio.Queue[str] = asyncio.Queue(maxsize=limits.ws_send_queue)
        self._send_timeout = limits.ws_send_timeout
        self._writer: asyncio.Task[None] | None = None
        self._cleanups: dict[str, Callable[[], Awaitable[None]]] = {}
        self.closed = asyncio.Event()

    @property
    def queued(self) -> int:
        """Events waiting for the writer."""
        return self._queue.qsize()

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write(), name=f"ws-writer-{self.user.id}")

    def push(self, text: str) -> None:
        if self.closed.is_set():
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self.metrics.errors.labels("slow_client").inc()
            self.metrics.send_drops.labels("queue_full").inc()
            self.close(CLOSE_TRY_AGAIN, "too slow: events were not read")

    async def _write(self) -> None:
        try:
            while True:
                text = await self._queue.get()
                # asyncio.timeout, not wait_for: on 3.11 wait_for makes a task per message
                async with asyncio.timeout(self._send_timeout):
                    await self.websocket.send_text(text)
                self.metrics.messages_out.inc()
        except TimeoutError:
            self.metrics.errors.labels("slow_client").inc()
            self.metrics.send_drops.labels("send_timeout").inc()
            self.close(CLOSE_TRY_AGAIN, "too slow: a send timed out")
        except Exception:  # the socket is gone; the reader sees it too and unregisters us
            self.closed.set()

    def close(self, code: int, reason: str) -> None:
        """Idempotent; returns at once. The reader loop notices and unregisters the connection."""
        if self.closed.is_set():
            return
        self.closed.set()
        asyncio.get_running_loop().create_task(self._close(code, reason))

    async def _close(self, code: int, reason: str) -> None:
        if self._writer is not None and self._writer is not asyncio.current_task():
            self._writer.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.websocket.close(code, reason), 1.0)

    def on_finish(self, key: str, cleanup: Callable[[], Awaitable[None]]) -> None:
        """Run `cleanup` when the connection ends (once per key: a later one replaces it)."""
        self._cleanups[key] = cleanup

    def forget(self, key: str) -> None:
        self._cleanups.pop(key, None)

    def holds(self, prefix: str) -> bool:
        """Whether something registered under `prefix` is still held (a drain waits for it)."""
        return any(key.startswith(prefix) for key in self._cleanups)

    async def finish(self) -> None:
        """The reader ended: release what the connection held, stop the writer, drop the queue."""
        self.closed.set()
        cleanups, self._cleanups = list(self._cleanups.values()), {}
        for cleanup in cleanups:
            try:
                await cleanup()
            except Exception:
                log.exception("cleanup of connection %s failed", self.id)
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer
        while not self._queue.empty():
            self._queue.get_nowait()
