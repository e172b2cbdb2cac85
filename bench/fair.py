"""A whole fair under load: 140 booths and N attendees on K node processes of one Redis.

Each attendee is a websocket client with its own session (the lean client of bench/queuelib),
connected to node i mod K, doing what attendees do at fixed rates:

  lines      each of the first 100 booths has a recruiter who sends "call next" every 30 s
             (the 100 lines staggered over the 30 s); the recruiter then marks the called worker
             a no-show, and that worker joins another line a second later
  queue      each attendee stands in 1-3 lines (uniformly), chosen among those 100
  Q&A        each attendee watches one channel (half the main stage, half the booth of its first
             line) and once a minute votes for one of its questions, or asks (1 in 5, or when
             the channel has none yet)
  lobby      one lobby change per second: a recruiter edits its booth (HTTP PATCH, as the booth
             page does); every attendee gets `booth.updated`
  browsing   each attendee reads the lobby (`fair.snapshot`) once a minute
  (each once-a-minute action of an attendee at its own random phase)

It reports, per kind of event, the latency from sending the change to the moment the LAST client
that must see it has it (p50/p99): `position` (call next -> every worker behind in that line has
its new place), `lobby`, `question` (an ask -> every watcher of the channel), `votes` (a vote ->
every watcher has a count that includes it; the nodes gather votes for 250 ms into one frame,
docs/protocol-qa.md, so this one is also given beyond that window, which is what `event_p99`
counts); then answer times of requests; node CPU per attendee-second and Redis CPU over the
measured window; node RSS per connection. Ends with
``RESULT attendees=N nodes=K event_p99_ms=X node_cpu_ms_per_attendee_s=Y``.

    .venv/bin/python bench/fair.py --attendees 2000 --nodes 2 --seconds 120
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds queue.py, named like the standard library's `queue` that redis imports: take
# bench/ off the import path, and import the helpers as `bench.*` (as bench/queue.py does).
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import gc  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402

from bench.fairlib.crowdfair import Fair  # noqa: E402
from bench.fairlib.deliveries import pct  # noqa: E402
from bench.queuelib.procs import Cluster, cpu_seconds, scratch  # noqa: E402

BOOTHS, LINES = 140, 100
CALL_EVERY, ACT_EVERY, LOBBY_EVERY, BROWSE_EVERY = 30.0, 60.0, 1.0, 60.0
VOTE_WINDOW_MS = 250.0  # server/qa_notifier.py gathers votes this long into one frame
TIMED = ("position", "lobby", "question", "votes")


async def run(args: argparse.Namespace) -> dict[str, float]:
    random.seed(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-fair-", dir=scratch()) as tmp:
        cluster = Cluster(Path(tmp), nodes=args.nodes)
        try:
            fair = Fair(cluster, args.attendees, BOOTHS, LINES, args.speed)
            await fair.setup()
            return await measure(cluster, fair, args)
        finally:
            cluster.stop()


async def measure(cluster: Cluster, fair: Fair, args: argparse.Namespace) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    gc.collect()
    gc.freeze()  # the generator's own pauses would count as latency
    speed = args.speed
    cpu0, redis0 = cluster.node_cpu(), cpu_seconds(cluster.redis.pid)
    me0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = loop.time()
    fair.running = True
    actors = [
        *(fair.every(i * CALL_EVERY / LINES, CALL_EVERY / speed, fair.call_next, b)
          for i, b in enumerate(fair.lines)),
        fair.every(0.0, LOBBY_EVERY / speed, fair.edit_booth),
        *(fair.every(random.uniform(0, ACT_EVERY) / speed, ACT_EVERY / speed, fair.vote_or_ask, a)
          for a in range(args.attendees)),
        *(fair.every(random.uniform(0, BROWSE_EVERY) / speed, BROWSE_EVERY / speed, fair.browse, a)
          for a in range(args.attendees)),
    ]  # fmt: skip
    tasks = [asyncio.create_task(actor) for actor in (*actors, fair.lag())]
    await asyncio.sleep(args.seconds)
    fair.running = False
    seconds = loop.time() - t0
    cpu, redis = cluster.node_cpu() - cpu0, cpu_seconds(cluster.redis.pid) - redis0
    me1 = resource.getrusage(resource.RUSAGE_SELF)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for _ in range(100):  # what was sent last may still arrive: wait up to 10 s for it
        if not fair.deliveries.open:
            break
        await asyncio.sleep(0.1)
    fair.deliveries.close()
    await fair.close()
    gen = (me1.ru_utime + me1.ru_stime - me0.ru_utime - me0.ru_stime) / seconds * 1000
    return report(fair, args, seconds, cpu, redis, gen)


def report(
    fair: Fair, args: argparse.Namespace, seconds: float, cpu: float, redis: float, gen: float
) -> dict[str, float]:
    d = fair.deliveries
    print(f"attendees={args.attendees} nodes={args.nodes} seconds={seconds:.0f}", flush=True)
    print("event      count  missed  p50_ms  p99_ms", flush=True)
    worst = 0.0
    for kind in TIMED:
        values = d.done.get(kind, [])
        p50, p99 = pct(values, 0.5), pct(values, 0.99)
        print(f"{kind:9s}  {len(values):5d}  {d.missed.get(kind, 0):6d}  {p50:6.0f}  {p99:6.0f}")
        if kind == "votes":
            beyond = [max(0.0, v - VOTE_WINDOW_MS) for v in values]
            b50, b99 = pct(beyond, 0.5), pct(beyond, 0.99)
            print(f"{'  beyond':9s}  {len(values):5d}  {'':6s}  {b50:6.0f}  {b99:6.0f}"
                  f"   (past the {VOTE_WINDOW_MS:.0f} ms the nodes gather votes)")  # fmt: skip
            p99 = b99
        if values:
            worst = max(worst, p99)
        if d.missed.get(kind):
            worst = float("inf")  # an event someone never got
    print("request    count  failed  p50_ms  p99_ms")
    for kind, values in sorted(fair.answers.items()):
        failed = fair.failed.get(kind, 0)
        print(f"{kind:9s}  {len(values):5d}  {failed:6d}  {pct(values, 0.5):6.0f}"
              f"  {pct(values, 0.99):6.0f}")  # fmt: skip
    per_attendee = cpu * 1000 / (args.attendees * seconds)
    print(
        f"node CPU {cpu * 1000 / seconds:.0f} ms/s over {args.nodes} node(s) = "
        f"{per_attendee:.3f} ms per attendee-second; Redis CPU {redis * 1000 / seconds:.0f} ms/s;"
        f" load generator {gen:.0f} ms/s; node RSS {fair.rss_per_conn_kb:.1f} KB per connection",
        flush=True,
    )
    late, most = pct(fair.lags, 0.99), max(fair.lags or [0.0])
    print(f"load generator's loop late by p99 {late:.0f} ms, at most {most:.0f} ms"
          " (this much of any latency above may be the generator's own)", flush=True)  # fmt: skip
    return {"event_p99_ms": worst, "node_cpu_ms_per_attendee_s": per_attendee}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n    .venv")[0],  # the rates, the events, the result
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--attendees", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=1, help="node processes on the one Redis")
    parser.add_argument("--seconds", type=float, default=120.0, help="measured window")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--speed", type=float, default=1.0, help="divide every period by this (smoke tests only)"
    )
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    p99 = figures["event_p99_ms"]
    print(
        f"RESULT attendees={args.attendees} nodes={args.nodes} "
        f"event_p99_ms={'na' if p99 == float('inf') else f'{p99:.0f}'} "
        f"node_cpu_ms_per_attendee_s={figures['node_cpu_ms_per_attendee_s']:.3f}"
    )


if __name__ == "__main__":
    main()
