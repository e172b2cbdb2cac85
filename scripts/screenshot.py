"""Take the README's screenshots: a demo fair served fresh, seen by its test worker in Chromium.

Usage: .venv/bin/python scripts/screenshot.py [--out docs]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def shoot(links: dict[str, str], base: str, out: Path) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1100, "height": 900}, locale="vi-VN")
        worker = next(link for label, link in links.items() if label.startswith("worker"))
        await page.goto(worker)
        await page.wait_for_selector("#booths article.booth")
        await page.wait_for_timeout(300)
        await page.screenshot(path=out / "lobby.png")
        await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        log = Path(data) / "serve.log"
        with log.open("wb") as f:
            proc = subprocess.Popen(
                [sys.executable, "-m", "server", "serve", "--demo", "--port", str(port),
                 "--data-dir", data],
                stdout=f, stderr=subprocess.STDOUT, env={**os.environ, "REDIS_URL": ""},
            )  # fmt: skip
        try:
            deadline = time.monotonic() + 20
            while "Uvicorn running" not in log.read_text():
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit(log.read_text())
                time.sleep(0.1)
            links = dict(re.findall(r"sign in as (.+?): (http\S+)", log.read_text()))
            asyncio.run(shoot(links, f"http://127.0.0.1:{port}", args.out))
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
    print(f"wrote {args.out / 'lobby.png'}")


if __name__ == "__main__":
    main()
