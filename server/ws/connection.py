"""One client's websocket: sends that complete at once, else a bounded backlog and one writer.

Broadcasts never await a client. `push` starts the send right away, in the caller: with the
client reading, an ASGI send only writes to the socket and finishes without suspending, so the
common case costs no queue, no task switch and no timer (a node pushes thousands of frames per
"call next", docs/performance.md). Only a send that suspends (the client's socket buffer is full:
it reads slowly) is finished by a writer task made for it, under the send timeout; what is
pushed meanwhile waits behind it in a bounded backlog, in order. A client whose backlog fills, or
whose send blocks longer than the timeout (it stopped reading), is closed and forgotten, so it can
neither stall the others nor grow server memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from starlette.websockets import WebSocket

from rooms.models import Participant
from server.metrics import Metrics
from server.ratelimit import TokenBucket
from server.settings import Limits
from server.ws.protocol import CLOSE_TRY_AGAIN

log = logging.getLogger(__name__)

Send = Coroutine[Any, Any, None]


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
        self._backlog: deque[str] = deque()
        self._backlog_max = limits.ws_send_queue
        self._send_timeout = limits.ws_send_timeout
        self._writer: asyncio.Task[None] | None = None  # only while a send is stalled
        self._cleanups: dict[str, Callable[[], Awaitable[None]]] = {}
        # events that come between subscribing and the welcome: sent right after it, never before
        self._early: list[str] | None = []
        self.closed = asyncio.Event()

    @property
    def queued(self) -> int:
        """Events waiting behind a stalled send."""
        return len(self._backlog)

    def welcome(self, text: str) -> None:
        """The first frame; what was pushed before it follows it, in order."""
        early, self._early = self._early or [], None
        for frame in (text, *early):
            self.push(frame)

    def push(self, text: str) -> None:
        if self.closed.is_set():
            return
        if self._early is not None:
            if len(self._early) < self._backlog_max:
                self._early.append(text)
            else:
                self.close(CLOSE_TRY_AGAIN, "too many events before the welcome")
            return
        if self._writer is None:
            self._start(self.websocket.send_text(text))
        elif len(self._backlog) < self._backlog_max:
            self._backlog.append(text)
        else:
            self.metrics.errors.labels("slow_client").inc()
            self.metrics.send_drops.labels("queue_full").inc()
            self.close(CLOSE_TRY_AGAIN, "too slow: events were not read")

    def _start(self, send: Send) -> None:
        """Run `send` here until it finishes or suspends; a suspended one goes to a writer."""
        try:
            waiting = send.send(None)
        except StopIteration:
            self.metrics.sent += 1
            return
        except Exception:  # the socket is gone; the reader sees it too and unregisters us
            self.closed.set()
            return
        self._writer = asyncio.get_running_loop().create_task(
            self._write(send, waiting), name=f"ws-writer-{self.user.id}"
        )

    async def _write(self, send: Send, waiting: object) -> None:
        """Finish the stalled send, then the backlog, each within the send timeout."""
        try:
            async with asyncio.timeout(self._send_timeout):
                await _resume(send, waiting)
            self.metrics.sent += 1
            while self._backlog:
                async with asyncio.timeout(self._send_timeout):
                    await self.websocket.send_text(self._backlog.popleft())
                self.metrics.sent += 1
        except TimeoutError:
            self.metrics.errors.labels("slow_client").inc()
            self.metrics.send_drops.labels("send_timeout").inc()
            self.close(CLOSE_TRY_AGAIN, "too slow: a send timed out")
        except Exception:  # the socket is gone; the reader sees it too and unregisters us
            self.closed.set()
        finally:
            if self._writer is asyncio.current_task():
                self._writer = None

    def close(self, code: int, reason: str) -> None:
        """Idempotent; returns at once. The reader loop notices and unregisters the connection."""
        if self.closed.is_set():
            return
        self.closed.set()
        asyncio.get_running_loop().create_task(self._close(code, reason))

    async def _close(self, code: int, reason: str) -> None:
        self._backlog.clear()
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
        """The reader ended: release what the connection held, stop the writer, drop the backlog."""
        self.closed.set()
        cleanups, self._cleanups = list(self._cleanups.values()), {}
        for cleanup in cleanups:
            try:
                await cleanup()
            except Exception:
                log.exception("cleanup of connection %s failed", self.id)
        self._backlog.clear()
        writer = self._writer
        if writer is not None:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer


async def _resume(send: Send, waiting: object) -> None:
    """Drive a coroutine that suspended on `waiting` outside any task, as its task would: wait
    for the future (a bare yield is one turn of the loop), then step the coroutine again, until
    it returns. Cancelled here (the timeout), the coroutine is closed, which unwinds its waits."""
    try:
        while True:
            if isinstance(waiting, asyncio.Future):
                await asyncio.wait((waiting,))  # its outcome is for the coroutine to read
            else:
                await asyncio.sleep(0)
            try:
                waiting = send.send(None)
            except StopIteration:
                return
    finally:
        send.close()
