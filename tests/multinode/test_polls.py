"""Two `jobfair serve` nodes on one Redis: 200 answers from 100 workers split across the nodes
count exactly 100, and a watcher on each node sees the results live, coalesced per poll."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from rooms.models import Participant
from rooms.people import People
from tests.clients import Fixture, Frames, Session
from tests.procs import Node

WORKERS = 100
INTERVAL = 0.25  # server/poll_notifier.py: one results frame per poll per 250 ms at most


async def connect(fx: Fixture, who: Participant, base: str) -> tuple[Session, Frames]:
    session = Session(base)
    await session.signin(fx.link(who).replace(fx.base, base))
    ws = await session.ws(fx.fair.id)
    assert (await ws.recv())["type"] == "welcome"
    listed = await ws.request("poll.list", {"channel": "stage"})
    assert listed["type"] == "ack", listed
    return session, ws


async def answer_twice(ws: Frames, poll_id: str, worker: int) -> list[dict[str, Any]]:
    """Two different answers back to back, as a change of mind or a second tab would send."""
    for n in (0, 1):
        data = {"poll_id": poll_id, "option": (worker + n) % 3}
        await ws.ws.send(json.dumps({"id": f"a{n}", "type": "poll.answer", "data": data}))
    acks: dict[str, dict[str, Any]] = {}
    while len(acks) < 2:
        frame = await ws.recv(20)
        if frame.get("id") in ("a0", "a1"):
            acks[frame["id"]] = frame
    return [acks["a0"], acks["a1"]]


async def results_until(ws: Frames, total: int) -> list[tuple[float, dict[str, Any]]]:
    """Every poll.results frame (with its arrival time) until one shows `total` answers."""
    loop, seen = asyncio.get_running_loop(), []
    while True:
        frame = await ws.recv(20)
        if frame.get("event") == "poll.results":
            seen.append((loop.time(), frame["data"]))
            if frame["data"]["total"] == total:
                return seen


async def test_200_answers_from_100_workers_on_two_nodes_count_exactly_100(
    fx: Fixture, people: People, node_b: Node
) -> None:
    workers = [
        await people.register_worker(fx.fair.id, {"name": f"Người {i}", "contact": "0911111111"})
        for i in range(WORKERS)
    ]
    bases = [fx.base if i % 2 == 0 else node_b.url for i in range(WORKERS)]
    clients = await asyncio.gather(
        *(connect(fx, w, b) for w, b in zip(workers, bases, strict=True))
    )
    host_session, host = await connect(fx, fx.moderator, fx.base)
    made = await host.request(
        "poll.create", {"channel": "stage", "text": "Bạn muốn làm ở đâu?", "options": list("ABC")}
    )
    poll_id = made["data"]["id"]
    watcher_session, watcher_b = await connect(fx, fx.moderator, node_b.url)

    watching = asyncio.create_task(results_until(watcher_b, WORKERS))
    pairs = await asyncio.gather(
        *(answer_twice(ws, poll_id, i) for i, (_, ws) in enumerate(clients))
    )
    frames = await watching
    listed = await host.request("poll.list", {"channel": "stage"})
    for session, ws in [*clients, (host_session, host), (watcher_session, watcher_b)]:
        await ws.close()
        await session.close()

    assert all(a["type"] == "ack" for pair in pairs for a in pair)
    counted = [a for pair in pairs for a in pair if a["data"]["counted"]]
    assert len(counted) == WORKERS  # exactly one of each worker's two answers
    assert all(a["data"]["option"] == b["data"]["option"] for a, b in pairs)  # the first stands
    poll = listed["data"]["polls"][0]
    assert poll["total"] == WORKERS and sum(poll["counts"]) == WORKERS
    assert frames[-1][1]["counts"] == {str(i): n for i, n in enumerate(poll["counts"]) if n}
    # coalesced: 100 answers reached node B's watcher as a few frames, none closer than the
    # interval allows (a little slack for delivery jitter on a loaded machine)
    assert len(frames) < WORKERS / 4
    span = frames[-1][0] - frames[0][0]
    assert len(frames) <= 2 + span / (INTERVAL * 0.8)
