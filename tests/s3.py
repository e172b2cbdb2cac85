"""moto's S3 in server mode on a free loopback port: no S3 server can be installed here, so the
s3:// upload store is tested against it (docs/storage.md). Ended by PID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.procs import _wait, free_port

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class MotoS3:
    def __init__(self, directory: Path, bucket: str = "jobfair-test") -> None:
        self.directory = directory
        self.bucket = bucket
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, prefix: str = "uploads") -> dict[str, str]:
        """What a node needs to keep its uploads in this bucket."""
        return {
            **CREDENTIALS,
            "AWS_ENDPOINT_URL": self.endpoint,
            "JOBFAIR_UPLOADS": f"s3://{self.bucket}/{prefix}",
        }

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / "moto.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait(lambda: httpx.get(self.endpoint).status_code == 200, 20, "moto", self.proc)
        httpx.put(f"{self.endpoint}/{self.bucket}").raise_for_status()

    def stop(self) -> None:
        if self.proc is None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=10)
        self.proc = None
