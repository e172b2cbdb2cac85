"""Two `jobfair serve` nodes on one redis-server (the test suite's processes, tests/procs.py), the
faults done to them, and a /healthz prober.

Redis keeps an append-only file with `appendfsync always`, as the embedded Redis of
`jobfair serve` does (server/embedded_redis.py): each event-loop turn's writes are in the file,
fsynced, before its replies go out. With `everysec` Redis replies before writing while a previous
fsync is still running (a busy disk), and a kill then loses acknowledged joins: 5 of 60 in a CI
run here (docs/state.md "Persistence")."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from dataclasses import dataclass
from pathlib import Path

from tests.procs import Node, RedisProcess

FSYNC = "always"


class Cluster:
    def __init__(self, directory: Path, nodes: int = 2) -> None:
        self.redis = RedisProcess(directory / "redis", appendonly=True, fsync=FSYNC)
        self.nodes = [Node(directory / f"node{i}", self.redis.url) for i in range(nodes)]
        self.frozen = False

    @property
    def ports(self) -> list[int]:
        return [node.port for node in self.nodes]

    def start(self) -> None:
        self.redis.start()
        for node in self.nodes:
            node.start()

    def stop(self) -> None:
        if self.frozen:
            self.thaw()
        for node in self.nodes:
            node.stop()
        self.redis.stop()

    def alive(self) -> list[int]:
        return [node.port for node in self.nodes if node.proc is not None]

    def kill_node(self, index: int) -> None:
        self.nodes[index].stop(signal.SIGKILL)

    async def kill_redis(self) -> None:
        """SIGKILL, then start it again at once on the same port and file, as a supervisor would."""
        self.redis.stop(signal.SIGKILL)
        await asyncio.to_thread(self.redis.start)  # returns when it answers PING (file loaded)

    def freeze(self) -> None:
        assert self.redis.proc is not None
        os.kill(self.redis.proc.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        assert self.redis.proc is not None
        os.kill(self.redis.proc.pid, signal.SIGCONT)
        self.frozen = False


@dataclass
class Probe:
    port: int
    sent: float
    ended: float | None = None
    status: int = 0  # 0: no HTTP answer (refused, closed)


class Prober:
    """GET /healthz on every node every `period` seconds, each probe on its own connection and
    task, so a probe that hangs does not hide the ones after it."""

    def __init__(self, ports: list[int], period: float = 0.25) -> None:
        self.ports, self.period = ports, period
        self.probes: list[Probe] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        while True:
            for port in self.ports:
                task = asyncio.create_task(self._probe(port))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            await asyncio.sleep(self.period)

    async def _probe(self, port: int) -> None:
        loop = asyncio.get_running_loop()
        probe = Probe(port, loop.time())
        self.probes.append(probe)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            status = (await reader.readline()).split()
            probe.status = int(status[1]) if len(status) > 1 else 0
            writer.close()
        except OSError:
            pass
        finally:
            probe.ended = loop.time()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
