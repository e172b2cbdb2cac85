"""deploy/install --root: writes every file, a second run changes nothing, a bad setting stops it
with one line naming the setting; the script is shellcheck clean."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import stack_env
from tests.deploy.stack import INSTALL, TestCA, install, read_env


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every path under root with its mode, mtime and content (or link target)."""
    found = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        body = (
            os.readlink(path).encode()
            if path.is_symlink()
            else (path.read_bytes() if path.is_file() else b"")
        )
        found[str(path.relative_to(root))] = (st.st_mode, st.st_mtime_ns, body)
    return found


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return TestCA.make(tmp_path_factory.mktemp("ca"))


def test_the_install_script_is_shellcheck_clean() -> None:
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing: run scripts/test, which installs it"
    done = subprocess.run([shellcheck, str(INSTALL)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_a_second_install_changes_nothing(tmp_path: Path, ca: TestCA) -> None:
    root = tmp_path / "root"
    first = install(root, stack_env(ca))  # the env file is kept beside root
    assert first.returncode == 0, first.stderr
    written = snapshot(root)
    for path in (
        "etc/systemd/system/jobfair@.service",
        "etc/systemd/system/jobfair.target",
        "etc/nginx/sites-enabled/jobfair",
        "etc/nginx/modules-enabled/60-jobfair-stream.conf",
        "etc/turnserver.conf",
        "etc/jobfair/node.env",
        "opt/jobfair/static/js/stream.js",
    ):
        assert path in written, path
    assert oct(written["etc/jobfair/node.env"][0])[-3:] == "640"  # it holds secrets

    second = install(root, read_env(root.parent, f"{root.name}.env"))
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().splitlines() == ["deploy/install: nothing changed"]
    assert snapshot(root) == written


def test_a_self_signed_lan_install_makes_its_certificate_once(tmp_path: Path, ca: TestCA) -> None:
    env = stack_env(ca) | {"TLS_CERT": "self-signed", "TLS_KEY": ""}
    assert install(tmp_path / "root", env).returncode == 0
    cert = tmp_path / "root/etc/jobfair/tls/self-signed.pem"
    made = cert.read_bytes()
    assert install(tmp_path / "root", env).stdout.strip().endswith("nothing changed")
    assert cert.read_bytes() == made
    assert (
        "ssl_certificate /etc/jobfair/tls/self-signed.pem;"
        in (tmp_path / "root/etc/nginx/sites-available/jobfair").read_text()
    )


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ({"TLS_CERT": "/nonexistent/cert.pem"}, "TLS_CERT: cannot read /nonexistent/cert.pem"),
        ({"PUBLIC_IP": "203.0.113.300"}, "PUBLIC_IP: '203.0.113.300' is not an IPv4 address"),
        ({"TURN_SECRET": "short"}, "TURN_SECRET: use 16 or more"),
        ({"NODES": "many"}, "NODES: 'many' is not auto or a number"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT: 'xml' is not text or json"),
    ],
    ids=["missing-certificate", "public-ip", "turn-secret", "nodes", "log-format"],
)  # fmt: skip
def test_a_bad_setting_stops_the_install_with_one_line(
    tmp_path: Path, ca: TestCA, change: dict[str, str], line: str
) -> None:
    done = install(tmp_path / "root", stack_env(ca) | change)
    assert done.returncode == 1
    assert done.stderr.strip() == f"deploy/install: {line}" or done.stderr.strip().startswith(
        f"deploy/install: {line}"
    )
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "root/etc/nginx").exists()  # stopped before writing the stack
