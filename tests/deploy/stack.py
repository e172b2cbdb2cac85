"""The production stack of deploy/, on loopback: `deploy/install --root` writes the configs, and
Debian's nginx and coturn run them directly (no systemd here), on free high ports, ended by PID.

Paths in the written configs are the target machine's (/etc/..., /opt/jobfair/...): `relocated`
points them into the test's root instead.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from aioice.ice import get_host_addresses
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.procs import ROOT

INSTALL = ROOT / "deploy" / "install"
RELOCATED = ("/opt/jobfair", "/etc/jobfair", "/etc/coturn", "/var/log/nginx")
NGINX_MODULES = Path("/usr/lib/nginx/modules")


def require(binary: str) -> str:
    """Debian's nginx and coturn are installed by scripts/test: a missing one fails, never skips."""
    path = shutil.which(binary) or (
        f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None
    )
    if path is None:
        raise AssertionError(f"{binary} is missing: run scripts/test, which installs it")
    return path


def host_address() -> str:
    """This machine's first non-loopback IPv4 address: where aiortc's candidates are (aioice
    leaves 127.0.0.1 out) and so where coturn must relay to."""
    return get_host_addresses(use_ipv4=True, use_ipv6=False)[0]


@dataclass(frozen=True)
class TestCA:
    """A certificate authority made for one test run, and a server certificate it signed for
    127.0.0.1 (the site) and localhost (TURN over TLS, routed by that name)."""

    __test__ = False
    ca: Path
    cert: Path
    key: Path

    @classmethod
    def make(cls, directory: Path) -> TestCA:
        directory.mkdir(parents=True, exist_ok=True)
        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jobfair test CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        names = [
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.DNSName("localhost"),
        ]
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        made = cls(directory / "ca.pem", directory / "server.pem", directory / "server.key")
        made.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        made.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        made.key.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return made


def install(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`deploy/install --root root` with an env file holding `env`."""
    env_file = root.parent / f"{root.name}.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    return subprocess.run(
        ["bash", str(INSTALL), "--root", str(root), str(env_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def relocated(root: Path, path: str) -> str:
    text = (root / path.lstrip("/")).read_text()
    for directory in RELOCATED:
        text = text.replace(directory, f"{root}{directory}")
    return text


def read_env(root: Path, path: str) -> dict[str, str]:
    lines = (root / path.lstrip("/")).read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port}")


class Daemon:
    """A process started from a generated config and ended by its PID."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        if self.proc is None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None


class Nginx(Daemon):
    """nginx in the foreground with the site and stream router that deploy/install wrote."""

    def __init__(self, root: Path, https_port: int) -> None:
        super().__init__()
        self.root, self.https_port = root, https_port
        self.error_log = root / "nginx-error.log"

    def start(self) -> Nginx:
        conf_dir = self.root / "nginx-test"
        (self.root / "var/log/nginx").mkdir(parents=True, exist_ok=True)
        conf_dir.mkdir(exist_ok=True)
        site = conf_dir / "site.conf"
        site.write_text(relocated(self.root, "/etc/nginx/sites-available/jobfair"))
        stream = conf_dir / "stream.conf"
        stream.write_text(relocated(self.root, "/etc/nginx/modules-enabled/60-jobfair-stream.conf"))
        temp = self.root / "nginx-temp"
        temp.mkdir(exist_ok=True)
        main = conf_dir / "nginx.conf"
        main.write_text(
            f"""
user root;
daemon off;
worker_processes 1;
pid {conf_dir}/nginx.pid;
error_log {self.error_log} info;
load_module {NGINX_MODULES}/ngx_stream_module.so;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
include {stream};
"""
        )
        test = subprocess.run(
            [require("nginx"), "-t", "-q", "-c", str(main), "-e", str(self.error_log)],
            capture_output=True,
            text=True,
        )
        assert test.returncode == 0, test.stderr
        with (self.root / "nginx.out").open("ab") as out:
            self.proc = subprocess.Popen(
                [require("nginx"), "-c", str(main), "-e", str(self.error_log)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_port(self.https_port, self.proc, "nginx", self.error_log)
        return self

    @property
    def access_log(self) -> Path:
        return self.root / "var/log/nginx/jobfair.access.log"


class Coturn(Daemon):
    """Debian's turnserver with the turnserver.conf that deploy/install wrote."""

    def __init__(self, root: Path, port: int) -> None:
        super().__init__()
        self.root, self.port = root, port
        self.log = root / "turnserver.log"

    def start(self) -> Coturn:
        conf = self.root / "turnserver-test.conf"
        conf.write_text(relocated(self.root, "/etc/turnserver.conf"))
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    require("turnserver"),
                    "-c", str(conf),
                    "--pidfile", str(self.root / "turnserver.pid"),
                    "--userdb", str(self.root / "turndb"),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        _wait_port(self.port, self.proc, "turnserver", self.log)
        return self
