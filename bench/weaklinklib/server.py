"""`jobfair serve --demo` as a child process, and the sign-in links it prints."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

LINK = re.compile(r"^\s*sign in as (?P<label>.+?): (?P<url>\S+)$")
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return int(s.getsockname()[1])


def at_host(url: str, host: str) -> str:
    """The same link with its host replaced (the viewer in the namespace reaches us elsewhere)."""
    parts = urlsplit(url)
    return parts._replace(netloc=f"{host}:{parts.port}").geturl()


@dataclass
class Links:
    recruiter: str  # of the demo fair's first booth (listed first)
    worker: str


class DemoServer:
    """Started with `start()`, ended by its PID with `stop()`; its log goes to `log_path`."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir, self.port = data_dir, port
        self.log_path = data_dir / "server.log"
        self.proc: subprocess.Popen[str] | None = None
        self.links: Links | None = None

    def start(self) -> Links:
        jobfair = Path(sys.executable).with_name("jobfair")
        cmd = [str(jobfair), "serve", "--demo", "--host", "0.0.0.0", "--port", str(self.port)]
        cmd += ["--data-dir", str(self.data_dir / "data")]
        log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True
        )
        links: list[tuple[str, str]] = []
        deadline = time.monotonic() + START_TIMEOUT
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            match = LINK.match(line)
            if match:
                links.append((match["label"], match["url"]))
            elif links and not line.strip():
                break  # the blank line after the links
            if time.monotonic() > deadline:
                break
        recruiters = [url for label, url in links if label.startswith("recruiter ")]
        workers = [url for label, url in links if label.startswith("worker ")]
        if not recruiters or not workers:
            self.stop()
            raise RuntimeError(f"no demo sign-in links printed; see {self.log_path}")
        # keep reading, so that a full pipe never blocks the server
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        self._wait_listening(deadline)
        self.links = Links(recruiter=recruiters[0], worker=workers[0])
        return self.links

    def _wait_listening(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the server did not listen on port {self.port}; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
