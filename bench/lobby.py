"""The lobby's first render with 140 booths and 1,000 postings (issue 13: under 1 s on loopback).

    python bench/lobby.py [--runs 5] [--cpu-throttle 1]

Starts `jobfair serve --demo --demo-size large` (embedded Redis) in a temporary data dir, signs the
demo worker in, then opens the lobby `--runs` times in headless Chromium, each in a fresh browser
context (nothing cached, as a first visit). From the page's own marks: navigation to the HTML
received, DOMContentLoaded, the fair's state received over the websocket (`lobby-state`), the
list painted (`lobby-list-painted`: the first screenful, one frame after the first render) and
every card in (`lobby-list-complete`); DOM nodes per booth card. Prints a table and ends
with `RESULT booths=140 jobs=1000 first_render_ms=X` (the median). Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, async_playwright

LINK = re.compile(r"^\s*sign in as (?P<label>.+?): (?P<url>\S+)$")
MARKS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
  return { html: nav.responseEnd, dom: nav.domContentLoadedEventEnd, state: at("lobby-state"),
           painted: at("lobby-list-painted"), complete: at("lobby-list-complete"),
           per_card: document.getElementById("booths").getElementsByTagName("*").length
             / document.querySelectorAll("#booths article.booth").length };
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(data_dir: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    """The demo server, and its worker's sign-in link (read from what it prints)."""
    jobfair = Path(sys.executable).with_name("jobfair")
    cmd = [str(jobfair), "serve", "--demo", "--demo-size", "large", "--port", str(port)]
    cmd += ["--data-dir", str(data_dir)]
    log = (data_dir.parent / "server.log").open("w")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    for line in proc.stdout:
        match = LINK.match(line)
        if match and match["label"].startswith("worker "):
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return proc, match["url"]
        if time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGTERM)
    raise RuntimeError("the demo printed no worker sign-in link")


async def one_run(browser: Browser, link: str, throttle: float) -> dict[str, Any]:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await page.goto(link)  # sign in: the session cookie; lands in the lobby
    lobby = page.url
    fresh = await browser.new_context(
        viewport={"width": 1280, "height": 800}, storage_state=await context.storage_state()
    )
    await context.close()
    page = await fresh.new_page()
    if throttle > 1:
        cdp = await fresh.new_cdp_session(page)
        await cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    await page.goto(lobby)
    await page.wait_for_function("() => performance.getEntriesByName('lobby-list-complete').length")
    marks: dict[str, Any] = await page.evaluate(MARKS)
    await fresh.close()
    return marks


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'run':>3} {'html ms':>8} {'DOM ms':>8} {'state ms':>9} {'painted ms':>11} "
        f"{'all ms':>7} {'nodes/card':>11}"
    )
    lines = [head]
    for i, r in enumerate(rows, 1):
        lines.append(
            f"{i:>3} {r['html']:>8.0f} {r['dom']:>8.0f} {r['state'] or 0:>9.0f} "
            f"{r['painted']:>11.0f} {r['complete']:>7.0f} {r['per_card']:>11.0f}"
        )
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cpu-throttle", type=float, default=1.0, help="e.g. 4: a slow phone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-lobby-") as tmp:
        proc, link = start(Path(tmp) / "data", free_port())
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path="/usr/bin/chromium")
                await one_run(browser, link, 1)  # warm the server (templates, scripts read once)
                rows = [await one_run(browser, link, args.cpu_throttle) for _ in range(args.runs)]
                await browser.close()
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    print(table(rows))
    median = statistics.median(r["painted"] for r in rows)
    print(f"RESULT booths=140 jobs=1000 first_render_ms={median:.0f}")


if __name__ == "__main__":
    asyncio.run(main())
