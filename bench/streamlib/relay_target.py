"""Target: the stock aiortc ``MediaRelay`` baseline (:mod:`relay_server`) in its own process."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import ClassVar

import httpx

from .target import AnswersViewers, TargetEnv, free_port, spawn_server, terminate, wait_for_port

_SERVER = Path(__file__).with_name("relay_server.py")
_TIMEOUT_S = 30.0


class RelayTarget(AnswersViewers):
    name: ClassVar[str] = "relay"
    local_attrs: ClassVar[tuple[str, ...]] = ("_http",)

    def __init__(self) -> None:
        super().__init__()
        self.url = ""
        self._http: httpx.AsyncClient | None = None

    async def start(self, env: TargetEnv) -> None:
        port = free_port()
        self._server = spawn_server(
            # -P: do not put streamlib/ first on the server's sys.path
            [sys.executable, "-P", str(_SERVER), "--port", str(port)],
            env.workdir / "relay.log",
            env.server_core,
        )
        self.server_pid = self._server.pid
        self.url = f"http://127.0.0.1:{port}"
        try:
            await wait_for_port(port, self._server)
        except RuntimeError:
            terminate(self._server)
            raise

    async def publish(self, offer_sdp: str) -> str:
        return await self._post("/publish", offer_sdp)

    async def view(self, offer_sdp: str) -> str:
        return await self._post("/view", offer_sdp)

    async def close_client(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def _post(self, path: str, sdp: str) -> str:
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.url, timeout=_TIMEOUT_S)
        response = await self._http.post(path, json={"sdp": sdp})
        response.raise_for_status()
        return str(response.json()["sdp"])
