"""Booth streams for a worker on a weak rural link: what a phone on 400 kbit/s with 3% loss sees.

    python bench/weaklink.py [--seconds 15] [--down 400kbit] [--up 300kbit] [--loss 3]
                             [--runs direct,weak:low,weak] [--publisher clips|chromium]
                             [--json out.json]

Starts `jobfair serve --demo` (embedded Redis) on 0.0.0.0 and has the first booth's recruiter go
live on the host (fast link): `--publisher clips` (the default), an aiortc client sending two
pre-encoded layers (640x360 at 1 Mbps, 320x180 at 200 kbit/s, tests/layered.py), or `chromium`,
the console in headless Chromium (fake camera; stream.js sends both layers). Then for each run it
opens the test worker's booth page in a second Chromium (weaklinklib/viewer.py, in its own
process): `direct` on the host, `weak` inside ../shared/tools/weaklink next to the repository
(needs root, iproute2 and nftables, which it installs with apt-get when missing). A `:low` run
publishes what a "low bandwidth booth" sends: one small layer.
Each viewer samples its WebRTC stats and the level the server puts it on (`stream.level`), waits
for the first decoded frame and for the server to move it to the low layer (if it does), plays
--seconds from that move, switches to audio only by hand and back. Prints a table and one `RESULT`
line per run (fps, freeze_s and audio_concealed_pct over that window), in run order (keep the
weak run at the default bitrate last). Method and figures: docs/weak-links.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

# bench/queue.py is named like the standard library's `queue`: take bench/ off the import path
# and import helpers as `bench.*` (and tests.layered's publisher), as bench/chaos.py does.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bench.weaklinklib.analysis import Run, analyse  # noqa: E402
from bench.weaklinklib.camera import write_clip  # noqa: E402
from bench.weaklinklib.publisher import ClipRecruiter, Recruiter, Sending  # noqa: E402
from bench.weaklinklib.report import markdown, result_line, table  # noqa: E402
from bench.weaklinklib.server import DemoServer, at_host, free_port  # noqa: E402

# next to the repository: ../shared/tools/weaklink
WEAKLINK = os.environ.get(
    "JOBFAIR_WEAKLINK", str(Path(__file__).resolve().parents[2] / "shared" / "tools" / "weaklink")
)
VIEWER = Path(__file__).with_name("weaklinklib") / "viewer.py"
PUBLISH_DEFAULT = (1_000_000, 640, 360)  # stream.js: maxBitrate 1 Mbps, camera ideal 640x360
PUBLISH_LOW = (250_000, 320, 180)  # the proposed low bandwidth booth: 320x180 at 250 kbit/s


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--seconds", type=float, default=15.0, help="playback window per run, from the move down"
    )
    p.add_argument("--publisher", choices=["clips", "chromium"], default="clips")
    p.add_argument("--down", default="400kbit", help="weak link: server -> viewer rate")
    p.add_argument("--up", default="300kbit", help="weak link: viewer -> server rate")
    p.add_argument("--loss", default="3", help="weak link: packet loss each way, percent")
    p.add_argument("--runs", default="direct,weak:low,weak", help="direct|weak, optional :low")
    p.add_argument("--first-frame-timeout", type=float, default=30.0)
    p.add_argument("--audio-only-seconds", type=float, default=10.0)
    p.add_argument(
        "--camera",
        choices=["busy", "builtin"],
        default="busy",
        help="the recruiter's fake camera: a clip that fills 1 Mbps, or Chromium's",
    )
    p.add_argument(
        "--ramp-timeout",
        type=float,
        default=60.0,
        help="before each run, wait this long at most for the recruiter to send 80%% of its cap",
    )
    p.add_argument("--json", type=Path, help="write the raw samples of every run here")
    return p.parse_args()


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


async def _view(args: argparse.Namespace, signin: str, booth: str, weak: bool) -> dict[str, Any]:
    cmd = [sys.executable, str(VIEWER), "--signin", signin, "--booth", booth]
    cmd += ["--seconds", str(args.seconds), "--first-frame-timeout", str(args.first_frame_timeout)]
    cmd += ["--audio-only-seconds", str(args.audio_only_seconds), "--switch-timeout", "15"]
    if weak:
        cmd = [WEAKLINK, "--down", args.down, "--up", args.up, "--loss", args.loss, "--", *cmd]
    proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE)
    limit = 105 + args.first_frame_timeout + args.seconds + args.audio_only_seconds + 60
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), limit)
    except TimeoutError:
        proc.kill()  # weaklink's trap removes its namespace when it ends
        await proc.wait()
        raise
    lines = [ln for ln in out.decode().splitlines() if ln.startswith("VIEWER ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"the viewer failed ({' '.join(cmd[:6])}…), exit {proc.returncode}")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix("VIEWER "))
    return result


def _weaklink_ready() -> None:
    """The tool needs nftables for its loss rule: install it (as root, with apt-get) or say so."""
    if not Path(WEAKLINK).exists():
        sys.exit(f"weaklink: the tool is not at {WEAKLINK} (set JOBFAIR_WEAKLINK)")
    if shutil.which("nft"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing nftables for the weak link's packet loss", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "nftables"], check=True, env=env)
    else:
        sys.exit("weaklink: needs nftables (apt-get install nftables, as root)")


async def _ramped(
    recruiter: Recruiter | ClipRecruiter, max_bitrate: int, timeout: float
) -> Sending:
    """What the recruiter sends once it reaches 80% of `max_bitrate` (its bandwidth estimate
    ramps up over seconds, and falls when this shared machine is busy), or after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        sending = await recruiter.sending()
        if sending.kbps * 1000 >= 0.8 * max_bitrate or loop.time() > deadline:
            return sending


async def _runs(args: argparse.Namespace, server: DemoServer, clip: Path | None) -> list[Run]:
    links = server.links
    assert links is not None
    runs: list[Run] = []
    raw: dict[str, dict[str, Any]] = {}
    async with async_playwright() as pw:
        signin = at_host(links.recruiter, "127.0.0.1")
        recruiter: Recruiter | ClipRecruiter
        if args.publisher == "clips":
            recruiter = await ClipRecruiter.go_live(signin)
        else:
            recruiter = await Recruiter.go_live(pw, signin, clip)
        try:
            for spec in args.runs.split(","):
                where, _, profile = spec.partition(":")
                weak = where == "weak"
                target = PUBLISH_LOW if profile == "low" else PUBLISH_DEFAULT
                await recruiter.set_video(*target)
                sending = await _ramped(recruiter, target[0], args.ramp_timeout)
                print(f"run {spec}: the recruiter sends {sending}; {_load()}", flush=True)
                result = await _view(args, links.worker, recruiter.booth_path, weak)
                link = f"{args.down}/{args.up}/{args.loss}%" if weak else "direct"
                publish = (
                    f"{args.publisher}:{sending.width}x{sending.height}@{sending.kbps:.0f}kbps"
                )
                if args.publisher == "clips" and profile != "low":
                    publish += "+320x180@200kbps"
                runs.append(analyse(spec, link, publish, result))
                raw[spec] = result
        finally:
            await recruiter.close()
    if args.json:
        args.json.write_text(json.dumps(raw))
    return runs


def main() -> None:
    args = _parse()
    if any(spec.startswith("weak") for spec in args.runs.split(",")):
        _weaklink_ready()
    print(f"start: {_load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="weaklink-") as tmp:
        busy = args.camera == "busy" and args.publisher == "chromium"
        clip = write_clip(Path(tmp) / "camera.y4m") if busy else None
        server = DemoServer(Path(tmp), free_port())
        server.start()
        try:
            runs = asyncio.run(_runs(args, server, clip))
        finally:
            server.stop()
    print(f"end: {_load()}\n")
    print(table(runs))
    print()
    print(markdown(runs))
    print()
    for run in runs:
        print(result_line(run))


if __name__ == "__main__":
    main()
