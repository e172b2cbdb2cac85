"""The fair websocket against a real uvicorn node: welcome, live events, origin and session
checks, error frames, size and rate limits, slow readers."""

from __future__ import annotations

import asyncio
import json
import re
import socket

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from rooms.fairs import Fairs
from rooms.models import BoothInput
from tests.clients import Fixture


async def test_welcome_carries_the_user_and_the_lobby(fx: Fixture) -> None:
    worker = await fx.session(fx.worker)
    ws = await worker.ws(fx.fair.id)
    welcome = await ws.recv()
    await ws.close()
    assert welcome["type"] == "welcome" and welcome["v"] == 1
    connection = welcome["you"].pop("connection")
    you = {"id": fx.worker.id, "name": "Lò Văn Duy", "role": "worker", "booth_id": None}
    assert welcome["you"] == you
    assert isinstance(connection, str) and len(connection) >= 8, "an opaque id per websocket"
    assert [b["employer"] for b in welcome["state"]["booths"]] == ["Công ty A", "Công ty B"]


async def test_a_new_booth_appears_live_with_the_next_revision(fx: Fixture) -> None:
    worker = await fx.session(fx.worker)
    ws = await worker.ws(fx.fair.id)
    rev = (await ws.recv())["state"]["rev"]
    mod = await fx.session(fx.moderator)
    created = await mod.api("POST", f"/api/fairs/{fx.fair.id}/booths", {"employer": "Công ty C"})
    event = await ws.event("booth.created")
    await ws.close()
    assert event["data"]["id"] == created.json()["id"] and event["rev"] == rev + 1


async def test_a_foreign_origin_is_refused(fx: Fixture) -> None:
    worker = await fx.session(fx.worker)
    with pytest.raises(InvalidStatus) as refused:
        await worker.ws(fx.fair.id, origin="http://evil.example")
    assert refused.value.response.status_code == 403


async def test_without_a_session_the_socket_closes_with_4401_sign_in(fx: Fixture) -> None:
    anonymous = await fx.session()
    ws = await anonymous.ws(fx.fair.id)
    with pytest.raises(ConnectionClosed) as closed:
        await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_a_worker_of_another_fair_is_closed_with_4403(fx: Fixture) -> None:
    outsider = await fx.session(fx.outsider)
    ws = await outsider.ws(fx.fair.id)
    with pytest.raises(ConnectionClosed) as closed:
        await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_every_bad_message_gets_an_error_frame_and_the_socket_stays_open(
    fx: Fixture,
) -> None:
    worker = await fx.session(fx.worker)
    ws = await worker.ws(fx.fair.id)
    await ws.recv()
    no_id, bad_type = json.dumps({"type": "ping"}), json.dumps({"id": "x", "type": 5})
    for bad in ["not json", "[1]", no_id, bad_type]:
        await ws.ws.send(bad)
        frame = await ws.recv()
        assert (frame["type"], frame["code"]) == ("error", "invalid_input")
    unknown = await ws.request("no.such.thing")
    assert (unknown["type"], unknown["code"]) == ("error", "invalid_input")
    pong = await ws.request("ping")
    await ws.close()
    assert pong["type"] == "ack" and "time" in pong["data"]


async def test_a_message_over_64_kib_closes_the_socket_with_1009(fx: Fixture) -> None:
    worker = await fx.session(fx.worker)
    ws = await worker.ws(fx.fair.id)
    await ws.recv()
    await ws.ws.send(json.dumps({"id": "big", "type": "ping", "data": {"x": "y" * 70_000}}))
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_a_flood_of_messages_is_rate_limited(fx: Fixture) -> None:
    worker = await fx.session(fx.worker)
    ws = await worker.ws(fx.fair.id)
    await ws.recv()
    for i in range(60):
        await ws.ws.send(json.dumps({"id": f"p{i}", "type": "ping"}))
    frames = [await ws.recv() for _ in range(60)]
    await ws.close()
    acks = sum(f["type"] == "ack" for f in frames)
    limited = sum(f.get("code") == "rate_limited" for f in frames)
    assert acks + limited == 60
    assert 25 <= acks <= 35 and limited >= 25  # the burst of 30 passes, the rest is refused
    assert sorted(f["id"] for f in frames) == sorted(f"p{i}" for i in range(60))  # each answered


async def test_a_client_that_stops_reading_is_dropped_and_others_get_everything(
    fx: Fixture, fairs: Fairs
) -> None:
    # a tiny receive buffer, and a client that reads one frame and then nothing
    sock = socket.create_connection(("127.0.0.1", int(fx.base.rsplit(":", 1)[1])))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow = await (await fx.session(fx.worker)).ws(fx.fair.id, max_queue=1, sock=sock)
    reader = await (await fx.session(fx.recruiter_a)).ws(fx.fair.id)
    await reader.recv()
    total = 3000  # ~6.6 MB of events: more than the server's socket buffer and the event queue

    for start in range(0, total, 50):
        await asyncio.gather(
            *(
                fairs.create_booth(fx.fair.id, BoothInput(employer=f"E{i}", description="x" * 2000))
                for i in range(start, start + 50)
            )
        )
        seen = 0
        while seen < 50:  # the healthy reader keeps up with every batch
            if (await reader.recv(timeout=10))["type"] == "event":
                seen += 1
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            metrics = (await client.get(f"{fx.base}/metrics")).text
            if 'jobfair_errors_total{kind="slow_client"}' in metrics:
                break
            await asyncio.sleep(0.1)
    await reader.close()
    slow.ws.transport.abort()
    assert 'jobfair_errors_total{kind="slow_client"}' in metrics
    drops = re.findall(r'jobfair_ws_send_queue_drops_total\{reason="\w+"\} (\S+)', metrics)
    assert len(drops) == 2 and sum(map(float, drops)) >= 1  # counted as a full queue or a timeout
