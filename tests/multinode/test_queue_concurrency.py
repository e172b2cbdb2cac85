"""Two nodes on one Redis, 200 workers joining one line and 4 recruiters calling at the same time,
half of everyone on each node: every worker is called exactly once, and nobody twice."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import connect

from rooms.fairs import Fairs
from rooms.models import BoothInput, Participant
from rooms.people import People
from rooms.store import keys
from server.auth import SESSION_COOKIE, Tokens
from tests.clients import FAIR_INPUT, Frames
from tests.procs import Node, RedisProcess

WORKERS, RECRUITERS = 200, 4
FAST = {"JOBFAIR_LIMIT_WS_RATE_PER_MINUTE": "60000", "JOBFAIR_LIMIT_WS_BURST": "1000"}
_ops = itertools.count(1)


@pytest.fixture
def nodes(redis_server: RedisProcess, tmp_path: Path) -> Iterator[list[Node]]:
    started = [Node(tmp_path / name, redis_server.url, **FAST).start() for name in "ab"]
    yield started
    for node in started:
        node.stop()


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


async def request(ws: Frames, type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return await ws.request(type_, {"op": f"c{next(_ops)}", **data})


async def test_two_hundred_workers_four_recruiters_two_nodes_each_called_exactly_once(
    nodes: list[Node], redis: Redis, fairs: Fairs, people: People, tokens: Tokens
) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    booth = (await fairs.create_booth(fair.id, BoothInput(employer="Công ty Đông người"))).id
    recruiters = [await people.add_recruiter(fair.id, booth, f"R{i}") for i in range(RECRUITERS)]
    crowd = [
        await people.register_worker(fair.id, {"name": f"W{i}", "contact": "0912345678"})
        for i in range(WORKERS)
    ]
    worker_ws = await asyncio.gather(
        *(socket(nodes[i % 2], fair.id, tokens, w) for i, w in enumerate(crowd))
    )
    staff_ws = [await socket(nodes[i % 2], fair.id, tokens, r) for i, r in enumerate(recruiters)]
    called: list[str] = []

    async def serve(ws: Frames) -> None:
        while len(called) < WORKERS:
            frame = await request(ws, "queue.call_next", {"booth_id": booth})
            if frame["type"] == "error":
                assert frame["code"] == "invalid_state", frame  # the line is empty for now
                await asyncio.sleep(0.01)
                continue
            called.append(frame["data"]["id"])
            ended = await request(ws, "queue.no_show", {"entry_id": frame["data"]["id"]})
            assert ended["type"] == "ack", ended

    async def join(ws: Frames) -> str:
        frame = await request(ws, "queue.join", {"booth_id": booth})
        assert frame["type"] == "ack", frame
        return str(frame["data"]["id"])

    joined, *_ = await asyncio.wait_for(
        asyncio.gather(asyncio.gather(*(join(ws) for ws in worker_ws)), *map(serve, staff_ws)),
        timeout=60,
    )
    assert len(called) == len(set(called)) == WORKERS
    assert set(called) == set(joined)

    async def prompts(ws: Frames) -> int:
        count = 0
        while True:
            try:
                frame = await ws.recv(timeout=0.5)
            except TimeoutError:
                return count
            data = frame.get("data") or {}
            count += frame.get("event") == "queue.entry" and data.get("state") == "called"

    assert await asyncio.gather(*map(prompts, worker_ws)) == [1] * WORKERS
    audit = await redis.xrange(keys.queue_audit(fair.id))
    assert sum(fields["action"] == "call" for _, fields in audit) == WORKERS
    assert await redis.zcard(keys.queue_line(fair.id, booth)) == 0
    assert await redis.hlen(keys.queue_busy(fair.id)) == 0
    for ws in [*worker_ws, *staff_ws]:
        await ws.close()
