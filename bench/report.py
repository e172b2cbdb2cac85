"""Report build time: a fair's report built from N recorded facts (default 100,000).

Starts a private redis-server, creates a fair with 20 booths through the domain, then records the
facts of a four-hour fair in the fact stream, in the very format the Lua scripts write them
(rooms/reports/facts.py): workers register, connect and leave, watch booths' streams, join lines,
are called, interviewed and given outcomes, ask questions; booths go live and offline. Recording
is not measured (pipelined XADDs with explicit ids spread over the fair). Measured: building the
report the way `GET /api/fairs/{id}/report` does (read every fact, fold, summarise), best of
`--repeat`. The last line is ``RESULT events=N build_ms=X``.

    .venv/bin/python bench/report.py
    .venv/bin/python bench/report.py --events 1000 --repeat 1
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/queue.py is named like the standard library's `queue`: take bench/ off the import path
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import random  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from redis.asyncio import Redis  # noqa: E402
from redis.exceptions import ConnectionError as RedisConnectionError  # noqa: E402

from rooms.fairs import Fairs  # noqa: E402
from rooms.models import BoothInput, FairInput  # noqa: E402
from rooms.people import People  # noqa: E402
from rooms.reports.reader import Reports  # noqa: E402
from rooms.store import keys  # noqa: E402
from rooms.store.scripts import Scripts  # noqa: E402
from server.embedded_redis import redis_server_binary  # noqa: E402

FAIR = {
    "title": "Bench fair",
    "starts_at": "2026-11-26T01:00:00Z",
    "ends_at": "2026-11-26T05:00:00Z",
}
BOOTHS = 20
FAIR_SECONDS = 4 * 3600
OUTCOMES = ("passed", "on_site", "offer", "not_suitable", "no_show", "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def worker_story(
    rng: random.Random, w: int, booths: list[str], start: float
) -> Iterator[tuple[float, str, str]]:
    """One worker's facts (seconds, kind, fields) over the fair."""
    user = f"w{w}"
    t = start + rng.uniform(0, FAIR_SECONDS * 0.8)
    yield t - 3600, "reg", user
    conn = f"c{w}"
    yield t, "open", f"{conn}\tc\t{user}\tworker\t"
    booth = rng.choice(booths)
    yield t + 5, "open", f"{conn}.{booth}\tv\t{user}\tworker\t{booth}"
    yield t + 5 + rng.uniform(5, 600), "close", f"{conn}.{booth}"
    end = t + rng.uniform(700, 3600)
    if rng.random() < 0.7:
        entry = f"e{w}"
        joined = t + 620
        yield joined, "join", f"{booth}\t{entry}\t{user}\t"
        called = joined + rng.uniform(60, 1800)
        if rng.random() < 0.15:
            yield called, "leave", f"{booth}\t{entry}\tleave"
        else:
            yield called, "call", f"{booth}\t{entry}\tr{booth}"
            if rng.random() < 0.1:
                yield called + 60, "end", f"{booth}\t{entry}\texpire\t\tr{booth}"
            else:
                iv = f"i{w}"
                yield called + 10, "end", f"{booth}\t{entry}\taccept\t{iv}\tr{booth}"
                yield called + 400, "outcome", f"{booth}\t{iv}\t{rng.choice(OUTCOMES)}"
                yield called + 420, "end", f"{booth}\t{entry}\tfinish\t{iv}\tr{booth}"
                end = max(end, called + 430)
    if rng.random() < 0.3:
        yield t + 30, "q", f"{booth}\tq{w}\tapproved\t{int(rng.random() < 0.5)}"
    yield end, "close", conn


async def record(redis: Redis, fair_id: str, booths: list[str], events: int) -> int:
    rng = random.Random(7)
    start = time.time() - FAIR_SECONDS - 3600
    facts: list[tuple[float, str, str]] = []
    for b in booths:
        facts.append((start, "live", b))
        facts.append((start + FAIR_SECONDS, "off", b))
    w = 0
    while len(facts) < events:
        facts.extend(worker_story(rng, w, booths, start))
        w += 1
    facts = sorted(facts)[:events]
    key = keys.facts(fair_id)
    last, seq = 0, 0
    for i in range(0, len(facts), 5000):
        async with redis.pipeline(transaction=False) as pipe:
            for at, kind, fields in facts[i : i + 5000]:
                ms = max(int(at * 1000), last)
                seq = seq + 1 if ms == last else 0
                last = ms
                pipe.xadd(key, {kind: fields}, id=f"{ms}-{seq}")
            await pipe.execute()
    return len(facts)


async def run(port: int, events: int, repeat: int) -> float:
    redis = Redis.from_url(f"redis://127.0.0.1:{port}/0", decode_responses=True)
    for _ in range(100):
        try:
            await redis.ping()
            break
        except RedisConnectionError:
            await asyncio.sleep(0.05)
    scripts = Scripts(redis)
    fairs, people = Fairs(redis, scripts), People(redis, scripts)
    fair = await fairs.create_fair(FairInput.model_validate(FAIR))
    booths = [
        (await fairs.create_booth(fair.id, BoothInput(employer=f"Công ty {i % 15}"))).id
        for i in range(BOOTHS)
    ]
    moderator = await people.add_moderator(fair.id, "Bench")
    n = await record(redis, fair.id, booths, events)
    assert await redis.xlen(keys.facts(fair.id)) == n
    reports = Reports(redis)
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        built = await reports.build(fair.id, moderator)
        best = min(best, time.perf_counter() - began)
    total = built["fair"]
    print(
        f"facts={n} booths={len(built['booths'])} registered={total['registered']} "
        f"attended_online={total['attended_online']} interviews={total['interviews']} "
        f"peak_online={total['peak_online']} buckets={len(built['attendance'])}"
    )
    await redis.aclose()
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen(
            [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", data,
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            build_ms = asyncio.run(run(port, args.events, args.repeat))
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"RESULT events={args.events} build_ms={build_ms:.0f}")


if __name__ == "__main__":
    main()
