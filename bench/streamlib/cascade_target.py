"""Target: jobfair on two nodes sharing one Redis, a cascade (docs/rtc.md "Cascade legs"): the
recruiter publishes through node A (the origin), every viewer watches through node B (the
edge), which forwards one leg from A. The measured server (`server_pid`) is A; B is
`edge_pid`, so the bench prints both: A's cost should stay one viewer's whatever N."""

from __future__ import annotations

import secrets
import subprocess
import sys
from typing import ClassVar

from server.embedded_redis import redis_server_binary

from .jobfair_target import JobfairTarget, read_links
from .target import TargetEnv, free_port, spawn_server, terminate, wait_for_port


class CascadeTarget(JobfairTarget):
    name: ClassVar[str] = "cascade"
    local_attrs: ClassVar[tuple[str, ...]] = ("_redis", "_edge")

    async def start(self, env: TargetEnv) -> None:
        redis_port = free_port()
        self._redis = spawn_server(
            [redis_server_binary(), "--port", str(redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(env.workdir)],
            env.workdir / "redis.log",
            env.server_core,
        )  # fmt: skip
        shared = {
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "JOBFAIR_SECRET": secrets.token_urlsafe(48),
        }
        try:
            await wait_for_port(redis_port, self._redis)
            origin, edge = free_port(), free_port()
            self._server = self._node(env, "origin", origin, shared, "--demo")
            self.server_pid = self._server.pid
            self._edge = self._node(env, "edge", edge, shared)
            self.edge_pid = self._edge.pid
            await wait_for_port(origin, self._server)
            await wait_for_port(edge, self._edge)
        except BaseException:
            await self.stop()
            raise
        self.url = f"http://127.0.0.1:{origin}"
        self.viewer_url = f"http://127.0.0.1:{edge}"
        self.recruiter_link, self.worker_link = read_links(env.workdir / "origin.log")

    def _node(
        self, env: TargetEnv, name: str, port: int, shared: dict[str, str], *args: str
    ) -> subprocess.Popen[bytes]:
        return spawn_server(
            [sys.executable, "-m", "server", "serve", "--port", str(port),
             "--data-dir", str(env.workdir / f"{name}-data"), *args],
            env.workdir / f"{name}.log",
            env.server_core,
            env=shared,
        )  # fmt: skip

    async def stop(self) -> None:
        for proc in (getattr(self, "_edge", None), getattr(self, "_redis", None)):
            if proc is not None:
                terminate(proc)
        self._edge = self._redis = None
        self.edge_pid = None
        await super().stop()
