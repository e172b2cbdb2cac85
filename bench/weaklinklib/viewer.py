"""A worker watching a booth in headless Chromium; prints what the browser's WebRTC stats saw.

    python bench/weaklinklib/viewer.py --signin URL --booth PATH [--seconds N] ...

Run directly on the host (baseline) or by bench/weaklink.py inside `weaklink` (the weak link). It
is self-contained on purpose: inside the namespace only this file and Chromium run. Phases: open
the booth page, wait for the first decoded frame, wait (up to --switch-timeout) for the server
to move it to the low layer, play --seconds from then, tick "#audio-only" and wait until
video bytes stop growing, listen --audio-only-seconds, untick and wait for a new video frame. The
page is sampled in the page itself every 200 ms (performance.now() counts from the booth page's
navigation start, so "page open" is t=0); the last stdout line is `VIEWER {json}` with the raw
samples and the phase marks, analysed by weaklinklib/analysis.py on the host.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from playwright.async_api import Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

CHROMIUM = os.environ.get("JOBFAIR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
SAMPLE_MS = 200

# Starts a sampler in the page: every SAMPLE_MS, the inbound video and audio stats of the
# viewer's current connection, the stream state line, the level the server has put it on
# (`stream.level`: high, low, audio, text), whether the weak-link notice shows, and when video
# bytes last grew.
SAMPLER = """async (every) => {
  const { viewer } = await import("/static/js/booth.js");
  const samples = (window.__weaklink = []);
  const state = document.getElementById("stream-state");
  const keep = (s) =>
    Object.fromEntries(Object.entries(s).filter(([, v]) => typeof v !== "object"));
  const notice = ".link-notice:not([hidden])";
  let videoBytes = 0, videoChanged = 0;
  const sample = async () => {
    const row = { t: performance.now(), state: state.dataset.kind, text: state.textContent,
                  level: viewer.level, notice: Boolean(document.querySelector(notice)) };
    const pc = viewer.pc;
    if (pc) {
      row.pc = pc.connectionState;
      (await pc.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp") row[s.kind] = keep(s);
        if (s.type === "candidate-pair" && s.nominated) row.pair = keep(s);
      });
    }
    const bytes = row.video?.bytesReceived || 0;
    if (bytes !== videoBytes) [videoBytes, videoChanged] = [bytes, row.t];
    row.videoChanged = videoChanged;  // when video bytes last grew
    samples.push(row);
  };
  setInterval(sample, every);
  await sample();
}"""
READ = "(from) => window.__weaklink.slice(from)"
NOW = "() => performance.now()"
# Video bytes have not grown for 2 s, since a time after `since`.
VIDEO_STOPPED = """(since) => {
  const s = window.__weaklink.at(-1);
  return s.videoChanged > 0 && s.t - s.videoChanged >= 2000 && s.t - since >= 2000;
}"""
DECODED = """() => { const s = window.__weaklink.at(-1); return s?.video?.framesDecoded || 0; }"""


async def wait_until(page: Page, test: str, timeout_s: float, arg: Any = None) -> bool:
    try:
        await page.wait_for_function(test, arg=arg, timeout=timeout_s * 1000, polling=SAMPLE_MS)
        return True
    except PlaywrightTimeout:
        return False


async def watch(args: argparse.Namespace) -> dict[str, Any]:
    link = urlsplit(args.signin)._replace(netloc=f"{args.host}:{urlsplit(args.signin).port}")
    signin, origin = urlunsplit(link), f"{link.scheme}://{link.netloc}"
    flags = [*ARGS, f"--unsafely-treat-insecure-origin-as-secure={origin}"]
    marks: dict[str, float | None] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=flags, headless=True)
        context = await browser.new_context(viewport={"width": 412, "height": 915})
        page = await context.new_page()
        page.set_default_timeout(args.load_timeout * 1000)
        await page.goto(signin)
        await page.goto(origin + args.booth, wait_until="domcontentloaded")
        await page.evaluate(SAMPLER, SAMPLE_MS)
        decoding = "() => (window.__weaklink.at(-1)?.video?.framesDecoded || 0) > 0"
        await wait_until(page, decoding, args.first_frame_timeout)
        # the window starts when the server moves the viewer to the small layer, if it does
        moved = '() => window.__weaklink.at(-1)?.level === "low"'
        if await wait_until(page, moved, args.switch_timeout):
            marks["switched"] = await page.evaluate(NOW)
        marks["window_start"] = await page.evaluate(NOW)
        await page.wait_for_timeout(args.seconds * 1000)
        marks["window_end"] = marks["audio_only_on"] = on = await page.evaluate(NOW)
        await page.check("#audio-only")
        # the server stops sending video at once, but retransmissions asked for before can go on
        if await wait_until(page, VIDEO_STOPPED, args.video_stop_timeout, on):
            last = (await page.evaluate(READ, -1))[0]
            marks["video_stopped"] = max(last["videoChanged"], on)
        else:
            marks["video_stopped"] = None
        marks["audio_only_start"] = await page.evaluate(NOW)
        await page.wait_for_timeout(args.audio_only_seconds * 1000)
        marks["audio_only_end"] = await page.evaluate(NOW)
        before = await page.evaluate(DECODED)
        await page.uncheck("#audio-only")
        marks["video_back_on"] = await page.evaluate(NOW)
        resumed = f"() => (window.__weaklink.at(-1)?.video?.framesDecoded || 0) > {before}"
        back = await wait_until(page, resumed, args.video_back_timeout)
        marks["video_back"] = await page.evaluate(NOW) if back else None
        samples = await page.evaluate(READ, 0)
        await browser.close()
    return {"marks": marks, "samples": samples}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--signin", required=True, help="the worker's sign-in link")
    p.add_argument("--booth", required=True, help="path of the booth page")
    p.add_argument(
        "--host",
        default=os.environ.get("WEAKLINK_HOST", "127.0.0.1"),
        help="the server's address as seen from here (default: $WEAKLINK_HOST, else 127.0.0.1)",
    )
    p.add_argument("--seconds", type=float, default=30.0, help="playback window")
    p.add_argument("--first-frame-timeout", type=float, default=30.0)
    p.add_argument("--switch-timeout", type=float, default=15.0, help="wait for the low layer")
    p.add_argument("--video-stop-timeout", type=float, default=30.0, help="after audio only")
    p.add_argument("--audio-only-seconds", type=float, default=10.0)
    p.add_argument("--video-back-timeout", type=float, default=20.0)
    p.add_argument("--load-timeout", type=float, default=90.0, help="page loads, clicks")
    args = p.parse_args()
    result = asyncio.run(watch(args))
    sys.stdout.write("VIEWER " + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
