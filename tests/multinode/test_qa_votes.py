"""Two `jobfair serve` nodes on one Redis: concurrent, duplicated votes from workers split across
the nodes count exactly once each, and both nodes' watchers see the final count live."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from rooms.models import Participant
from rooms.people import People
from tests.clients import Fixture, Frames, Session
from tests.procs import Node

WORKERS = 50


async def connect(fx: Fixture, who: Participant, base: str) -> tuple[Session, Frames]:
    session = Session(base)
    await session.signin(fx.link(who).replace(fx.base, base))
    ws = await session.ws(fx.fair.id)
    assert (await ws.recv())["type"] == "welcome"
    listed = await ws.request("qa.list", {"channel": fx.booth_a.id})
    assert listed["type"] == "ack", listed
    return session, ws


async def vote_twice(ws: Frames, question_id: str) -> list[dict[str, Any]]:
    """Two identical votes sent back to back, as a double click or a client retry would."""
    for n in (1, 2):
        await ws.ws.send(
            json.dumps({"id": f"v{n}", "type": "qa.vote", "data": {"question_id": question_id}})
        )
    acks: dict[str, dict[str, Any]] = {}
    while len(acks) < 2:
        frame = await ws.recv(10)
        if frame.get("id") in ("v1", "v2"):
            acks[frame["id"]] = frame
    return list(acks.values())


async def test_100_concurrent_votes_by_50_workers_on_two_nodes_count_exactly_50(
    fx: Fixture, people: People, node_b: Node
) -> None:
    workers = [
        await people.register_worker(fx.fair.id, {"name": f"Voter {i}", "contact": "0911111111"})
        for i in range(WORKERS)
    ]
    bases = [fx.base if i % 2 == 0 else node_b.url for i in range(WORKERS)]
    clients = await asyncio.gather(
        *(connect(fx, w, b) for w, b in zip(workers, bases, strict=True))
    )
    author_session, author = await connect(fx, fx.worker, fx.base)
    asked = await author.request("qa.ask", {"channel": fx.booth_a.id, "text": "Có tăng ca không?"})
    qid = asked["data"]["id"]
    watcher_session, watcher_b = await connect(fx, fx.moderator, node_b.url)

    results = await asyncio.gather(*(vote_twice(ws, qid) for _, ws in clients))

    acks = [a for pair in results for a in pair]
    final_b = await watcher_b.event("qa.scores")
    while final_b["data"]["scores"][qid] != WORKERS:
        final_b = await watcher_b.event("qa.scores")
    listed = await author.request("qa.list", {"channel": fx.booth_a.id})
    for session, ws in [*clients, (author_session, author), (watcher_session, watcher_b)]:
        await ws.close()
        await session.close()
    assert len(acks) == 2 * WORKERS and all(a["type"] == "ack" for a in acks)
    assert all(a["data"]["voted"] is True for a in acks)
    assert max(a["data"]["votes"] for a in acks) == WORKERS
    assert listed["data"]["questions"][0]["votes"] == WORKERS
    assert final_b["data"] == {"channel": fx.booth_a.id, "scores": {qid: WORKERS}}
