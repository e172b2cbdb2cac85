"""Uploaded files: recognised by their content (magic bytes), never by name or declared type, and
stored under the data dir, outside anything served statically. A record (a booth's logo, a
dossier's CV) owns one file: replacing it deletes the old one (`replace`)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from rooms.dossiers import CvKind
from rooms.errors import DomainError
from server.errors import TooLarge, UnsupportedMedia

IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
DOCUMENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}

T = TypeVar("T")


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
    try:
        tmp.write_bytes(data)
        os.replace(tmp, directory / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return name


async def replace(
    directory: Path,
    data: bytes,
    kind: str,
    max_bytes: int,
    attach: Callable[[str], Awaitable[tuple[T, str]]],
) -> T:
    """Store `data`, then `attach(name)` records it and returns (its result, the file name it
    replaced or ''). The replaced file is deleted once the record changed, the new one if the
    record refused it, so that uploading again and again leaves no file nothing points to.

    Any other failure (Redis unreachable, a timeout) keeps the new file: the change may still
    have been applied, and a record pointing to a missing file is worse than a spare file."""
    name = store(directory, data, kind, max_bytes)
    try:
        result, replaced = await attach(name)
    except DomainError:
        (directory / name).unlink(missing_ok=True)
        raise
    if _ours(replaced):
        (directory / replaced).unlink(missing_ok=True)
    return result


def safe_path(directory: Path, name: str, kinds: dict[str, str]) -> Path | None:
    """The stored file called `name`, or None: names are ours, so anything else is refused."""
    if not _ours(name) or name.partition(".")[2] not in kinds:
        return None
    path = directory / name
    return path if path.is_file() else None


def _ours(name: str) -> bool:
    """A name `store` could have made: a random stem and a kind, nothing that leaves the dir."""
    stem, _, kind = name.partition(".")
    return bool(stem) and kind.isalnum() and stem.replace("-", "").replace("_", "").isalnum()
