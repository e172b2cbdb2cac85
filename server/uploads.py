"""Uploaded files: recognised by their content (magic bytes), never by name or declared type, and
stored under the data dir, outside anything served statically."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from rooms.dossiers import CvKind
from server.errors import TooLarge, UnsupportedMedia

IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
DOCUMENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def sniff_image(data: bytes) -> str:
    """The image kind of `data`: png, jpg or webp; anything else is refused."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    raise UnsupportedMedia("the file is not a PNG, JPEG or WebP image")


def sniff_document(data: bytes) -> CvKind:
    """The kind of a CV: a PDF (header and end-of-file marker), a PNG or a JPEG."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    raise UnsupportedMedia("a CV must be a PDF, JPG or PNG file")


def store(directory: Path, data: bytes, kind: str, max_bytes: int) -> str:
    """Write `data` under a fresh random name; returns the name."""
    if len(data) > max_bytes:
        raise TooLarge(f"the file is over {max_bytes // 1024} KiB")
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(12)}.{kind}"
    tmp = directory / f".{name}.part"
    tmp.write_bytes(data)
    os.replace(tmp, directory / name)
    return name


def safe_path(directory: Path, name: str, kinds: dict[str, str]) -> Path | None:
    """The stored file called `name`, or None: names are ours, so anything else is refused."""
    stem, _, kind = name.partition(".")
    if not stem or kind not in kinds or not stem.replace("-", "").replace("_", "").isalnum():
        return None
    path = directory / name
    return path if path.is_file() else None
