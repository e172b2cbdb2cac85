"""A weak link to a headless Chromium: `../shared/tools/weaklink` runs browser_host.py (here)
in a network namespace behind a token bucket with random loss, and the test drives that Chromium
over DevTools from the host. The link's downstream rate can be changed while it runs (the tool's
token bucket on the host side of its veth pair), to make it weaker or let it recover."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserType, Page

from tests.procs import ROOT

# next to the repository (../shared/tools/weaklink); a checkout elsewhere (CI's) finds the
# workplace's copy
_PLACES = (ROOT.parent / "shared" / "tools" / "weaklink", Path("/work/shared/tools/weaklink"))
TOOL = Path(
    os.environ.get("JOBFAIR_WEAKLINK", next((p for p in _PLACES if p.exists()), _PLACES[0]))
)
HOST = re.compile(r"host is (\d+\.\d+\.\d+\.\d+)")
START_TIMEOUT = 60.0


def problem() -> str | None:
    """Why the weak link cannot be made here, or None."""
    if not TOOL.exists():
        return f"the weak-link tool is not at {TOOL} (set JOBFAIR_WEAKLINK)"
    if os.geteuid() != 0:
        return "the weak-link tool needs root (network namespaces, tc, nft)"
    missing = [tool for tool in ("ip", "tc", "nft") if shutil.which(tool) is None]
    if missing:
        return f"the weak-link tool needs {', '.join(missing)}: apt-get install iproute2 nftables"
    return None


class WeakLink:
    """`start()` → `browser` (a Playwright Browser inside the link); `stop()` ends it by closing
    the browser host's stdin (weaklink's trap then removes the namespace)."""

    def __init__(self, origin: str, down: str, up: str, loss: str, port: int = 9300) -> None:
        self.origin, self.port = origin, port
        self.args = ["--down", down, "--up", up, "--loss", loss]
        self.up = up
        self.proc: subprocess.Popen[str] | None = None
        self.host = ""  # the jobfair node's address as the namespace sees it
        self.browser: Browser | None = None

    def url(self, url: str) -> str:
        """`url` (on 127.0.0.1) as the browser inside the link reaches it."""
        parts = urlsplit(url)
        return parts._replace(netloc=f"{self.host}:{parts.port}").geturl()

    async def start(self, chromium: BrowserType) -> Browser:
        address, cdp_port = self._spawn()
        self.browser = await chromium.connect_over_cdp(f"http://{address}:{cdp_port}")
        return self.browser

    def _spawn(self) -> tuple[str, str]:
        """Start the tool and the browser inside; its address and DevTools port (blocks until
        they are up, a few seconds)."""
        cmd = [str(TOOL), *self.args, "--", sys.executable, "-m", "tests.weaklink.browser_host"]
        cmd += ["--port", str(self.port), "--node-port", str(urlsplit(self.origin).port)]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None and self.proc.stderr is not None
        deadline = time.monotonic() + START_TIMEOUT
        line = self.proc.stderr.readline()
        found = HOST.search(line)
        if not found:
            self.stop()
            raise RuntimeError(f"weaklink did not start: {line.strip()}")
        self.host = found[1]
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()  # never a full pipe
        ready = self.proc.stdout.readline().split()
        if not ready or ready[0] != "READY" or time.monotonic() > deadline:
            self.stop()
            raise RuntimeError(f"the browser inside the link did not start: {ready}")
        return ready[1], ready[2]

    async def close(self) -> None:
        if self.browser is not None:
            await self.browser.close()
            self.browser = None
        self.stop()

    async def page(self, signin: str, path: str) -> Page:
        """A phone-sized page inside the link, signed in through `signin` (a link on 127.0.0.1)."""
        assert self.browser is not None
        context = await self.browser.new_context(
            viewport={"width": 360, "height": 780}, locale="vi-VN"
        )
        page = await context.new_page()
        page.on("console", lambda m: print(f"[weak console {m.type}] {m.text}"))
        page.set_default_timeout(60_000)  # page loads share the weak link
        await page.goto(self.url(signin))
        await page.goto(f"http://{self.host}:{urlsplit(signin).port}{path}")
        return page

    def set_down(self, rate: str) -> None:
        """Change the server → browser rate now (the loss stays)."""
        device = self._device()
        subprocess.run(
            ["tc", "qdisc", "change", "dev", device, "root", "tbf", "rate", rate,
             "burst", "16kbit", "latency", "400ms"],
            check=True,
        )  # fmt: skip

    def _device(self) -> str:
        """The host side of the tool's veth pair: the interface holding the host address."""
        out = subprocess.run(
            ["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True, check=True
        ).stdout
        for line in out.splitlines():
            fields = line.split()
            if f"{self.host}/" in line:
                return fields[1].split("@")[0]
        raise RuntimeError(f"no interface holds {self.host}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # the tool's trap cannot run: its namespace may stay behind
            self.proc.wait()
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        self.proc = None
