"""Redis Sentinel: two nodes on a primary, a replica and three sentinels. The primary is killed with
kill -9 while workers join and leave lines through both nodes; the nodes follow the promoted
replica without a restart, /healthz recovers, events cross nodes again, and every queue change
acknowledged before the kill is on the new primary (queue changes WAIT for the replica:
docs/state.md "Replication and failover")."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from rooms.fairs import Fairs
from rooms.models import BoothInput, Participant
from rooms.people import People
from rooms.store import keys
from rooms.store.scripts import Scripts
from server.auth import SESSION_COOKIE, Tokens
from tests.clients import FAIR_INPUT, Frames
from tests.procs import ROOT, SECRET, Node
from tests.redis_ha import MASTER, Replicated

FAST = {"JOBFAIR_LIMIT_WS_RATE_PER_MINUTE": "100000", "JOBFAIR_LIMIT_WS_BURST": "1000"}


async def socket(node: Node, fair_id: str, who: Participant) -> Frames:
    tokens = Tokens(SECRET, session_hours=1, invite_days=1)
    ws = Frames(
        await connect(
            node.url.replace("http", "ws", 1) + f"/ws/fairs/{fair_id}",
            additional_headers={"cookie": f"{SESSION_COOKIE}={tokens.session(who)}"},
            origin=node.url,  # type: ignore[arg-type]
            compression=None,
            open_timeout=5,
        )
    )
    assert (await ws.recv())["type"] == "welcome"
    return ws


@dataclass
class Worker:
    """Joins and leaves lines in a loop, retrying each op (same op id) until it is acknowledged."""

    node: Node
    fair_id: str
    who: Participant
    booths: list[str]
    acked: list[tuple[float, str, str]] = field(default_factory=list)  # (when, join|leave, entry)
    ws: Frames | None = None

    async def until_acked(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.ws is None:
                    self.ws = await socket(self.node, self.fair_id, self.who)
                frame = await self.ws.request(kind, data)
            except (OSError, TimeoutError, WebSocketException, AssertionError):
                self.ws = None
                await asyncio.sleep(0.2)
                continue
            if frame["type"] == "ack":
                result: dict[str, Any] = frame["data"]
                return result
            assert frame["code"] == "unavailable", frame  # nothing but "try again" is expected
            await asyncio.sleep(0.2)
        raise AssertionError(f"{kind} not acknowledged within 60 s")

    async def run(self, stop: asyncio.Event) -> None:
        n = 0
        while not stop.is_set():
            booth = self.booths[n % len(self.booths)]
            op = f"{self.who.id[:8]}-{n}"
            joined = await self.until_acked("queue.join", {"booth_id": booth, "op": f"j{op}"})
            self.acked.append((time.monotonic(), "join", joined["id"]))
            left = await self.until_acked("queue.leave", {"entry_id": joined["id"], "op": f"l{op}"})
            self.acked.append((time.monotonic(), "leave", left["id"]))
            n += 1
        if self.ws is not None:
            await self.ws.close()


def degraded_at(node: Node) -> list[datetime]:
    """When the node logged that a change was acknowledged without a replica."""
    return [
        datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
        for line in node.log.read_text().splitlines()
        if "replication degraded" in line
    ]


async def until(check: Callable[[], Awaitable[bool]], timeout: float) -> float:
    """Seconds until `check()` held; fails after `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if await check():
                return time.monotonic() - start
        except (OSError, httpx.HTTPError):
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {timeout} s")


async def test_nodes_follow_a_promoted_replica_and_keep_every_acknowledged_queue_change(
    tmp_path: Path,
) -> None:
    ha = Replicated(tmp_path / "redis")
    nodes: list[Node] = []
    try:
        ha.start()
        primary = Redis(port=ha.primary_port, decode_responses=True)
        scripts = Scripts(primary)
        fairs, people = Fairs(primary, scripts), People(primary, scripts)
        fair = await fairs.create_fair(FAIR_INPUT)
        booths = [
            (await fairs.create_booth(fair.id, BoothInput(employer=f"B{i}"))).id for i in range(2)
        ]
        recruiter = await people.add_recruiter(fair.id, booths[0], "R")
        crowd = [
            await people.register_worker(fair.id, {"name": f"W{i}", "contact": "0912345678"})
            for i in range(8)
        ]
        await primary.aclose()
        env = {"REDIS_SENTINELS": ha.sentinels, "REDIS_MASTER_NAME": MASTER, **FAST}
        nodes = [Node(tmp_path / f"node{i}", None, **env).start() for i in range(2)]

        workers = [Worker(nodes[i % 2], fair.id, w, booths) for i, w in enumerate(crowd)]
        stop = asyncio.Event()
        load = [asyncio.create_task(w.run(stop)) for w in workers]
        await asyncio.sleep(1.5)
        assert all(w.acked for w in workers)

        ha.kill("primary")
        killed, killed_at = time.monotonic(), datetime.now()

        async def every_worker_acked_since_the_kill() -> bool:
            return all(w.acked and w.acked[-1][0] > killed for w in workers)

        followed = await until(every_worker_acked_since_the_kill, 30)
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*load)
        assert ha.master_address() == ("127.0.0.1", ha.replica_port)

        async with httpx.AsyncClient() as client:
            for node in nodes:
                assert (await client.get(f"{node.url}/healthz")).status_code == 200

        promoted = Redis(port=ha.replica_port, decode_responses=True)
        stored = await promoted.hgetall(keys.queue_entries(fair.id))
        await promoted.aclose()
        before = [(kind, e) for w in workers for t, kind, e in w.acked if t < killed]
        after = [(kind, e) for w in workers for t, kind, e in w.acked if t >= killed]
        assert before and after
        for kind, entry_id in before + after:
            assert entry_id in stored, (kind, entry_id)
            if kind == "leave":
                assert '"state":"left"' in stored[entry_id].replace(" ", ""), stored[entry_id]
        for node in nodes:  # the promise held until the kill: every change waited for the replica
            assert not [t for t in degraded_at(node) if t < killed_at], node.log.read_text()
        # and it is checked: the promoted replica has no replica of its own, so WAIT said so
        assert any(t >= killed_at for node in nodes for t in degraded_at(node))

        # pub/sub follows too: a join through node 0 reaches a line view on node 1
        staff = await socket(nodes[1], fair.id, recruiter)
        assert (await staff.request("queue.view", {"booth_id": booths[0]}))["type"] == "ack"
        late = Worker(nodes[0], fair.id, crowd[0], booths)
        await late.until_acked("queue.join", {"booth_id": booths[0], "op": "late"})
        await staff.event("queue.line", timeout=10)
        await staff.close()
        if late.ws is not None:
            await late.ws.close()
        print(f"nodes followed the promoted replica {followed:.1f} s after kill -9")
    finally:
        for node in nodes:
            node.stop()
        ha.stop()


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"REDIS_SENTINELS": "127.0.0.1"},
            "jobfair: REDIS_SENTINELS: '127.0.0.1' is not host:port",
        ),
        ({"REDIS_WAIT_MS": "soon"}, "jobfair: REDIS_WAIT_MS: 'soon' is not a whole number"),
        (
            {"JOBFAIR_UPLOADS": "ftp://files/cv"},
            "jobfair: JOBFAIR_UPLOADS: ftp:// is not a directory, file:// or s3://",
        ),
    ],
)
def test_a_bad_storage_setting_stops_the_node_with_one_line_naming_it(
    tmp_path: Path, env: dict[str, str], line: str
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "JOBFAIR_"))}
    done = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--data-dir", str(tmp_path), "--port", "0"],
        env={**clean, "JOBFAIR_SECRET": SECRET, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == line
    assert "Traceback" not in done.stderr
