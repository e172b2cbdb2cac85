"""State survives: a restart of `jobfair serve` on its embedded Redis, a Redis restart under a
running node, and a peer that vanishes without closing is reaped by the heartbeat."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
from websockets.exceptions import ConnectionClosed

from tests.clients import FAIR, Session
from tests.procs import Node, RedisProcess


async def test_a_fair_survives_a_restart_of_jobfair_serve_on_its_embedded_redis(
    tmp_path: Path,
) -> None:
    node = Node(tmp_path / "data", redis_url=None).start()  # embedded redis-server
    try:
        staff = Session(node.url)
        await staff.signin(node.signin_links()["moderator (all fairs)"])
        created = await staff.api("POST", "/api/fairs", {**FAIR, "title": "Phiên tháng 12"})
        assert created.status_code == 201
        await staff.close()
    finally:
        node.stop()
    node.start()
    try:
        async with httpx.AsyncClient() as client:
            index = await client.get(node.url)
    finally:
        node.stop()
    assert "Phiên tháng 12" in index.text
    assert node.log.read_text().count("first run: created the service moderator") == 1


async def test_events_and_writes_resume_after_redis_restarts(tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path / "redis", appendonly=True)
    redis.start()
    node = Node(tmp_path / "node", redis.url).start()
    try:
        staff = Session(node.url)
        await staff.signin(node.signin_links()["moderator (all fairs)"])
        fair = (await staff.api("POST", "/api/fairs", FAIR)).json()
        ws = await staff.ws(fair["id"])
        await ws.recv()

        redis.stop()
        async with httpx.AsyncClient() as client:
            down = await client.get(f"{node.url}/healthz", timeout=15)
        assert down.status_code == 503
        redis.start()

        await ws.event("resync", timeout=15)  # events may have been missed: clients re-read
        booth = await staff.api("POST", f"/api/fairs/{fair['id']}/booths", {"employer": "X"})
        assert booth.status_code == 201
        event = await ws.event("booth.created")
        assert event["data"]["id"] == booth.json()["id"]
        snapshot = await ws.request("fair.snapshot")
        assert snapshot["data"]["fair"]["title"] == FAIR["title"]  # kept across the restart
        await ws.close()
        await staff.close()
    finally:
        node.stop()
        redis.stop()


async def wait_for_metric(node: Node, line: str, seconds: float) -> bool:
    async with httpx.AsyncClient() as client:
        for _ in range(int(seconds * 10)):
            if line in (await client.get(f"{node.url}/metrics")).text:
                return True
            await asyncio.sleep(0.1)
    return False


async def test_a_peer_that_vanishes_is_reaped_by_the_heartbeat(
    redis_server: RedisProcess, tmp_path: Path
) -> None:
    node = Node(
        tmp_path / "node",
        redis_server.url,
        JOBFAIR_LIMIT_WS_PING_INTERVAL="1",
        JOBFAIR_LIMIT_WS_PING_TIMEOUT="1",
    ).start()
    try:
        staff = Session(node.url)
        await staff.signin(node.signin_links()["moderator (all fairs)"])
        fair = (await staff.api("POST", "/api/fairs", FAIR)).json()
        # a client that completes the handshake, then never reads or answers pings
        sock = socket.create_connection(("127.0.0.1", node.port))
        ws = await staff.ws(fair["id"], sock=sock, ping_interval=None, max_queue=1)
        ws.ws.transport.pause_reading()
        assert await wait_for_metric(node, "jobfair_ws_connections 1.0", 5)
        assert await wait_for_metric(node, "jobfair_ws_connections 0.0", 10)
        ws.ws.transport.resume_reading()
        try:
            while True:
                await ws.recv(timeout=5)
        except ConnectionClosed:
            pass
        await staff.close()
    finally:
        node.stop()
