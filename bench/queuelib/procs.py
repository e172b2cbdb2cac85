"""The processes under test of the websocket benchmarks: a private redis-server, K `jobfair serve`
nodes on it and, for bench/queue.py, the floor server; with their CPU time and memory from /proc.
All are ended by PID."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from server.embedded_redis import redis_server_binary

ROOT = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")


def scratch() -> str | None:
    """Where the servers keep their files: in memory when the machine has /dev/shm. On a shared
    machine, another job's disk writes can hold a node's log write (and its event loop) for
    seconds; a benchmark must not measure that."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def pin(cpu: int) -> None:
    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {cpu})


def cpu_seconds(pid: int) -> float:
    """The process's own CPU time (utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def wait_until(check: Callable[[], object], seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


def _listening(port: int) -> bool:
    socket.create_connection(("127.0.0.1", port)).close()
    return True


def _healthy(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as answer:
        return bool(answer.status == 200)


class Cluster:
    """A private redis-server and `nodes` nodes on it (plus the floor server when asked).

    `pin_cpu`: the servers run on that CPU only (the caller pins itself elsewhere)."""

    def __init__(
        self, directory: Path, nodes: int = 1, pin_cpu: int | None = None, floor: bool = False
    ) -> None:
        self.dir = directory
        self.secret = secrets.token_urlsafe(32)
        self.redis_port = free_port()
        self.ports = [free_port() for _ in range(nodes)]
        self.floor_port = free_port()
        pinned = (lambda: pin(pin_cpu)) if pin_cpu is not None else None
        self.redis = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(directory)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.nodes: list[subprocess.Popen[bytes]] = []
        self.floor: subprocess.Popen[bytes] | None = None
        try:
            wait_until(lambda: _listening(self.redis_port), 10, "redis")
            env = {
                **os.environ,
                "REDIS_URL": self.redis_url,
                "JOBFAIR_SECRET": self.secret,
                "JOBFAIR_LIMIT_WS_RATE_PER_MINUTE": "100000",  # a recruiter calls many times
                "JOBFAIR_LIMIT_WS_BURST": "10000",
            }
            for i, port in enumerate(self.ports):
                with (directory / f"node{i}.log").open("wb") as log:
                    self.nodes.append(subprocess.Popen(
                        [sys.executable, "-m", "server", "serve", "--port", str(port),
                         "--data-dir", str(directory / f"node{i}")],
                        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                        preexec_fn=pinned,
                    ))  # fmt: skip
            if floor:
                self.floor = subprocess.Popen(
                    [sys.executable, "-m", "bench.queuelib.floor", "--port", str(self.floor_port)],
                    cwd=ROOT, preexec_fn=pinned,
                )  # fmt: skip
            for port in self.ports:
                wait_until(lambda p=port: _healthy(p), 30, "a node")
            if floor:
                wait_until(lambda: _listening(self.floor_port), 30, "the floor")
        except BaseException:
            self.stop()
            raise

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def node_cpu(self) -> float:
        return sum(cpu_seconds(node.pid) for node in self.nodes)

    def node_rss_kb(self) -> int:
        return sum(rss_kb(node.pid) for node in self.nodes)

    def stop(self) -> None:
        servers = [p for p in (self.floor, *self.nodes) if p is not None]
        for proc in (*servers, self.redis):
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
