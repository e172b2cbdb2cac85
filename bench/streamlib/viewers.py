"""A viewer worker: many aiortc viewer peer connections in one process.

Viewers never decode (see :mod:`tap`); each records its complete frames' RTP timestamps and
arrival times, which the orchestrator matches against the publisher's log afterwards.
Connections are opened a few at a time: aiortc spends CPU on keys and DTLS per connection, and
opening 64 at once on a shared core makes the first ones time out.
"""

from __future__ import annotations

import asyncio
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection

from aiortc import RTCPeerConnection

from . import ipc
from .loop import run_loop
from .procstat import pin_to_core
from .tap import FrameTap
from .target import Target

_CONNECT_TIMEOUT_S = 45.0
_PARALLEL_CONNECTS = 4


@dataclass
class ViewerLog:
    """What one viewer saw: raw RTP timestamps and monotonic arrival times of complete frames."""

    timestamps: list[int]
    arrivals: list[float]


async def _connect(target: Target, limit: asyncio.Semaphore) -> tuple[RTCPeerConnection, FrameTap]:
    async with limit:
        pc = RTCPeerConnection()
        connected = asyncio.Event()

        @pc.on("connectionstatechange")
        def on_state() -> None:
            if pc.connectionState in ("connected", "failed", "closed"):
                connected.set()

        try:
            await target.subscribe(pc)
            tap = FrameTap()
            for transceiver in pc.getTransceivers():
                if transceiver.kind == "video":
                    tap.install(transceiver.receiver)
            await asyncio.wait_for(connected.wait(), _CONNECT_TIMEOUT_S)
            if pc.connectionState != "connected":
                raise RuntimeError(f"viewer connection {pc.connectionState}")
        except BaseException:
            await pc.close()
            raise
        return pc, tap


async def _watch(target: Target, count: int, conn: Connection) -> None:
    limit = asyncio.Semaphore(_PARALLEL_CONNECTS)
    results = await asyncio.gather(
        *(_connect(target, limit) for _ in range(count)), return_exceptions=True
    )
    peers = [r for r in results if isinstance(r, tuple)]
    failures = [r for r in results if isinstance(r, BaseException)]
    try:
        if failures:
            exc = failures[0]
            text = "".join(traceback.format_exception(exc, limit=3))
            conn.send(("error", f"{len(failures)}/{count} viewers failed; first: {text}"))
            return
        conn.send(("ready", len(peers)))
        while await ipc.next_command(conn) == "report":
            conn.send(
                ("report", [ViewerLog(list(t.timestamps), list(t.arrivals)) for _, t in peers])
            )
    finally:
        await asyncio.gather(*(pc.close() for pc, _ in peers), return_exceptions=True)
        await target.close_client()


def run(target: Target, count: int, core: int, conn: Connection) -> None:
    """Process entry point (``multiprocessing`` spawn)."""
    pin_to_core(0, core)
    run_loop(_watch(target, count, conn))
