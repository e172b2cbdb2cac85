"""`jobfair serve --tls-cert --tls-key` serves HTTPS (browsers give the camera only to a secure
origin), and its printed sign-in links and cookies are for https."""

from __future__ import annotations

import datetime
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.procs import Node, RedisProcess


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_the_server_speaks_https_with_secure_cookies(
    redis_server: RedisProcess, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    node = Node(tmp_path / "node", redis_server.url)
    node.start("--tls-cert", str(cert), "--tls-key", str(key))
    try:
        link = node.signin_links()["moderator (all fairs)"]
        assert link.startswith(f"https://127.0.0.1:{node.port}/signin?t=")
        async with httpx.AsyncClient(verify=False) as client:
            signed_in = await client.get(link)
        assert signed_in.status_code == 303
        assert "secure" in signed_in.headers["set-cookie"].lower()
    finally:
        node.stop()
