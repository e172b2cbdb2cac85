"""A primary, a replica and three sentinels from Debian's packages (redis-server, redis-sentinel)
on free loopback ports, started from deploy/redis's configuration files, ended by PID."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis

from tests.procs import ROOT, free_port

MASTER = "jobfair"
DEPLOY = ROOT / "deploy" / "redis"


def debian_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:  # scripts/test installs it; a missing one is a failure, never a skip
        raise RuntimeError(f"{name} is missing: apt-get install redis-sentinel (scripts/test)")
    return path


class Replicated:
    """`primary` and `replica` (redis-server) watched by three `redis-sentinel`s."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.primary_port, self.replica_port = free_port(), free_port()
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def sentinels(self) -> str:
        return ",".join(f"127.0.0.1:{p}" for p in self.sentinel_ports)

    def start(self) -> None:
        self._server("primary", self.primary_port)
        primary = ("127.0.0.1", str(self.primary_port))
        self._server("replica", self.replica_port, "--replicaof", *primary)
        for i, port in enumerate(self.sentinel_ports):
            self._sentinel(f"sentinel{i}", port)
        self._until(self._watched, 20, "sentinels see the replica and each other")

    def _server(self, name: str, port: int, *extra: str) -> None:
        """redis-server with a copy of deploy/redis/redis.conf; the test's port and dir as
        arguments."""
        d = self.directory / name
        d.mkdir(parents=True, exist_ok=True)
        conf = shutil.copy(DEPLOY / "redis.conf", d / "redis.conf")  # Sentinel rewrites it
        self._spawn(
            name,
            [debian_binary("redis-server"), str(conf),
             "--port", str(port), "--bind", "127.0.0.1", "--dir", str(d), "--daemonize", "no",
             *extra],
        )  # fmt: skip
        self._until(lambda: redis.Redis(port=port).ping(), 10, name)

    def _sentinel(self, name: str, port: int) -> None:
        """redis-sentinel with deploy/redis/sentinel.conf, its placeholders filled in (a sentinel
        rewrites its own file, so each gets a copy)."""
        d = self.directory / name
        d.mkdir(parents=True, exist_ok=True)
        conf = (DEPLOY / "sentinel.conf").read_text()
        for placeholder, value in {
            "@PORT@": str(port),
            "@BIND@": "127.0.0.1",
            "@DIR@": str(d),
            "@MASTER_NAME@": MASTER,
            "@PRIMARY_HOST@": "127.0.0.1",
            "@PRIMARY_PORT@": str(self.primary_port),
            "@DOWN_AFTER_MS@": "1000",
        }.items():
            conf = conf.replace(placeholder, value)
        (d / "sentinel.conf").write_text(conf)
        self._spawn(name, [debian_binary("redis-sentinel"), str(d / "sentinel.conf")])
        self._until(lambda: redis.Redis(port=port).ping(), 10, name)

    def _spawn(self, name: str, argv: list[str]) -> None:
        with (self.directory / f"{name}.log").open("ab") as log:
            self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)

    def _watched(self) -> bool:
        for port in self.sentinel_ports:
            s = redis.Redis(port=port, decode_responses=True)
            master = s.sentinel_master(MASTER)
            replicas = s.sentinel_slaves(MASTER)
            if master["num-other-sentinels"] < 2 or not replicas:
                return False
            if any(r["is_sdown"] or r["master-link-status"] != "ok" for r in replicas):
                return False
        return True

    def master_address(self) -> tuple[str, int]:
        for port in self.sentinel_ports:
            try:
                host, master_port = redis.Redis(port=port).sentinel_get_master_addr_by_name(MASTER)
                return host.decode(), int(master_port)
            except redis.ConnectionError:
                continue
        raise RuntimeError("no sentinel answered")

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop(self) -> None:
        for name in list(self.procs):
            proc = self.procs.pop(name)
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()

    def _until(self, predicate: object, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if predicate():  # type: ignore[operator]
                    return
            except (redis.RedisError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{what}: not ready in {timeout} s (logs in {self.directory})")
