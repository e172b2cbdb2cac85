"""Where uploaded files live, so that every node serves every upload (docs/storage.md).

`JOBFAIR_UPLOADS` picks the store: a directory (default `<data dir>/uploads`; node processes on
one machine share it, or several machines share one over NFS), or `s3://bucket/prefix`, an
S3-compatible object store (AWS, MinIO, Ceph) reached with boto3. Files are addressed as
`<area>/<name>`: `logos/<name>`, `cv/<fair id>/<name>`. Names are made by `server.uploads`
and checked there before they reach a store.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from server.errors import ConfigError

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


class UploadStore(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes | None:
        """The file's bytes, or None when there is no such file."""
        ...

    async def delete(self, key: str) -> None:
        """Idempotent."""
        ...

    async def keys(self, prefix: str) -> list[str]:
        """Every stored key under `prefix` (backups and `jobfair export`)."""
        ...


class DirectoryStore:
    """Files under one directory; a write lands under a temporary name and is renamed into place,
    so a reader on another process never sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.part")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def keys(self, prefix: str) -> list[str]:
        base = self._path(prefix)
        if not base.is_dir():
            return []
        return sorted(
            str(p.relative_to(self.root))
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )


class S3Store:
    """Objects in one bucket under `prefix`. boto3 is synchronous: each call runs in a thread
    (uploads are at most a few MB, and rare next to websocket traffic)."""

    def __init__(self, client: S3Client, bucket: str, prefix: str) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix.strip("/")

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(
            self.client.put_object, Bucket=self.bucket, Key=self._key(key), Body=data
        )

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._get, self._key(key))

    def _get(self, key: str) -> bytes | None:
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.NoSuchKey:
            return None
        body: bytes = reply["Body"].read()
        return body

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=self._key(key))

    async def keys(self, prefix: str) -> list[str]:
        return await asyncio.to_thread(self._list, self._key(prefix))

    def _list(self, prefix: str) -> list[str]:
        found: list[str] = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix.rstrip("/") + "/"
        )
        for page in pages:
            found += [o["Key"] for o in page.get("Contents", []) if "Key" in o]
        strip = len(self.prefix) + 1 if self.prefix else 0
        return sorted(k[strip:] for k in found)


def open_store(spec: str, data_dir: Path) -> UploadStore:
    """The store `JOBFAIR_UPLOADS` names: "" (the data dir), a path or file:// URL, or s3://."""
    if not spec:
        return DirectoryStore(data_dir / "uploads")
    parts = urlsplit(spec)
    if parts.scheme in ("", "file"):
        return DirectoryStore(Path(parts.path if parts.scheme else spec))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ConfigError("JOBFAIR_UPLOADS: s3:// needs a bucket: s3://bucket/prefix")
        return S3Store(_s3_client(), parts.netloc, parts.path)
    raise ConfigError(f"JOBFAIR_UPLOADS: {parts.scheme}:// is not a directory, file:// or s3://")


def _s3_client() -> S3Client:
    """Credentials, region and endpoint come from boto3's usual places (AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL for MinIO and other stores)."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise ConfigError(
            "JOBFAIR_UPLOADS: s3:// needs boto3 (pip install 'jobfair[s3]')"
        ) from None
    options: dict[str, Any] = {"retries": {"max_attempts": 3, "mode": "standard"}}
    if os.environ.get("AWS_ENDPOINT_URL"):  # MinIO & co. answer on one host: bucket in the path
        options["s3"] = {"addressing_style": "path"}
    return boto3.client(
        "s3",
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        config=Config(connect_timeout=5, read_timeout=30, **options),
    )
