"""Clients as a browser would be: a signed-in HTTP session with its CSRF cookie, and the fair
websocket speaking protocol v1."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as open_websocket

from rooms.commands import COMMANDS
from rooms.fairs import Fairs
from rooms.models import Booth, BoothInput, Fair, FairInput, JobInput, Participant
from rooms.people import People
from server.auth import CSRF_COOKIE, Tokens

FAIR = {
    "title": "Phiên giao dịch việc làm thử",
    "description": "test fair",
    "starts_at": "2026-11-26T08:00:00Z",
    "ends_at": "2026-11-26T09:30:00Z",
}
JOB = {
    "title": "Công nhân may",
    "openings": 20,
    "salary_min_vnd": 7_000_000,
    "salary_max_vnd": 9_000_000,
    "location": "Điện Biên",
}
FAIR_INPUT = FairInput.model_validate(FAIR)
JOB_INPUT = JobInput.model_validate(JOB)
WORKER = {"name": "Lò Văn Duy", "contact": "0912345678"}
OUTSIDER = {"name": "Cà Thị Thảo", "contact": "0987654321"}


class Frames:
    """A websocket client that matches acks to requests and waits for named events. Frames that
    arrive while waiting for an ack are kept for later `recv`/`event` calls."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._ids = itertools.count(1)
        self._held: deque[dict[str, Any]] = deque()

    async def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        if self._held:
            return self._held.popleft()
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        return frame

    async def request(self, type_: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        msg_id = f"t{next(self._ids)}"
        await self.ws.send(json.dumps({"id": msg_id, "type": type_, "data": data or {}}))
        while True:
            frame: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), 15))
            if frame.get("id") == msg_id:
                return frame
            self._held.append(frame)

    async def event(self, name: str, timeout: float = 5.0) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.recv(max(0.01, deadline - loop.time()))
            if frame["type"] == "event" and frame["event"] == name:
                return frame

    async def close(self) -> None:
        await self.ws.close()


class Session:
    """An httpx client that signs in through a sign-in link, like a browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.AsyncClient(base_url=base, follow_redirects=False, timeout=10)
        self.sockets: list[Frames] = []

    async def signin(self, link: str) -> httpx.Response:
        response = await self.http.get(link)
        await self.http.get("/")  # a page visit sets the CSRF cookie
        return response

    @property
    def csrf(self) -> str:
        return self.http.cookies.get(CSRF_COOKIE) or ""

    async def api(self, method: str, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        headers = {"x-csrf-token": self.csrf, **kw.pop("headers", {})}
        if body is not None:
            kw["json"] = body
        return await self.http.request(method, path, headers=headers, **kw)

    async def ws(self, fair_id: str, origin: str | None = None, **kw: Any) -> Frames:
        cookies = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        url = self.base.replace("http", "ws", 1) + f"/ws/fairs/{fair_id}"
        # A test reads the frames it wants, not all: with the library's default queue (16) the
        # unread ones stopped the socket, and its close then waited 10 s for the server's close
        # frame behind them (3 such sockets: a 30 s teardown). Slow-reader tests pass their own.
        kw.setdefault("max_queue", None)
        ws = await open_websocket(
            url,
            additional_headers={"cookie": cookies},
            origin=origin or self.base,  # type: ignore[arg-type]
            compression=None,
            **kw,
        )
        frames = Frames(ws)
        self.sockets.append(frames)
        return frames

    async def close(self) -> None:
        for frames in self.sockets:
            await frames.close()
        await self.http.aclose()


@dataclass
class Fixture:
    base: str
    tokens: Tokens
    fair: Fair
    other_fair: Fair
    booth_a: Booth
    booth_b: Booth
    staff: Participant
    moderator: Participant
    recruiter_a: Participant
    recruiter_b: Participant
    worker: Participant
    outsider: Participant  # a worker of the other fair
    opened: list[Session] = field(default_factory=list)

    @classmethod
    async def build(cls, fairs: Fairs, people: People, tokens: Tokens, base: str) -> Fixture:
        fair = await fairs.create_fair(FAIR_INPUT)
        other = await fairs.create_fair(FAIR_INPUT.model_copy(update={"title": "Another fair"}))
        booth_a = await fairs.create_booth(fair.id, BoothInput(employer="Công ty A"))
        booth_b = await fairs.create_booth(fair.id, BoothInput(employer="Công ty B"))
        staff, _ = await people.ensure_staff("Staff")
        return cls(
            base=base,
            tokens=tokens,
            fair=fair,
            other_fair=other,
            booth_a=booth_a,
            booth_b=booth_b,
            staff=staff,
            moderator=await people.add_moderator(fair.id, "Fair moderator"),
            recruiter_a=await people.add_recruiter(fair.id, booth_a.id, "Recruiter A"),
            recruiter_b=await people.add_recruiter(fair.id, booth_b.id, "Recruiter B"),
            worker=await people.register_worker(fair.id, WORKER),
            outsider=await people.register_worker(other.id, OUTSIDER),
        )

    def link(self, who: Participant) -> str:
        return f"{self.base}/signin?t={self.tokens.signin(who)}"

    async def session(self, who: Participant | None = None) -> Session:
        session = Session(self.base)
        self.opened.append(session)
        if who is None:
            await session.http.get("/")
        else:
            await session.signin(self.link(who))
        return session

    async def aclose(self) -> None:
        for session in self.opened:
            await session.close()


_ops = itertools.count(1)


def op() -> str:
    """A fresh client operation id (queue and slot messages carry one; a retry reuses it)."""
    return f"op{next(_ops)}"


async def connect(fx: Fixture, who: Participant) -> Frames:
    """`who`'s fair websocket, past its welcome frame."""
    ws = await (await fx.session(who)).ws(fx.fair.id)
    assert (await ws.recv())["type"] == "welcome"
    return ws


async def ok(ws: Frames, type_: str, data: dict[str, Any]) -> Any:
    """Send a message (with a fresh op where it takes one); it must be acknowledged."""
    if "op" in COMMANDS[type_].input.model_fields:
        data = {"op": op(), **data}
    frame = await ws.request(type_, data)
    assert frame["type"] == "ack", frame
    return frame["data"]


class Client:
    """A fair websocket that keeps the events it passes while waiting for an ack, so a test can
    assert on every event a viewer got, in order."""

    def __init__(self, ws: Frames) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    async def _next(self, timeout: float) -> dict[str, Any]:
        frame = await self.ws.recv(timeout)
        if frame["type"] == "event":
            self.events.append(frame)
        return frame

    async def request(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        msg_id = f"q{next(self._ids)}"
        await self.ws.ws.send(json.dumps({"id": msg_id, "type": type_, "data": data}))
        while True:
            frame = await self._next(5.0)
            if frame.get("id") == msg_id:
                return frame

    async def event(
        self,
        name: str,
        where: Callable[[dict[str, Any]], bool] = lambda d: True,
        timeout: float = 5,
    ) -> dict[str, Any]:
        """The first event `name` (already received or coming) whose data satisfies `where`."""
        for frame in self.events:
            if frame["event"] == name and where(frame["data"]) and not frame.get("taken"):
                frame["taken"] = True
                return frame
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self._next(max(0.01, deadline - loop.time()))
            if frame["type"] == "event" and frame["event"] == name and where(frame["data"]):
                frame["taken"] = True
                return frame

    async def listen(self, seconds: float) -> None:
        """Take in every event that arrives for `seconds` (into `events`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            try:
                await self._next(left)
            except TimeoutError:
                return

    def names(self) -> list[str]:
        return [f["event"] for f in self.events]
