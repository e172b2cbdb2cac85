"""Run inside the weak link's network namespace: a headless Chromium the test drives from the host.

    python -m tests.weaklink.browser_host --port PORT --node-port NODE_PORT

Chromium binds its DevTools port to the namespace's loopback only, so this forwards PORT on every
address of the namespace to it; the test connects with Playwright's `connect_over_cdp` through
the weak link (the little DevTools traffic shares the link, as a phone's other apps would). Prints
`READY <address> <port>` once Chromium listens; ends Chromium, by its PID, when stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile

from tests.browser.conftest import ARGS, CHROMIUM

# What Playwright passes to a browser it launches itself: without these, a page whose window
# Chromium takes for hidden gets no animation frames, and Playwright's clicks wait for them.
UNTHROTTLED = [
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


async def _forward(
    to_port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        inner_reader, inner_writer = await asyncio.open_connection("127.0.0.1", to_port)
    except OSError:
        writer.close()
        return
    await asyncio.gather(_pipe(reader, inner_writer), _pipe(inner_reader, writer))


async def _listening(port: int, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.2)


def _own_address() -> str:
    """This namespace's address on the link (the route to the host goes through it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect((os.environ["WEAKLINK_HOST"], 9))
        return str(s.getsockname()[0])


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--node-port", type=int, required=True, help="the jobfair node's, on the host")
    args = p.parse_args()
    origin = f"http://{os.environ['WEAKLINK_HOST']}:{args.node_port}"  # pages need its camera
    inner = args.port + 1
    with tempfile.TemporaryDirectory(prefix="weaklink-chromium-") as profile:
        flags = [*ARGS, *UNTHROTTLED, "--headless", f"--remote-debugging-port={inner}"]
        flags += [f"--user-data-dir={profile}", "--window-size=360,800"]
        flags += [f"--unsafely-treat-insecure-origin-as-secure={origin}", "about:blank"]
        chromium = await asyncio.create_subprocess_exec(
            CHROMIUM, *flags, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            await _listening(inner)
            server = await asyncio.start_server(
                lambda r, w: _forward(inner, r, w), "0.0.0.0", args.port
            )
            print(f"READY {_own_address()} {args.port}", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF
            server.close()
        finally:
            chromium.terminate()
            try:
                await asyncio.wait_for(chromium.wait(), 10)
            except TimeoutError:
                chromium.kill()
                await chromium.wait()


if __name__ == "__main__":
    asyncio.run(main())
