"""Uploaded files: recognised by their content (magic bytes), never by name or declared type, and
kept in the upload store that every node reads (server/upload_store.py), never served
statically. A record (a booth's logo, a dossier's CV) owns one file: replacing it deletes the old
one (`replace`)."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

from rooms.dossiers import CvKind
from rooms.errors import DomainError
from server.errors import TooLarge, UnsupportedMedia
from server.upload_store import UploadStore

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


LOGOS = "logos"


def cv_area(fair_id: str) -> str:
    return f"cv/{fair_id}"


async def put(store: UploadStore, area: str, data: bytes, kind: str, max_bytes: int) -> str:
    """Store `data` under a fresh random name in `area`; returns the name."""
    if len(data) > max_bytes:
        raise TooLarge(f"the file is over {max_bytes // 1024} KiB")
    name = f"{secrets.token_urlsafe(12)}.{kind}"
    await store.put(f"{area}/{name}", data)
    return name


async def replace(
    store: UploadStore,
    area: str,
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
    name = await put(store, area, data, kind, max_bytes)
    try:
        result, replaced = await attach(name)
    except DomainError:
        await store.delete(f"{area}/{name}")
        raise
    if _ours(replaced):
        await store.delete(f"{area}/{replaced}")
    return result


async def fetch(store: UploadStore, area: str, name: str, kinds: dict[str, str]) -> bytes | None:
    """The stored file called `name`, or None: names are ours, so anything else is refused."""
    if not _ours(name) or name.partition(".")[2] not in kinds:
        return None
    return await store.get(f"{area}/{name}")


def _ours(name: str) -> bool:
    """A name `put` could have made: a random stem and a kind, nothing that leaves the area."""
    stem, _, kind = name.partition(".")
    return bool(stem) and kind.isalnum() and stem.replace("-", "").replace("_", "").isalnum()
