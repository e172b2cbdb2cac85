"""Target: jobfair itself (`jobfair serve --demo` on its embedded Redis), signalled the way a
browser does it: a recruiter's session publishes and workers' sessions view over the fair
websocket. Each viewer keeps its own websocket open while it watches (closing it leaves)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import sys
from pathlib import Path
from typing import Any, ClassVar

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from .target import AnswersViewers, TargetEnv, free_port, spawn_server, terminate, wait_for_port

_LIVE_WAIT_S = 20.0


class JobfairTarget(AnswersViewers):
    name: ClassVar[str] = "jobfair"
    local_attrs: ClassVar[tuple[str, ...]] = ("_sockets",)
    _sockets: list[_Socket] | None

    def __init__(self) -> None:
        super().__init__()
        self.url = ""
        self.viewer_url = ""  # where viewers connect, if not `url` (another node)
        self.recruiter_link = ""
        self.worker_link = ""
        self._sockets = None

    async def start(self, env: TargetEnv) -> None:
        port = free_port()
        log = env.workdir / "jobfair.log"
        self._server = spawn_server(
            [sys.executable, "-m", "server", "serve", "--demo", "--port", str(port),
             "--data-dir", str(env.workdir / "jobfair-data")],
            log,
            env.server_core,
        )  # fmt: skip
        self.server_pid = self._server.pid
        self.url = f"http://127.0.0.1:{port}"
        try:
            await wait_for_port(port, self._server)
        except RuntimeError:
            terminate(self._server)
            raise
        self.recruiter_link, self.worker_link = read_links(log)

    async def publish(self, offer_sdp: str) -> str:
        ws = await self._socket(self.recruiter_link)
        reply = await ws.request("stream.publish", {"booth_id": ws.booth, "sdp": offer_sdp})
        return str(reply["sdp"])

    async def view(self, offer_sdp: str) -> str:
        """Retries while the booth is not live yet: it goes live at the publisher's first frame."""
        ws = await self._socket(self.worker_link, self.viewer_url or self.url)
        deadline = asyncio.get_running_loop().time() + _LIVE_WAIT_S
        while True:
            try:
                reply = await ws.request("stream.view", {"booth_id": ws.booth, "sdp": offer_sdp})
                return str(reply["sdp"])
            except RuntimeError as exc:
                if "offline" not in str(exc) or asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.2)

    async def close_client(self) -> None:
        for ws in self._sockets or []:
            await ws.close()
        self._sockets = None

    async def _socket(self, link: str, url: str = "") -> _Socket:
        if self._sockets is None:
            self._sockets = []
        url = url or self.url
        ws = await _Socket.open(url, link.replace(self.url, url))
        self._sockets.append(ws)
        return ws


def read_links(log: Path) -> tuple[str, str]:
    """The demo's recruiter and worker sign-in links a node printed."""
    links = dict(re.findall(r"sign in as (.+?): (http\S+)", log.read_text()))
    recruiter = next(v for k, v in links.items() if k.startswith("recruiter"))
    worker = next(v for k, v in links.items() if k.startswith("worker"))
    return recruiter, worker


class _Socket:
    """A signed-in fair websocket; one reader matches replies to requests and drops events
    (the bench does not read them, and a client that stops reading is disconnected)."""

    def __init__(self, ws: ClientConnection, booth: str) -> None:
        self.ws, self.booth = ws, booth
        self._ids = itertools.count(1)
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, url: str, link: str) -> _Socket:
        async with httpx.AsyncClient(base_url=url) as http:
            signed = await http.get(link)
            cookies = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        fair = signed.headers["location"].split("/")[2]
        ws = await connect(
            f"ws{url[4:]}/ws/fairs/{fair}", additional_headers={"cookie": cookies}, compression=None
        )
        # The server subscribes a socket to events before it sends the welcome, so an event (a
        # viewer count change while other viewers join) may come first.
        while (welcome := json.loads(await ws.recv())).get("type") != "welcome":
            pass
        return cls(ws, welcome["you"]["booth_id"] or welcome["state"]["booths"][0]["id"])

    async def request(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        msg_id = f"b{next(self._ids)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[msg_id] = future
        await self.ws.send(json.dumps({"id": msg_id, "type": type_, "data": data}))
        frame = await asyncio.wait_for(future, 30)
        if frame["type"] == "error":
            raise RuntimeError(f"{type_}: {frame['message']}")
        reply: dict[str, Any] = frame["data"]
        return reply

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.ws:
                frame = json.loads(raw)
                future = self._waiting.pop(frame.get("id") or "", None)
                if future is not None and not future.done():
                    future.set_result(frame)

    async def close(self) -> None:
        self._reader.cancel()
        await self.ws.close()
