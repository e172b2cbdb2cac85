"""One measured point: a fresh server, one publisher and N viewers, then a timed window.

Order: start the server; connect the publisher; connect the viewers (a few worker processes);
let every viewer get a keyframe; read CPU counters; wait the window; read them again and the
server's RSS; wait a grace period for late frames; collect the logs; tear everything down.
The server runs on its own core, every client process on the other, so the server's CPU time
and the clients' do not mix and a busy client core shows up in ``client_cpu_pct``.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from . import analysis, ipc, procstat, publisher, viewers
from .target import Target, TargetEnv

_SETUP_TIMEOUT_S = 60.0
_VIEWER_TIMEOUT_S = 300.0
_REPORT_TIMEOUT_S = 60.0
_JOIN_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class RunSettings:
    seconds: float  # measurement window
    warmup: float  # after the last viewer connected; > the 2 s keyframe interval
    grace: float  # for frames sent at the end of the window
    viewers_per_process: int
    server_core: int
    client_core: int
    clip: Path
    workdir: Path


@dataclass(frozen=True)
class Point:
    target: str
    viewers: int
    server_ms_per_s: float  # server CPU ms per wall second in the window
    rss_mb: float
    frames: analysis.FrameStats
    server_threads: int
    client_cpu_pct: float  # publisher + viewers + orchestrator, % of one core
    irq_cpu_pct: float  # interrupts, mostly the loopback network stack, % of one core
    other_cpu_pct: float  # everything else on the machine (others' work), % of one core
    load1: float
    edge_ms_per_s: float = math.nan  # a cascade's second node (the viewers'), CPU ms per second


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection


def _spawn(func: Any, *args: Any) -> _Worker:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=func, args=(*args, child), daemon=True)
    process.start()
    child.close()
    return _Worker(process, parent)


def _split(total: int, per_process: int) -> list[int]:
    processes = max(1, math.ceil(total / per_process))
    base, extra = divmod(total, processes)
    return [base + (i < extra) for i in range(processes)]


class _Counters:
    """CPU counters of the server, the clients and the whole machine at one instant."""

    def __init__(self, server_pid: int, client_pids: list[int], edge_pid: int | None) -> None:
        self.time = time.monotonic()
        self.server = procstat.cpu_seconds(server_pid)
        self.edge = math.nan if edge_pid is None else procstat.cpu_seconds(edge_pid)
        self.clients = sum(map(procstat.cpu_seconds, client_pids))
        self.machine = procstat.machine_times()


async def _stop(workers: list[_Worker]) -> None:
    for worker in workers:
        with contextlib.suppress(OSError):  # the worker may already be gone
            worker.conn.send("stop")
    for worker in workers:
        await asyncio.to_thread(worker.process.join, _JOIN_TIMEOUT_S)
        if worker.process.is_alive():
            worker.process.kill()
            await asyncio.to_thread(worker.process.join)
        worker.conn.close()


async def run_point(target: Target, count: int, settings: RunSettings, label: str) -> Point:
    workdir = settings.workdir / label
    workdir.mkdir(parents=True)
    await target.start(TargetEnv(workdir=workdir, server_core=settings.server_core))
    workers: list[_Worker] = []
    try:
        assert target.server_pid is not None
        pub = _spawn(publisher.run, target, settings.clip, settings.client_core)
        workers.append(pub)
        await ipc.receive(pub.conn, _SETUP_TIMEOUT_S)
        watchers = [
            _spawn(viewers.run, target, n, settings.client_core)
            for n in _split(count, settings.viewers_per_process)
        ]
        workers.extend(watchers)
        for watcher in watchers:
            await ipc.receive(watcher.conn, _VIEWER_TIMEOUT_S)
        await asyncio.sleep(settings.warmup)

        pids = [w.process.pid for w in workers if w.process.pid is not None]
        pids.append(os.getpid())
        before = _Counters(target.server_pid, pids, target.edge_pid)
        load1 = procstat.load_average()
        await asyncio.sleep(settings.seconds)
        after = _Counters(target.server_pid, pids, target.edge_pid)
        rss = procstat.rss_mb(target.server_pid)
        threads = procstat.thread_count(target.server_pid)
        await asyncio.sleep(settings.grace)

        logs: list[Any] = []
        for worker in workers:
            worker.conn.send("report")
            logs.append((await ipc.receive(worker.conn, _REPORT_TIMEOUT_S))[1])
    finally:
        await _stop(workers)
        await target.stop()

    elapsed = after.time - before.time
    server = after.server - before.server
    edge = after.edge - before.edge  # nan without a second node
    clients = after.clients - before.clients
    irq = after.machine.irq - before.machine.irq
    busy = after.machine.busy - before.machine.busy
    other = max(0.0, busy - irq - server - (0.0 if math.isnan(edge) else edge) - clients)
    viewer_logs = [log for batch in logs[1:] for log in batch]
    return Point(
        target=target.name,
        viewers=count,
        server_ms_per_s=server * 1000 / elapsed,
        rss_mb=rss,
        frames=analysis.analyse(logs[0], viewer_logs, before.time, after.time),
        server_threads=threads,
        client_cpu_pct=clients * 100 / elapsed,
        irq_cpu_pct=irq * 100 / elapsed,
        other_cpu_pct=other * 100 / elapsed,
        load1=load1,
        edge_ms_per_s=edge * 1000 / elapsed,
    )
