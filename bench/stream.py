"""Media-forwarding benchmark: one 1 Mbps VP8 publisher, N aiortc viewers, per server.

    python bench/stream.py [--viewers N] [--seconds S] [--targets jobfair,relay,janus]
                           [--points 1,16,32,64] [--repeat R] [--nodes 2]

For each target and each N it reports the server's CPU time per viewer-second (slope from N=1,
so fixed cost cancels), the share of frames that reached the slowest viewer, the p95 of the
delay the server adds (publisher send -> viewer arrival of the same frame) and the server's RSS.
The last line is ``RESULT viewers=N ...`` for the ``--viewers`` point; anything that could not
run is ``na`` with the reason printed above it. ``--nodes 2`` adds a cascade run beside the
single-node one: the publisher on node A, the viewers on node B (one leg from A), printing A's
CPU (``origin_cpu_ms_per_s``: one viewer's, whatever N) and B's per viewer-second.
Method and figures: docs/bench-stream.md.
Targets are small classes (streamlib/target.py explains the seam); adding one is a class and a
line in ``TARGETS``.
"""

# ruff: noqa: E402  (sys.path is fixed before the other imports, see below)
from __future__ import annotations

import os
import sys

# bench/ also holds other benchmarks' scripts (queue.py...), which would shadow standard modules
# (``queue``) here and in the worker processes if bench/ stayed first on sys.path, as Python puts
# a script's directory. Keep it, last, only to import streamlib.
_BENCH_DIR = os.path.dirname(os.path.realpath(__file__))
if sys.path and os.path.realpath(sys.path[0] or ".") == _BENCH_DIR:
    sys.path.pop(0)
sys.path.append(_BENCH_DIR)

import argparse
import asyncio
import shutil
import signal
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from streamlib import clip, procstat, report
from streamlib.cascade_target import CascadeTarget
from streamlib.janus_target import JanusTarget
from streamlib.jobfair_target import JobfairTarget
from streamlib.relay_target import RelayTarget
from streamlib.runner import Point, RunSettings, run_point
from streamlib.target import Target

# A factory, or the reason the target cannot run yet.
TARGETS: dict[str, Callable[[], Target] | str] = {
    "jobfair": JobfairTarget,
    "relay": RelayTarget,
    "janus": JanusTarget,
    "cascade": CascadeTarget,
}
RELAY_N = 8  # stock MediaRelay re-encodes per viewer and collapses past ~8 on this machine


def _ints(text: str) -> list[int]:
    return sorted({int(v) for v in text.split(",") if v.strip()})


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=64, help="point of the RESULT line")
    parser.add_argument("--seconds", type=float, default=10.0, help="measurement window")
    parser.add_argument("--targets", default="jobfair,relay,janus")
    parser.add_argument("--points", type=_ints, default=[1, 16, 32, 64])
    parser.add_argument("--relay-points", type=_ints, default=[1, RELAY_N])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each point")
    parser.add_argument(
        "--nodes", type=int, choices=(1, 2), default=1, help="2: add the cascade target"
    )
    parser.add_argument("--viewers-per-process", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--grace", type=float, default=3.0)
    parser.add_argument("--keep", action="store_true", help="keep configs and server logs")
    return parser.parse_args()


def _cores() -> tuple[int, int]:
    """(server core, client core): the server alone on the last core, clients on the first."""
    cores = sorted(os.sched_getaffinity(0))
    return cores[-1], cores[0]


@dataclass
class Outcome:
    points: list[Point] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why a figure is na
    failed: bool = False  # a point failed: keep its logs
    packets_per_s: float = 0.0  # of the clip, to cost one forwarded packet


async def _run(args: argparse.Namespace, workdir: Path, out: Outcome) -> None:
    server_core, client_core = _cores()
    procstat.pin_to_core(0, client_core)
    clip_path = workdir / "clip.ivf"
    encoded = clip.encode()
    clip.save(encoded, clip_path)
    out.packets_per_s = encoded.packets_per_second
    print(
        f"clip: {clip.WIDTH}x{clip.HEIGHT} {clip.FPS} fps VP8, {encoded.kbps:.0f} kbps, "
        f"{out.packets_per_s:.0f} RTP packets/s, "
        f"keyframe every {clip.KEYFRAME_INTERVAL} frames; server on core {server_core}, "
        f"clients on core {client_core}; load1 {procstat.load_average():.2f}",
        flush=True,
    )
    settings = RunSettings(
        seconds=args.seconds,
        warmup=args.warmup,
        grace=args.grace,
        viewers_per_process=args.viewers_per_process,
        server_core=server_core,
        client_core=client_core,
        clip=clip_path,
        workdir=workdir,
    )
    names = [t.strip() for t in args.targets.split(",") if t.strip()]
    if args.nodes == 2 and "cascade" not in names:
        names.append("cascade")
    for name in names:
        factory = TARGETS.get(name, f"unknown target (known: {', '.join(TARGETS)})")
        if isinstance(factory, str):
            out.problems.append(f"{name}: {factory}")
            continue
        target = factory()
        reason = target.unavailable()
        if reason is not None:
            out.problems.append(f"{name}: {reason}")
            continue
        wanted = args.relay_points if name == "relay" else sorted({1, *args.points, args.viewers})
        for n in wanted:
            for run in range(1, args.repeat + 1):
                label = f"{name}-n{n}-r{run}"
                try:
                    point = await run_point(target, n, settings, label)
                except Exception as exc:  # one failed point must not hide the others
                    out.problems.append(f"{label} failed: {type(exc).__name__}: {exc}")
                    out.failed = True
                    print(f"{label}: failed: {exc}", flush=True)
                    continue
                out.points.append(point)
                print(report.table([point], legend=False).splitlines()[-1], flush=True)


async def _main(args: argparse.Namespace, workdir: Path, out: Outcome) -> None:
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    await _run(args, workdir, out)


def main() -> None:
    args = _parse()
    workdir = Path(tempfile.mkdtemp(prefix="bench-stream-"))
    out = Outcome()
    completed = False
    try:
        asyncio.run(_main(args, workdir, out))
        completed = True
    except (KeyboardInterrupt, asyncio.CancelledError):
        out.problems.append("run interrupted")
    finally:
        if args.keep or out.failed or not completed:
            print(f"configs and server logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(report.table(out.points))
    if out.points:
        print(report.summary(out.points, out.packets_per_s))
    for problem in out.problems:
        print(f"na: {problem}")
    relay_n = RELAY_N if RELAY_N in args.relay_points else max(args.relay_points)
    print(report.result_line(out.points, args.viewers, relay_n, args.nodes))


if __name__ == "__main__":
    main()
