"""Graceful stop: what a node does between SIGTERM (or Ctrl+C) and its exit.

Pages are sent elsewhere at once (close 1012: browsers reconnect through the load balancer with
their jittered backoff), booth streams end with the reason "the server is restarting", and no new
stream or interview starts here (`draining`). A running interview keeps its signalling socket and
its media until it ends or `Limits.drain_seconds` pass: its media ends when that socket closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable
from types import FrameType

import uvicorn

from server.services import Services
from server.ws.protocol import CLOSE_SERVICE_RESTART

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
# a connection's pending cleanups under this prefix are its interview media
# (server/ws/handlers/interview.py registers them; interview.leave or the close releases them)
INTERVIEW_MEDIA = "interview:"


async def drain(svc: Services, seconds: float) -> None:
    """Return when no interview's media flows through this node any more, or after `seconds`."""
    svc.interview_media.draining = True
    await svc.streaming.drain()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    log.info("draining: no new streams or interviews; waiting up to %.0f s for interviews", seconds)
    while True:
        interviews = _send_away_all_but_interviews(svc)
        if interviews == 0 and not svc.interview_media.carrying:
            log.info("drained: no interview is running")
            return
        if loop.time() >= deadline:
            log.info("drain limit reached: %d interview connection(s) still open", interviews)
            return
        await asyncio.sleep(POLL_SECONDS)


def _send_away_all_but_interviews(svc: Services) -> int:
    """Close every connection that holds no interview media (again each round: an interview that
    ended frees its page); returns how many connections still hold some."""
    held = 0
    for fair_id in svc.hub.fair_ids():
        for conn in svc.hub.connections(fair_id):
            if conn.holds(INTERVIEW_MEDIA):
                held += 1
            else:
                conn.close(CLOSE_SERVICE_RESTART, "the server is restarting")
    return held


class DrainingServer(uvicorn.Server):
    """uvicorn, with a drain between the stop signal and its shutdown.

    uvicorn alone closes every websocket at SIGTERM (ending interviews' media with them) and
    re-raises the signal after its shutdown (a KeyboardInterrupt traceback, or death by SIGTERM
    instead of exit 0). Here the first signal starts the drain: the listening sockets close (a load
    balancer sends new connections elsewhere), then `drain` runs; when it returns, uvicorn's usual
    shutdown follows. A second signal ends the drain early; a third Ctrl+C forces the exit.
    It overrides uvicorn.Server's handle_exit, on_tick and shutdown (tests/server/
    test_graceful_stop.py pins the behaviour across uvicorn versions)."""

    def __init__(
        self, config: uvicorn.Config, services: Callable[[], Services], drain_seconds: float
    ) -> None:
        super().__init__(config)
        self._services = services
        self._drain_seconds = drain_seconds
        self._stop_asked = False
        self._drain: asyncio.Task[None] | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # a signal handler: only set flags; on_tick (every 0.1 s) acts on them
        if not self._stop_asked:
            self._stop_asked = True
        elif sig == signal.SIGINT and self.should_exit:
            self.force_exit = True
        else:
            self.should_exit = True

    async def on_tick(self, counter: int) -> bool:
        if self._stop_asked and self._drain is None and not self.should_exit:
            self._drain = asyncio.create_task(self._drain_then_exit(), name="drain")
        return await super().on_tick(counter)

    async def _drain_then_exit(self) -> None:
        for listener in self.servers:
            listener.close()
        try:
            await drain(self._services(), self._drain_seconds)
        except Exception:
            log.exception("drain failed; stopping now")
        self.should_exit = True

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._drain is not None:
            self._drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._drain
        await super().shutdown(sockets)
