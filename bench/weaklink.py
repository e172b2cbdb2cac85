"""Booth streams for a worker on a weak rural link: what a phone on 400 kbit/s with 3% loss sees.

    python bench/weaklink.py [--seconds 30] [--down 400kbit] [--up 300kbit] [--loss 3]
                             [--runs direct,weak:low,weak] [--json out.json]

Starts `jobfair serve --demo` (embedded Redis) on 0.0.0.0, has the first booth's recruiter go
live from the console in headless Chromium on the host (fast link, fake camera), then for each run
opens the test worker's booth page in a second Chromium (weaklinklib/viewer.py, in its own
process): `direct` on the host, `weak` inside /work/shared/tools/weaklink (needs root, iproute2,
nftables). Before each run the recruiter's camera and encoder are set in its page (no server
change): 640x360 at stream.js's 1 Mbps, or for a `:low` run what a "low bandwidth booth" would
send (320x180 at 250 kbit/s).
Each viewer samples its WebRTC stats, measures the time to the first decoded frame, plays for
--seconds, switches to audio only and back. Prints a table and one `RESULT` line per run, in run
order (keep the weak run at the default bitrate last). Method and figures: docs/weak-links.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright
from weaklinklib.analysis import Run, analyse
from weaklinklib.camera import write_clip
from weaklinklib.publisher import Recruiter, Sending
from weaklinklib.report import markdown, result_line, table
from weaklinklib.server import DemoServer, at_host, free_port

WEAKLINK = "/work/shared/tools/weaklink"
VIEWER = Path(__file__).with_name("weaklinklib") / "viewer.py"
PUBLISH_DEFAULT = (1_000_000, 640, 360)  # stream.js: maxBitrate 1 Mbps, camera ideal 640x360
PUBLISH_LOW = (250_000, 320, 180)  # the proposed low bandwidth booth: 320x180 at 250 kbit/s


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=30.0, help="playback window per run")
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
    cmd += ["--audio-only-seconds", str(args.audio_only_seconds)]
    if weak:
        cmd = [WEAKLINK, "--down", args.down, "--up", args.up, "--loss", args.loss, "--", *cmd]
    proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE)
    limit = 90 + args.first_frame_timeout + args.seconds + args.audio_only_seconds + 60
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


async def _ramped(recruiter: Recruiter, max_bitrate: int, timeout: float) -> Sending:
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
        recruiter = await Recruiter.go_live(pw, at_host(links.recruiter, "127.0.0.1"), clip)
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
                publish = f"{sending.width}x{sending.height}@{sending.kbps:.0f}kbps"
                runs.append(analyse(spec, link, publish, result))
                raw[spec] = result
        finally:
            await recruiter.close()
    if args.json:
        args.json.write_text(json.dumps(raw))
    return runs


def main() -> None:
    args = _parse()
    print(f"start: {_load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="weaklink-") as tmp:
        clip = write_clip(Path(tmp) / "camera.y4m") if args.camera == "busy" else None
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
