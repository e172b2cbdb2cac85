"""Interview-queue fan-out: N websocket clients in one booth's line at one node, against the floor.

Starts a private redis-server, one `jobfair serve` node and the floor (bench/queuelib/floor.py: a
bare Starlette app that sends each client one frame by a serial loop, with the node's uvicorn
settings), both servers pinned to CPU 0 and this process on CPU 1. Creates N workers through the
domain with session cookies minted by the node's secret, connects them with a lean asyncio
websocket client, has them all join the line, and connects N more clients to the floor. Then it
measures rounds of "call next", each followed by a round of the floor in the same conditions:
the time from sending "call next" to the moment the LAST waiting client has its new position
(the recruiter marks a no-show after each round, to be free to call again), and the time from
triggering the floor to the moment its last client has its frame.

Reports: connect time, joins/s, per-round last-client latency p50/p99, all clients' latency
p50/p99, server RSS per idle connection (growth of the node's RSS from before connecting to after
joining, divided by N), server CPU per "call next" (the node's own utime+stime over the round),
the floor's last-client p50/p99 and CPU per broadcast, and the ratio of the two p99s. The last
line is ``RESULT connections=N update_p99_ms=X rss_per_conn_kb=Y floor_p99_ms=Z`` for the last
size.

    .venv/bin/python bench/queue.py --clients 5000
    .venv/bin/python bench/queue.py --clients 1000,2000,5000 --rounds 40
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's `queue`, which asyncio and logging import:
# take bench/ off the import path, and import the helpers as `bench.queuelib`.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

from bench.queuelib.crowd import gather_crowd  # noqa: E402
from bench.queuelib.procs import Cluster, cpu_seconds, pin, rss_kb, scratch  # noqa: E402
from bench.queuelib.wsclient import Client, connect  # noqa: E402
from rooms.models import Participant  # noqa: E402


@dataclass
class Figures:
    clients: int
    connect_s: float
    joins_per_s: float
    last_p50: float
    last_p99: float
    all_p50: float
    all_p99: float
    rss_per_conn_kb: float
    cpu_per_call_ms: float
    floor_p50: float
    floor_p99: float
    floor_cpu_ms: float


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(n: int, rounds: int, pin_node: bool) -> Figures:
    with tempfile.TemporaryDirectory(prefix="bench-queue-", dir=scratch()) as tmp:
        procs = Cluster(Path(tmp), nodes=1, pin_cpu=0 if pin_node else None, floor=True)
        try:
            return await measure(procs, n, rounds)
        finally:
            procs.stop()


class FloorCrowd:
    """N clients of the floor server and its trigger; one `round` at a time."""

    def __init__(self, procs: Cluster, n: int) -> None:
        assert procs.floor is not None
        self.procs, self.n, self.floor_pid = procs, n, procs.floor.pid
        self.got: list[float] = []
        self.everyone = asyncio.Event()
        self.clients: list[Client] = []

    def on_text(self, client: Client, text: str) -> None:
        self.got.append(asyncio.get_running_loop().time())
        if len(self.got) >= self.n:
            self.everyone.set()

    async def open(self) -> None:
        async def one() -> Client:
            return await connect("127.0.0.1", self.procs.floor_port, "/ws", "", self.on_text)

        self.trigger = await one()
        for start in range(0, self.n, 250):
            self.clients += await asyncio.gather(*(one() for _ in range(start, start + 250)))
        self.clients = self.clients[: self.n]

    async def round(self, r: int) -> tuple[float, float]:
        """(ms until the last client had its frame, the floor's CPU seconds for the round)."""
        loop = asyncio.get_running_loop()
        self.got.clear()
        self.everyone.clear()
        cpu_start = cpu_seconds(self.floor_pid)
        t0 = loop.time()
        self.trigger.send_text(str(r))
        await asyncio.wait_for(self.everyone.wait(), 10.0)
        return (max(self.got) - t0) * 1000, cpu_seconds(self.floor_pid) - cpu_start

    def close(self) -> None:
        for client in (self.trigger, *self.clients):
            client.close()


async def measure(procs: Cluster, n: int, rounds: int) -> Figures:
    crowd = await gather_crowd(procs.redis_url, procs.secret, n)
    booth, recruiter, workers = crowd.booths[0], crowd.recruiters[0], crowd.workers

    loop = asyncio.get_running_loop()
    moved: list[float] = []  # receive times of the position frames of the current round
    everyone = asyncio.Event()  # set when every waiting client of the round has moved
    target = [0]
    waiting: dict[str, Client] = {}  # entry id -> client still in line

    def on_text(client: Client, text: str) -> None:
        if '"queue.position"' not in text:
            return
        data = json.loads(text)["data"]
        client.state["position"] = data["position"]
        if data["position"] == client.state.get("expect"):
            moved.append(loop.time())
            if len(moved) >= target[0]:
                everyone.set()

    async def open_(who: Participant) -> Client:
        return await connect("127.0.0.1", procs.ports[0], crowd.path, crowd.cookie(who), on_text)

    staff = await open_(recruiter)
    gc.collect()
    await asyncio.sleep(1.0)
    rss_before = rss_kb(procs.nodes[0].pid)

    started = loop.time()
    clients: list[Client] = []
    for start in range(0, n, 250):
        clients += await asyncio.gather(*(open_(w) for w in workers[start : start + 250]))
    connect_s = loop.time() - started

    started = loop.time()
    acks: list[dict[str, Any]] = []
    for start in range(0, n, 500):  # 5,000 at once would wait past the node's Redis timeout
        batch = enumerate(clients[start : start + 500], start)
        acks += await asyncio.gather(
            *(c.request("queue.join", {"booth_id": booth, "op": f"j{i}"}) for i, c in batch)
        )
    joins_per_s = n / (loop.time() - started)
    for client, ack in zip(clients, acks, strict=True):
        assert ack["type"] == "ack", ack
        client.state["entry"] = ack["data"]["id"]
        client.state.setdefault("position", ack["data"]["position"])
        waiting[ack["data"]["id"]] = client
    await asyncio.sleep(3.0)  # let the joins' position updates drain; the line is idle
    rss_after = rss_kb(procs.nodes[0].pid)
    floor = FloorCrowd(procs, n)
    await floor.open()
    await asyncio.sleep(1.0)
    floor_last: list[float] = []
    floor_cpu: list[float] = []

    last: list[float] = []
    every: list[float] = []
    cpu: list[float] = []
    for r in range(min(rounds, n - 1)):
        expected = len(waiting) - 1
        for client in waiting.values():
            client.state["expect"] = client.state.get("position", 0) - 1
        moved.clear()
        everyone.clear()
        target[0] = expected
        cpu_start = cpu_seconds(procs.nodes[0].pid)
        t0 = loop.time()
        called = await staff.send("queue.call_next", {"booth_id": booth, "op": f"c{r}"})
        assert called["type"] == "ack", called
        with contextlib.suppress(TimeoutError):  # reported below as a failed round
            await asyncio.wait_for(everyone.wait(), 10.0)
        cpu.append(cpu_seconds(procs.nodes[0].pid) - cpu_start)
        if len(moved) < expected:
            raise RuntimeError(f"round {r}: only {len(moved)} of {expected} clients updated")
        last.append((max(moved) - t0) * 1000)
        every += [(m - t0) * 1000 for m in moved]
        entry = called["data"]["id"]
        del waiting[entry]
        ended = await staff.send("queue.no_show", {"entry_id": entry, "op": f"n{r}"})
        assert ended["type"] == "ack", ended
        await asyncio.sleep(0.3)
        latency, spent = await floor.round(r)  # the same conditions, right after
        floor_last.append(latency)
        floor_cpu.append(spent)
        await asyncio.sleep(0.3)

    for client in clients:
        client.close()
    staff.close()
    floor.close()
    return Figures(
        clients=n,
        connect_s=connect_s,
        joins_per_s=joins_per_s,
        last_p50=pct(last, 0.5),
        last_p99=pct(last, 0.99),
        all_p50=statistics.median(every),
        all_p99=pct(every, 0.99),
        rss_per_conn_kb=(rss_after - rss_before) / n,
        cpu_per_call_ms=statistics.mean(cpu) * 1000,
        floor_p50=pct(floor_last, 0.5),
        floor_p99=pct(floor_last, 0.99),
        floor_cpu_ms=statistics.mean(floor_cpu) * 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="2000", help="one size, or several: 1000,2000,5000")
    parser.add_argument("--rounds", type=int, default=30, help='"call next" rounds per size')
    parser.add_argument("--no-pin", action="store_true", help="do not pin node and client")
    args = parser.parse_args()
    sizes = [int(s) for s in args.clients.split(",")]
    if max(sizes) > 5000:
        parser.error("at most 5000 clients")
    if not args.no_pin:
        pin(1)
    print(
        "clients  connect_s  joins/s  last_p50_ms  last_p99_ms  all_p50_ms  all_p99_ms"
        "  rss_kb/conn  cpu_ms/call  floor_p50_ms  floor_p99_ms  floor_cpu_ms  p99/floor",
        flush=True,
    )
    figures = None
    for n in sizes:
        figures = asyncio.run(run(n, args.rounds, not args.no_pin))
        f = figures
        print(
            f"{f.clients:7d}  {f.connect_s:9.1f}  {f.joins_per_s:7.0f}  {f.last_p50:11.0f}"
            f"  {f.last_p99:11.0f}  {f.all_p50:10.0f}  {f.all_p99:10.0f}"
            f"  {f.rss_per_conn_kb:11.1f}  {f.cpu_per_call_ms:11.1f}  {f.floor_p50:12.0f}"
            f"  {f.floor_p99:12.0f}  {f.floor_cpu_ms:12.1f}  {f.last_p99 / f.floor_p99:9.2f}",
            flush=True,
        )
    assert figures is not None
    print(
        f"RESULT connections={figures.clients} update_p99_ms={figures.last_p99:.0f}"
        f" rss_per_conn_kb={figures.rss_per_conn_kb:.1f} floor_p99_ms={figures.floor_p99:.0f}"
    )


if __name__ == "__main__":
    main()
