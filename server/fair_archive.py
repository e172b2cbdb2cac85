"""One fair as one file, for `jobfair export` / `jobfair import` (docs/storage.md): every Redis key
of the fair (they share the hash tag `{f:ID}`, rooms/store/keys.py), its entry in the fair list,
and its uploads (CVs, booth logos).

Keys are written by type as JSON (strings, hashes, sets, sorted sets, lists, streams), not as
DUMP payloads: a DUMP from Debian's Redis 7 cannot be RESTOREd into the embedded Redis 6, and a
fair should move between any two installations. Op keys keep their remaining time to live.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from redis.asyncio import Redis

from rooms.errors import Conflict, InvalidInput, NotFound
from rooms.store import keys
from server.upload_store import UploadStore
from server.uploads import LOGOS, cv_area

FORMAT, VERSION = "jobfair.fair", 1


async def export_fair(redis: Redis, store: UploadStore, fair_id: str) -> dict[str, Any]:
    created = await redis.zscore(keys.FAIRS, fair_id)
    if created is None:
        raise NotFound(f"no fair {fair_id}")
    found = sorted([k async for k in redis.scan_iter(match=f"{_glob(fair_id)}*", count=1000)])
    dumped = {key: await _dump(redis, key) for key in found}
    uploads: dict[str, str] = {}
    for key in await _upload_keys(redis, store, fair_id):
        data = await store.get(key)
        if data is not None:
            uploads[key] = base64.b64encode(data).decode()
    return {
        "format": FORMAT,
        "version": VERSION,
        "fair_id": fair_id,
        "created_at": created,
        "keys": {k: v for k, v in dumped.items() if v is not None},
        "uploads": uploads,
    }


async def import_fair(
    redis: Redis, store: UploadStore, archive: dict[str, Any], replace: bool = False
) -> str:
    """Writes the fair in one MULTI (all or nothing), after its uploads, so that no record ever
    points to a missing file. An existing fair of that id is refused unless `replace`."""
    if archive.get("format") != FORMAT or archive.get("version") != VERSION:
        raise InvalidInput(f"not a {FORMAT} v{VERSION} file")
    fair_id = str(archive["fair_id"])
    stored: dict[str, dict[str, Any]] = archive["keys"]
    tag = keys.fair_tag(fair_id)
    if any(not k.startswith(f"{tag}:") for k in stored):
        raise InvalidInput("the file holds keys of another fair")
    if any(not _upload_of(k, fair_id) for k in archive["uploads"]):
        raise InvalidInput("the file holds uploads of another fair")
    existing = [k async for k in redis.scan_iter(match=f"{_glob(fair_id)}*", count=1000)]
    if existing and not replace:
        raise Conflict(f"fair {fair_id} exists here; import with --replace to overwrite it")
    for key, data in archive["uploads"].items():
        await store.put(key, base64.b64decode(data))
    async with redis.pipeline(transaction=True) as pipe:
        if existing:
            pipe.delete(*existing)
        for key, record in stored.items():
            _restore(pipe, key, record)
        pipe.zadd(keys.FAIRS, {fair_id: float(archive["created_at"])})
        await pipe.execute()
    return fair_id


def _glob(fair_id: str) -> str:
    """The SCAN pattern of the fair's keys; glob characters in the id are escaped."""
    tag = keys.fair_tag(fair_id)
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in tag) + ":"


async def _upload_keys(redis: Redis, store: UploadStore, fair_id: str) -> list[str]:
    logos = []
    for raw in (await redis.hgetall(keys.booths(fair_id))).values():
        logo = json.loads(raw).get("logo")
        if logo:
            logos.append(f"{LOGOS}/{logo}")
    return [*await store.keys(cv_area(fair_id)), *logos]


def _upload_of(key: str, fair_id: str) -> bool:
    area, _, name = key.rpartition("/")
    return area in (cv_area(fair_id), LOGOS) and bool(name) and ".." not in key


async def _dump(redis: Redis, key: str) -> dict[str, Any] | None:
    kind = await redis.type(key)
    value: Any
    if kind == "string":
        value = await redis.get(key)
    elif kind == "hash":
        value = await redis.hgetall(key)
    elif kind == "set":
        value = sorted(await redis.smembers(key))
    elif kind == "zset":
        scored: list[tuple[str, float]] = await redis.zrange(key, 0, -1, withscores=True)  # type: ignore[assignment]
        value = [[m, s] for m, s in scored]
    elif kind == "list":
        value = await redis.lrange(key, 0, -1)
    elif kind == "stream":
        entries: list[tuple[str, dict[str, str]]] = await redis.xrange(key)  # type: ignore[assignment]
        value = [[i, fields] for i, fields in entries]
    else:  # "none": it expired between SCAN and now
        return None
    ttl = await redis.pttl(key)
    return {"type": kind, "ttl_ms": ttl if ttl > 0 else None, "value": value}


def _restore(pipe: Any, key: str, record: dict[str, Any]) -> None:
    kind, value = record["type"], record["value"]
    if kind == "string":
        pipe.set(key, value)
    elif kind == "hash" and value:
        pipe.hset(key, mapping=value)
    elif kind == "set" and value:
        pipe.sadd(key, *value)
    elif kind == "zset" and value:
        pipe.zadd(key, {m: float(s) for m, s in value})
    elif kind == "list" and value:
        pipe.rpush(key, *value)
    elif kind == "stream":
        for entry_id, fields in value:
            pipe.xadd(key, fields, id=entry_id)
    elif kind not in ("hash", "set", "zset", "list"):
        raise InvalidInput(f"{key}: unknown type {kind!r}")
    if record.get("ttl_ms"):
        pipe.pexpire(key, int(record["ttl_ms"]))
