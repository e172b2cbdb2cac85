"""The connection's send path on a real Starlette WebSocket whose ASGI server side the test plays:
a send to a reading client completes inside `push`; one that blocks is finished by a writer, with
what follows kept in order behind it; a client that blocks too long, or too much, is dropped."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.websockets import WebSocket

from rooms.models import Participant, Role
from server.metrics import Metrics
from server.settings import Limits
from server.ws.connection import Connection
from server.ws.protocol import CLOSE_TRY_AGAIN


class Peer:
    """The server side of one websocket: records what the app sends; `hold()` makes sends
    block (the client stopped reading) until `release()`."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed: list[int] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def receive(self) -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(self, message: dict[str, Any]) -> None:
        await self.gate.wait()
        if message["type"] == "websocket.send":
            self.sent.append(message["text"])
        elif message["type"] == "websocket.close":
            self.closed.append(message["code"])

    def hold(self) -> None:
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()


async def connection(queue: int = 4, timeout: float = 0.5) -> tuple[Peer, Connection, Metrics]:
    peer = Peer()
    websocket = WebSocket({"type": "websocket", "path": "/ws"}, peer.receive, peer.send)
    await websocket.accept()
    user = Participant(id="w1", role=Role.WORKER, name="W", fair_id="f1", created_at=0.0)
    metrics = Metrics()
    limits = Limits(ws_send_queue=queue, ws_send_timeout=timeout)
    conn = Connection(websocket, user, "f1", limits, metrics)
    conn.welcome("welcome")
    peer.sent.clear()
    metrics.sent = 0
    return peer, conn, metrics


async def test_events_pushed_before_the_welcome_follow_it() -> None:
    peer = Peer()
    websocket = WebSocket({"type": "websocket", "path": "/ws"}, peer.receive, peer.send)
    await websocket.accept()
    user = Participant(id="w1", role=Role.WORKER, name="W", fair_id="f1", created_at=0.0)
    conn = Connection(websocket, user, "f1", Limits(), Metrics())
    conn.push("an event that came while the snapshot was read")
    assert peer.sent == []
    conn.welcome("welcome")
    assert peer.sent == ["welcome", "an event that came while the snapshot was read"]


async def test_a_send_to_a_reading_client_is_done_when_push_returns() -> None:
    peer, conn, metrics = await connection()
    conn.push("a")
    conn.push("b")
    assert peer.sent == ["a", "b"]  # no task, no turn of the loop in between
    assert metrics.sent == 2


async def test_a_blocked_send_is_finished_by_a_writer_and_later_frames_keep_their_order() -> None:
    peer, conn, metrics = await connection(queue=4)
    conn.push("a")
    peer.hold()
    for text in ("b", "c", "d", "e"):
        conn.push(text)
    assert peer.sent == ["a"]
    peer.release()
    for _ in range(20):
        await asyncio.sleep(0)
    assert peer.sent == ["a", "b", "c", "d", "e"]
    conn.push("f")  # the writer is gone: back to sending at once
    assert peer.sent[-1] == "f" and metrics.sent == 6
    assert not conn.closed.is_set()


async def test_a_client_whose_frames_pile_up_past_the_queue_is_dropped() -> None:
    peer, conn, metrics = await connection(queue=2)
    peer.hold()
    for text in ("a", "b", "c", "d"):  # "a" blocks, "b" and "c" wait, "d" is one too many
        conn.push(text)
    assert conn.closed.is_set()
    peer.release()
    await asyncio.sleep(0.05)
    assert peer.closed == [CLOSE_TRY_AGAIN] and "d" not in peer.sent
    assert 'jobfair_errors_total{kind="slow_client"} 1.0' in (await metrics.render()).decode()


async def test_a_client_whose_send_blocks_past_the_timeout_is_dropped() -> None:
    peer, conn, metrics = await connection(timeout=0.2)
    peer.hold()
    conn.push("a")
    await asyncio.sleep(0.3)
    assert conn.closed.is_set()
    peer.release()
    await asyncio.sleep(0.05)
    assert peer.closed == [CLOSE_TRY_AGAIN] and peer.sent == []
    await conn.finish()  # idempotent with the close: nothing left running
    assert 'jobfair_errors_total{kind="slow_client"} 1.0' in (await metrics.render()).decode()
