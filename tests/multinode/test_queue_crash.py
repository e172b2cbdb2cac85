"""kill -9 the node serving a line while workers wait and a call is pending, then start it again:
every entry and deadline is intact, the pending call still times out at its original deadline,
workers who come back keep their places, and those who do not are dropped after the grace."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from websockets.asyncio.client import connect

from rooms.fairs import Fairs
from rooms.models import BoothInput, Participant
from rooms.people import People
from rooms.queue import Queue, SettingsInput
from rooms.store import keys
from rooms.store.scripts import Scripts
from server.auth import SESSION_COOKIE, Tokens
from tests.clients import FAIR_INPUT, Frames
from tests.procs import Node, RedisProcess


async def socket(node: Node, fair_id: str, tokens: Tokens, who: Participant) -> Frames:
    ws = Frames(
        await connect(
            node.url.replace("http", "ws", 1) + f"/ws/fairs/{fair_id}",
            additional_headers={"cookie": f"{SESSION_COOKIE}={tokens.session(who)}"},
            origin=node.url,  # type: ignore[arg-type]
            compression=None,
        )
    )
    assert (await ws.recv())["type"] == "welcome"
    return ws


async def state(redis: Redis, fair_id: str, booth_id: str) -> dict[str, Any]:
    return {
        "line": await redis.zrange(keys.queue_line(fair_id, booth_id), 0, -1, withscores=True),
        "entries": await redis.hgetall(keys.queue_entries(fair_id)),
        "deadlines": await redis.zrange(keys.queue_deadlines(fair_id), 0, -1, withscores=True),
        "busy": await redis.hgetall(keys.queue_busy(fair_id)),
    }


async def test_a_node_killed_with_kill_9_loses_no_place_and_no_deadline(
    redis_server: RedisProcess,
    tmp_path: Path,
    redis: Redis,
    fairs: Fairs,
    people: People,
    tokens: Tokens,
) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    booth = (await fairs.create_booth(fair.id, BoothInput(employer="Công ty Bền bỉ"))).id
    recruiter = await people.add_recruiter(fair.id, booth, "R")
    moderator = await people.add_moderator(fair.id, "M")
    queue = Queue(redis, Scripts(redis))
    await queue.configure(fair.id, moderator, SettingsInput(call_seconds=5, grace_seconds=2), "cfg")
    crowd = [
        await people.register_worker(fair.id, {"name": f"W{i}", "contact": "0912345678"})
        for i in range(6)
    ]
    node = Node(tmp_path / "node", redis_server.url).start()
    try:
        sockets = [await socket(node, fair.id, tokens, w) for w in crowd]
        entries = []
        for i, ws in enumerate(sockets):
            frame = await ws.request("queue.join", {"booth_id": booth, "op": f"j{i}"})
            entries.append(frame["data"]["id"])
        staff = await socket(node, fair.id, tokens, recruiter)
        called = await staff.request("queue.call_next", {"booth_id": booth, "op": "call"})
        assert called["data"]["id"] == entries[0]
        deadline = called["data"]["deadline"]
        before = await state(redis, fair.id, booth)

        node.stop(signal.SIGKILL)
        killed_at = time.time()
        assert await state(redis, fair.id, booth) == before  # nothing lost with the process
        node.start()

        back = [await socket(node, fair.id, tokens, w) for w in crowd[1:4]]  # 4 and 5 stay away
        for i, ws in enumerate(back, 1):
            mine = (await ws.request("queue.mine"))["data"]["entries"]
            assert [(m["id"], m["position"]) for m in mine] == [(entries[i], i)]
        assert (await state(redis, fair.id, booth))["line"] == before["line"]

        for _ in range(200):  # the pending call times out at its deadline, set before the crash
            if (await queue.entry(fair.id, entries[0]))["state"] == "no_show":
                break
            await asyncio.sleep(0.1)
        expired = await queue.entry(fair.id, entries[0])
        assert expired["state"] == "no_show" and expired["ended_at"] >= deadline - 0.01

        for _ in range(200):  # the crashed node's leases run out, then the grace period
            line = await redis.zrange(keys.queue_line(fair.id, booth), 0, -1)
            if len(line) == 3:
                break
            await asyncio.sleep(0.1)
        assert line == entries[1:4]
        dropped = [await queue.entry(fair.id, e) for e in entries[4:]]
        assert [d["state"] for d in dropped] == ["dropped", "dropped"]
        assert all(d["ended_at"] - killed_at >= 2 for d in dropped)  # not before the grace
        for ws in [*sockets, staff, *back]:
            await ws.close()
    finally:
        node.stop()
