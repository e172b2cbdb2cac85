"""A weak link to a headless Chromium: `../shared/tools/weaklink` makes a network namespace behind
a token bucket with random loss, and the test's Playwright launches Chromium inside it (`ip netns
exec` as its executable). Playwright talks to it over a pipe, so only the pages' traffic crosses
the link: over DevTools through the link, Playwright's own ~100 KB bursts (its scripts, sent as a
page first needs them) filled a 400 kbit/s link for 2 s and pushed the phone from the small
layer to audio only. The downstream rate can be changed while it runs (the tool's token bucket
on the host side of its veth pair), to make the link weaker or let it recover."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserType, Page

from tests.browser.conftest import ARGS, CHROMIUM
from tests.procs import ROOT

# next to the repository (../shared/tools/weaklink); a checkout elsewhere (CI's) finds the
# workplace's copy
_PLACES = (ROOT.parent / "shared" / "tools" / "weaklink", Path("/work/shared/tools/weaklink"))
TOOL = Path(
    os.environ.get("JOBFAIR_WEAKLINK", next((p for p in _PLACES if p.exists()), _PLACES[0]))
)
HOST = re.compile(r"host is (\d+\.\d+\.\d+\.\d+)")


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
    the tool's stdin (its command inside ends, and its trap removes the namespace)."""

    def __init__(self, origin: str, down: str, up: str, loss: str) -> None:
        self.origin = origin
        self.args = ["--down", down, "--up", up, "--loss", loss]
        self.proc: subprocess.Popen[str] | None = None
        self.host = ""  # the jobfair node's address as the namespace sees it
        self.browser: Browser | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="weaklink-")

    def url(self, url: str) -> str:
        """`url` (on 127.0.0.1) as the browser inside the link reaches it."""
        parts = urlsplit(url)
        return parts._replace(netloc=f"{self.host}:{parts.port}").geturl()

    async def start(self, chromium: BrowserType) -> Browser:
        namespace = self._spawn()
        inside = Path(self._dir.name) / "chromium"
        inside.write_text(f'#!/bin/sh\nexec ip netns exec {namespace} {CHROMIUM} "$@"\n')
        inside.chmod(0o755)
        origin = f"http://{self.host}:{urlsplit(self.origin).port}"  # pages need its camera
        self.browser = await chromium.launch(
            executable_path=str(inside),
            args=[*ARGS, f"--unsafely-treat-insecure-origin-as-secure={origin}"],
            headless=True,
        )
        return self.browser

    def _spawn(self) -> str:
        """Start the tool, holding its namespace open with `cat` (until its stdin closes); the
        namespace's name, once it is up."""
        self.proc = subprocess.Popen(
            [str(TOOL), *self.args, "--", "cat"], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()  # the tool's last word before its command runs
        found = HOST.search(line)
        if not found:
            self.stop()
            raise RuntimeError(f"weaklink did not start: {line.strip()}")
        self.host = found[1]
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()  # never a full pipe
        return f"weaklink{self.proc.pid}"  # the tool names it after its own PID

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
        self._dir.cleanup()
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        self.proc = None
