"""A worker's page as the browser runs it (web/static/js/client.js, queue-ops.js), on the lean
bench client: one socket at a time, reopened with the page's jittered doubling backoff (0.5 s to
10 s) on the first node that accepts it (a load balancer's choice); after each welcome it sends
`queue.mine` until the answer shows every place it was acknowledged; a change keeps its op id and
is sent again after a reconnect or an `unavailable`/`internal` answer, until an ack or a refusal.
Every request and every drop is timed on the event loop's clock for the verdict."""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass
from typing import Any

from bench.queuelib.wsclient import Client, connect

# error codes that say the outcome is unknown (docs/protocol.md): the page retries with the same op
RETRY_CODES = frozenset({"unavailable", "internal"})
FIRST_BACKOFF, MAX_BACKOFF = 0.5, 10.0


def now() -> float:
    return asyncio.get_running_loop().time()


@dataclass
class Change:
    """One `queue.join`, from its first send to its final answer."""

    booth: str
    op: str
    sent: float
    answered: float | None = None
    entry: str | None = None  # the entry id, once acknowledged
    refused: str | None = None  # the error code of a final refusal
    sends: int = 0


@dataclass
class Request:
    """One attempt on one socket (a change, a `queue.mine`, or opening a socket up to its
    welcome); `ended` is when its answer came or its socket closed."""

    sent: float
    ended: float | None = None


class Page:
    def __init__(self, name: str, cookie: str, path: str, ports: list[int]) -> None:
        self.name, self.cookie, self.path = name, cookie, path
        self.ports = ports  # the load balancer's order for this page
        self.socket: Client | None = None
        self.ready = asyncio.Event()
        self.changes: list[Change] = []
        self.requests: list[Request] = []
        self.drops: list[float] = []  # when an open socket closed
        self.seen: list[float] = []  # when a `queue.mine` answer showed every acknowledged place
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._keep_connected())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.socket is not None:
            self.socket.close()

    async def join(self, booth: str) -> Change:
        change = Change(booth, f"{self.name}-{booth}", now())
        self.changes.append(change)
        backoff = FIRST_BACKOFF
        while True:
            client = await self._socket()
            change.sends += 1
            try:
                frame = await self._request(
                    client, "queue.join", {"booth_id": booth, "op": change.op}
                )
            except ConnectionError:
                continue  # the next socket sends it again, same op
            if frame["type"] == "ack":
                change.entry = frame["data"]["id"]
            elif frame["code"] in RETRY_CODES:
                await asyncio.sleep(backoff * (0.5 + random.random()))
                backoff = min(2 * backoff, MAX_BACKOFF)
                continue
            else:
                change.refused = frame["code"]
            change.answered = now()
            return change

    async def _socket(self) -> Client:
        while True:
            await self.ready.wait()
            client = self.socket
            if client is not None and not client.closed.done():
                return client
            await asyncio.sleep(0.01)  # closed, not yet replaced

    async def _request(self, client: Client, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        request = Request(now())
        self.requests.append(request)
        try:
            return await client.send(type_, data)
        finally:
            request.ended = now()

    async def _keep_connected(self) -> None:
        backoff, first = FIRST_BACKOFF, True
        while True:
            if not first:  # the page waits before every reconnect, even the first
                await asyncio.sleep(backoff * (0.5 + random.random()))
                backoff = min(2 * backoff, MAX_BACKOFF)
            first = False
            client = await self._open()
            if client is None:
                continue
            backoff = FIRST_BACKOFF
            self.socket = client
            self.ready.set()
            check = asyncio.create_task(self._show_places(client))
            try:
                await client.closed
            finally:
                self.ready.clear()
                check.cancel()
            self.drops.append(now())

    async def _open(self) -> Client | None:
        """A socket that got its welcome, on the first node that gives one; None if none did."""
        for port in self.ports:
            welcome: asyncio.Future[None] = asyncio.get_running_loop().create_future()

            def on_text(_: Client, text: str, welcome: asyncio.Future[None] = welcome) -> None:
                if text.startswith('{"type":"welcome"') and not welcome.done():
                    welcome.set_result(None)

            request = Request(now())
            self.requests.append(request)
            client = None
            try:
                client = await connect("127.0.0.1", port, self.path, self.cookie, on_text)
                await asyncio.wait({welcome, client.closed}, return_when=asyncio.FIRST_COMPLETED)
            except (OSError, ConnectionError):
                continue
            finally:
                request.ended = now()
            if welcome.done():
                return client
            client.close()
        return None

    async def _show_places(self, client: Client) -> None:
        while True:
            try:
                frame = await self._request(client, "queue.mine", {})
            except ConnectionError:
                return
            if frame["type"] == "ack":
                shown = {e["id"] for e in frame["data"]["entries"] if e.get("position")}
                if {c.entry for c in self.changes if c.entry} <= shown:
                    self.seen.append(now())
                    return
            await asyncio.sleep(0.5)
