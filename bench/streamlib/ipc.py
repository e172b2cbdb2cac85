"""Messages between the orchestrator and its worker processes (a ``multiprocessing`` pipe).

A worker sends ``("ready", info)`` or ``("error", text)`` once set up, then answers each
``"report"`` with ``("report", data)`` until it gets ``"stop"``. Pipes block, so the asyncio
side waits in a thread; ``poll`` with a timeout keeps a dead peer from hanging the run.
"""

from __future__ import annotations

import asyncio
from multiprocessing.connection import Connection
from typing import Any


class WorkerError(RuntimeError):
    """A worker failed to set up, died or did not answer in time."""


async def receive(conn: Connection, wait_s: float) -> tuple[str, Any]:
    ready = await asyncio.to_thread(conn.poll, wait_s)
    if not ready:
        raise WorkerError(f"no answer within {wait_s:.0f} s")
    try:
        kind, payload = conn.recv()
    except EOFError as exc:
        raise WorkerError("worker exited") from exc
    if kind == "error":
        raise WorkerError(str(payload))
    return str(kind), payload


async def next_command(conn: Connection) -> str:
    """Worker side: the next command, or ``"stop"`` if the orchestrator went away."""
    try:
        return str(await asyncio.to_thread(conn.recv))
    except EOFError:
        return "stop"
