"""The VAPID key that signs our Web Push requests (RFC 8292): read, checked and made here, so
that a bad key stops the start with one line instead of failing on the first call."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from py_vapid import Vapid, Vapid01

from server.errors import ConfigError


def new_vapid_key() -> str:
    """A fresh P-256 private key, PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    return pem.decode()


def load_vapid(raw: str) -> Vapid01:
    """The key as pywebpush signs with it: PEM, or the raw key (or DER) in base64url."""
    try:
        text = raw.strip()
        vapid: Vapid01 = (
            Vapid.from_pem(text.encode())
            if text.startswith("-----")
            else Vapid.from_string(private_key=text)
        )
        ok = isinstance(vapid.private_key, ec.EllipticCurvePrivateKey)
        ok = ok and isinstance(vapid.private_key.curve, ec.SECP256R1)
    except Exception:  # py_vapid raises whatever its parsers raise
        ok = False
    if not ok:
        raise ConfigError("JOBFAIR_VAPID_PRIVATE_KEY: not a P-256 private key (PEM or base64url)")
    return vapid


def public_key(vapid: Vapid01) -> str:
    """The applicationServerKey a page subscribes with: the uncompressed point, base64url."""
    point = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()
