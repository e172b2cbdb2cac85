"""`jobfair export FAIR_ID` and `jobfair import FILE`: move one fair between installations, or
keep it as a file (server/fair_archive.py, docs/storage.md). They use the same settings as
`jobfair serve` (REDIS_URL or REDIS_SENTINELS, JOBFAIR_UPLOADS, --data-dir); without REDIS_URL
they use the embedded Redis of the data dir: the running server's, or one started for the job.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from rooms.errors import DomainError
from server.embedded_redis import EmbeddedRedis
from server.fair_archive import export_fair, import_fair
from server.redis_pool import blocking_pool
from server.settings import Settings
from server.upload_store import open_store


def add_commands(sub: Any) -> None:
    """The two subcommands, on `jobfair`'s subparsers."""
    export = sub.add_parser("export", help="write one fair (state and uploads) to a file")
    export.add_argument("fair_id")
    export.add_argument("-o", "--output", type=Path, help="file (default FAIR_ID.jobfair.json.gz)")
    export.add_argument("--data-dir", type=Path, help="the server's data dir (embedded Redis)")
    imp = sub.add_parser("import", help="load a fair written by `jobfair export`")
    imp.add_argument("file", type=Path)
    imp.add_argument("--replace", action="store_true", help="overwrite a fair of the same id")
    imp.add_argument("--data-dir", type=Path, help="the server's data dir (embedded Redis)")


def run(args: argparse.Namespace, settings: Settings) -> None:
    try:
        asyncio.run(
            _export(args, settings) if args.command == "export" else _import(args, settings)
        )
    except (DomainError, OSError, ValueError, RedisError) as exc:
        raise SystemExit(f"jobfair {args.command}: {exc}") from None


async def _export(args: argparse.Namespace, settings: Settings) -> None:
    out: Path = args.output or Path(f"{args.fair_id}.jobfair.json.gz")
    async with _redis(settings) as redis:
        archive = await export_fair(
            redis, open_store(settings.uploads, settings.data_dir), args.fair_id
        )
    with _open(out, "w") as f:
        json.dump(archive, f, ensure_ascii=False)
    counts = f"{len(archive['keys'])} keys, {len(archive['uploads'])} files"
    print(f"fair {args.fair_id}: {counts} -> {out}")


async def _import(args: argparse.Namespace, settings: Settings) -> None:
    with _open(args.file, "r") as f:
        archive = json.load(f)
    async with _redis(settings) as redis:
        store = open_store(settings.uploads, settings.data_dir)
        fair_id = await import_fair(redis, store, archive, replace=args.replace)
    print(f"fair {fair_id}: {len(archive['keys'])} keys, {len(archive['uploads'])} files imported")


def _open(path: Path, mode: str) -> IO[str]:
    if str(path) == "-":
        return sys.stdout if mode == "w" else sys.stdin
    if path.suffix == ".gz":
        return gzip.open(path, "wt" if mode == "w" else "rt", encoding="utf-8")
    return path.open(mode, encoding="utf-8")


@asynccontextmanager
async def _redis(settings: Settings) -> AsyncIterator[Redis]:
    """The configured Redis; else the embedded one of the data dir: the running server's socket,
    or a redis-server started on its append-only file for the job (never two on one file)."""
    embedded = None
    url = settings.redis_url
    if url is None:
        socket = settings.data_dir.resolve() / "redis.sock"
        if not await _answers(f"unix://{socket}"):
            embedded = EmbeddedRedis(settings.data_dir)
            embedded.start()
        url = f"unix://{socket}"
    redis = Redis.from_pool(blocking_pool(url, decode_responses=True, max_connections=4))
    try:
        yield redis
    finally:
        await redis.aclose()
        if embedded is not None:
            embedded.stop()


async def _answers(url: str) -> bool:
    redis = Redis.from_url(url)
    try:
        return bool(await redis.ping())
    except (RedisError, OSError):
        return False
    finally:
        await redis.aclose()
