"""Faults under queue load: kill -9 a node, SIGKILL Redis, freeze Redis; count what was lost.

Each scenario starts its own redis-server (append-only file, `appendfsync always`:
chaoslib/cluster.py says why) and two `jobfair serve` nodes, creates a fair with --booths booths
and --workers workers, opens half the workers' pages on each node, and has every worker join
every booth's line at random moments over --load-seconds. When half the joins are acknowledged:

- node-kill: kill -9 the first node; its pages reconnect to the other (a load balancer's choice);
- redis-kill: SIGKILL redis-server and start it again at once on the same file;
- redis-freeze: SIGSTOP redis-server for --freeze-seconds, then SIGCONT.

Pages behave as the browser's do (chaoslib/page.py): reconnect with backoff, `queue.mine` after
each welcome, an unanswered join sent again with the same op id until an ack or a refusal. Per
scenario (definitions in chaoslib/verdict.py): places in line when the fault came; joins
acknowledged, refused, never answered, and sent more than once; entries lost, duplicated and
reordered; recovery seconds (from the kill, or from SIGCONT for a
freeze); the longest any request waited (a join, a `queue.mine`, a new socket's welcome); the
longest /healthz took; sockets dropped. The last line is
``RESULT lost=X duplicated=Y reordered=Z recovery_s=W`` (sums, and the longest recovery; `na`
when a scenario never recovered within --timeout).

    .venv/bin/python bench/chaos.py --workers 500 --freeze-seconds 10
    .venv/bin/python bench/chaos.py --workers 20 --freeze-seconds 2   # the CI smoke run
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py is named like the standard library's `queue`, which asyncio imports: take bench/
# off the import path (Python puts a script's directory first) and import helpers as `bench.*`.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from bench.chaoslib.cluster import Cluster, Prober  # noqa: E402
from bench.chaoslib.page import Page, now  # noqa: E402
from bench.chaoslib.verdict import Tally, recovered_at, tally  # noqa: E402
from bench.queuelib.crowd import gather_crowd  # noqa: E402
from tests.procs import SECRET  # noqa: E402

SCENARIOS = ("node-kill", "redis-kill", "redis-freeze")


@dataclass
class Figures:
    scenario: str
    queued: int  # places acknowledged when the fault came
    acked: int
    refused: int
    unanswered: int
    resent: int  # joins sent more than once (the op replay keeps them to one place)
    tally: Tally
    recovery_s: float | None
    wait_max_s: float
    healthz_max_s: float
    drops: int


async def until(done: Callable[[], bool], deadline: float) -> bool:
    while not done():
        if now() >= deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def drive(
    page: Page, booths: list[str], begin: float, seconds: float, rng: random.Random
) -> None:
    """Join every booth's line, in a random order, at random moments of the load."""
    moments = sorted(rng.uniform(0, seconds) for _ in booths)
    for at, booth in zip(moments, rng.sample(booths, len(booths)), strict=True):
        await asyncio.sleep(max(0.0, begin + at - now()))
        await page.join(booth)


async def fault(name: str, cluster: Cluster, freeze_seconds: float) -> tuple[float, float]:
    """Do it; when it began and when it ended (a killed node stays dead: it ends at once)."""
    began = now()
    if name == "node-kill":
        cluster.kill_node(0)
    elif name == "redis-kill":
        await cluster.kill_redis()
    else:
        cluster.freeze()
        await asyncio.sleep(freeze_seconds)
        cluster.thaw()
    return began, (began if name == "node-kill" else now())


async def scenario(name: str, args: argparse.Namespace) -> Figures:
    with contextlib.ExitStack() as stack:
        if args.keep:
            directory = Path(args.keep) / name
        else:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="chaos-")))
        cluster = Cluster(directory)
        await asyncio.to_thread(cluster.start)
        try:
            return await measure(name, cluster, args)
        finally:
            await asyncio.to_thread(cluster.stop)


async def measure(name: str, cluster: Cluster, args: argparse.Namespace) -> Figures:
    crowd = await gather_crowd(cluster.redis.url, SECRET, args.workers, args.booths)
    ports = cluster.ports
    pages = [
        Page(f"w{i}", crowd.cookie(w), crowd.path, ports[i % 2 :] + ports[: i % 2])
        for i, w in enumerate(crowd.workers)
    ]
    for start in range(0, len(pages), 100):
        batch = pages[start : start + 100]
        for page in batch:
            page.start()
        await asyncio.wait_for(asyncio.gather(*(p.ready.wait() for p in batch)), 60)

    prober = Prober(ports)
    probing = asyncio.create_task(prober.run())
    rng = random.Random(args.seed)
    begin = now()
    load = [
        asyncio.create_task(drive(p, crowd.booths, begin, args.load_seconds, rng)) for p in pages
    ]
    total = len(pages) * len(crowd.booths)

    def acked() -> int:
        return sum(c.entry is not None for p in pages for c in p.changes)

    if not await until(lambda: acked() >= total // 2, begin + args.load_seconds + args.timeout):
        raise RuntimeError(f"{name}: half the joins were never acknowledged, before any fault")
    queued = acked()
    fault_at, ended_at = await fault(name, cluster, args.freeze_seconds)

    def back() -> tuple[float | None, str]:
        return recovered_at(pages, prober.probes, cluster.alive(), fault_at, ended_at)

    await until(
        lambda: all(t.done() for t in load) and back()[0] is not None, ended_at + args.timeout
    )
    end = now()
    recovered, missing = back()
    if recovered is None:
        print(f"{name}: not recovered after {args.timeout:.0f} s: {missing}", file=sys.stderr)
    probing.cancel()
    await prober.stop()
    for task in load:
        task.cancel()
    await asyncio.gather(*load, return_exceptions=True)
    await asyncio.gather(*(p.stop() for p in pages))

    changes = [c for p in pages for c in p.changes]
    n_acked = sum(c.entry is not None for c in changes)
    refused = sum(c.refused is not None for c in changes)
    since = ended_at if name == "redis-freeze" else fault_at
    waits = [(r.ended or end) - r.sent for p in pages for r in p.requests if r.sent >= begin]
    return Figures(
        scenario=name,
        queued=queued,
        acked=n_acked,
        refused=refused,
        unanswered=total - n_acked - refused,
        resent=sum(c.sends > 1 for c in changes),
        tally=await tally(cluster.redis.url, crowd.fair_id, crowd.booths, changes),
        recovery_s=None if recovered is None else recovered - since,
        wait_max_s=max(waits, default=0.0),
        healthz_max_s=max(((p.ended or end) - p.sent for p in prober.probes), default=0.0),
        drops=sum(len(p.drops) for p in pages),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=500)
    parser.add_argument(
        "--booths", type=int, default=3, choices=(1, 2, 3), help="lines each worker joins"
    )
    parser.add_argument("--freeze-seconds", type=float, default=10.0)
    parser.add_argument(
        "--load-seconds", type=float, help="joins spread over this long (default workers/60, ≥ 2)"
    )
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds after a fault to wait for recovery"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", metavar="DIR", help="keep each scenario's logs in DIR/<scenario>")
    args = parser.parse_args()
    if args.load_seconds is None:
        args.load_seconds = max(2.0, args.workers / 60)
    names = args.scenarios.split(",")
    if unknown := set(names) - set(SCENARIOS):
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    print(
        "scenario      workers  queued  acked  refused  unanswered  resent  lost  duplicated"
        "  reordered  recovery_s  wait_max_s  healthz_max_s  drops",
        flush=True,
    )
    rows = []
    for name in names:
        f = asyncio.run(scenario(name, args))
        rows.append(f)
        recovery = "never" if f.recovery_s is None else f"{f.recovery_s:.2f}"
        print(
            f"{f.scenario:12s}  {args.workers:7d}  {f.queued:6d}  {f.acked:5d}  {f.refused:7d}"
            f"  {f.unanswered:10d}  {f.resent:6d}  {f.tally.lost:4d}  {f.tally.duplicated:10d}"
            f"  {f.tally.reordered:9d}  {recovery:>10s}  {f.wait_max_s:10.2f}"
            f"  {f.healthz_max_s:13.2f}  {f.drops:5d}",
            flush=True,
        )
    recoveries = [f.recovery_s for f in rows]
    worst = "na" if None in recoveries else f"{max(r or 0.0 for r in recoveries):.2f}"
    print(
        f"RESULT lost={sum(f.tally.lost for f in rows)}"
        f" duplicated={sum(f.tally.duplicated for f in rows)}"
        f" reordered={sum(f.tally.reordered for f in rows)} recovery_s={worst}"
    )


if __name__ == "__main__":
    main()
