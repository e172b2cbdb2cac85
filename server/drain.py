"""Graceful stop: what a node does between SIGTERM (or Ctrl+C) and its exit.

Pages are sent elsewhere at once (close 1012: browsers reconnect through the load balancer with
their jittered backoff), booth streams end with the reason "the server is restarting", and no new
stream or interview starts here (`draining`). A running interview keeps its signalling socket and
its media until it ends or `Limits.drain_seconds` pass: its media ends when that socket closes.
"""

from __future__ import annotations

import asyncio
import logging

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
