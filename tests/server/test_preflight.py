"""A bad setting stops `jobfair serve` at start with one line naming it, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.procs import ROOT, SECRET, free_port


def serve(tmp_path: Path, *args: str, **env: str) -> str:
    """The last line `jobfair serve` writes before it exits 1."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "server",
            "serve",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path),
            *args,
        ],
        env={"PATH": os.environ["PATH"], "JOBFAIR_SECRET": SECRET, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"JOBFAIR_RTC_PUBLIC_IP": "fair.vn"}, "JOBFAIR_RTC_PUBLIC_IP: 'fair.vn' is not an IP"),
        ({"JOBFAIR_RTC_PORTS": "40000-"}, "JOBFAIR_RTC_PORTS: '40000-' is not a range"),
        ({"JOBFAIR_TURN_SECRET": "s3cret-s3cret"}, "JOBFAIR_TURN_URLS: needed with JOBFAIR_TURN"),
    ],
    ids=["public-ip", "ports", "turn-urls"],
)  # fmt: skip
def test_a_malformed_setting_is_named(tmp_path: Path, env: dict[str, str], line: str) -> None:
    assert serve(tmp_path, **env).startswith(f"jobfair: {line}")


def test_an_unreachable_redis_is_named_without_its_password(tmp_path: Path) -> None:
    url = f"redis://:hunter2-password@127.0.0.1:{free_port()}/0"
    line = serve(tmp_path, REDIS_URL=url)
    assert line.startswith("jobfair: REDIS_URL: cannot reach redis://:***@127.0.0.1:")
    assert "hunter2" not in line


def test_a_missing_certificate_is_named(tmp_path: Path) -> None:
    line = serve(
        tmp_path, "--tls-cert", str(tmp_path / "no.pem"), "--tls-key", str(tmp_path / "no.key")
    )
    assert line.startswith("jobfair: --tls-cert/--tls-key: cannot load")
