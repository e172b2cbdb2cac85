"""Keyframe requests to the publisher, merged and rate-limited.

Every viewer that joins, resumes video, falls behind or sends a PLI needs a keyframe, and one
keyframe serves them all. At most one PLI goes upstream per `min_interval`: a request inside the
window is remembered and sent when the window ends, unless a keyframe arrives first.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from server.rtc.counters import MediaCounters

logger = logging.getLogger(__name__)

MIN_INTERVAL = 0.5  # seconds between upstream PLIs

SendPli = Callable[[], Coroutine[Any, Any, None]]


class KeyframeRequester:
    def __init__(
        self,
        min_interval: float = MIN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        counters: MediaCounters | None = None,
    ) -> None:
        self._min_interval = min_interval
        self._clock = clock
        self._counters = counters or MediaCounters()
        self._send: SendPli | None = None
        self._last_sent: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._closed = False

    def attach(self, send: SendPli | None) -> None:
        """Route requests to a new publisher (None while there is none: requests are dropped,
        viewers still waiting ask again when the next publisher's frames reach them)."""
        self._send = send
        self._last_sent = None
        self._cancel_timer()

    def request(self) -> None:
        if self._closed or self._send is None or self._timer is not None:
            return  # nobody to ask, or merged into the pending request
        self._counters.keyframe_requests += 1
        now = self._clock()
        if self._last_sent is None or now - self._last_sent >= self._min_interval:
            self._send_now()
        else:
            delay = self._last_sent + self._min_interval - now
            self._timer = asyncio.get_running_loop().call_later(delay, self._on_timer)

    def keyframe_arrived(self) -> None:
        """A keyframe serves everyone who asked before it: drop the pending request."""
        self._cancel_timer()

    def _on_timer(self) -> None:
        self._timer = None
        if not self._closed and self._send is not None:
            self._send_now()

    def _send_now(self) -> None:
        assert self._send is not None
        self._last_sent = self._clock()
        self._counters.plis_sent += 1
        task = asyncio.get_running_loop().create_task(self._send())
        self._in_flight.add(task)
        task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("sending a PLI failed", exc_info=task.exception())

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def close(self) -> None:
        """Idempotent: cancels the pending request and any PLI being sent."""
        self._closed = True
        self._send = None
        self._cancel_timer()
        tasks = list(self._in_flight)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
