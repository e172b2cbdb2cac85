"""JSON records in a fair's hashes, changed through `put.lua`: create, compare-and-set, delete.

A replace reads the record, lets the caller build the new version in Python (where the model's
validation lives) and writes it only if nobody changed it meanwhile, retrying a bounded number of
times; it never overwrites a concurrent edit silently.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel
from redis.asyncio import Redis

from rooms.errors import Conflict, NotFound
from rooms.events import Event
from rooms.store import keys
from rooms.store.scripts import Scripts, Stale

M = TypeVar("M", bound=BaseModel)
CAS_ATTEMPTS = 8


def new_id() -> str:
    """Short, unguessable ids: ids appear in URLs, and must not be enumerable. Never with a
    leading "-": staff type them after commands (`jobfair export <fair id>`), where one reads
    as an option."""
    while (id_ := secrets.token_urlsafe(8)).startswith("-"):
        pass
    return id_


class Records:
    def __init__(self, redis: Redis, scripts: Scripts) -> None:
        self.redis = redis
        self.scripts = scripts

    async def get(self, hash_key: str, field: str, model: type[M], what: str) -> M:
        raw = await self.redis.hget(hash_key, field)
        if raw is None:
            raise NotFound(f"no such {what}")
        return model.model_validate_json(raw)

    async def create(
        self,
        fair_id: str,
        hash_key: str,
        record_id: str,
        record: BaseModel,
        event: Event | None,
        parent: tuple[str, str] | None = None,
        fact: tuple[str, ...] = (),
    ) -> int:
        """`fact`: a report fact (kind, fields) recorded with it (rooms/reports/facts.py)."""
        parent_hash, parent_field = parent or (hash_key, "")
        fact_keys = [keys.facts(fair_id)] if fact else []
        return int(
            await self.scripts.run(
                "put",
                [keys.fair(fair_id), hash_key, keys.rev(fair_id), parent_hash, *fact_keys],
                [
                    record_id,
                    record.model_dump_json(),
                    "create",
                    parent_field,
                    "",
                    keys.events(fair_id),
                    event.encode() if event else "",
                    *fact,
                ],
            )
        )

    async def replace(
        self,
        fair_id: str,
        hash_key: str,
        record_id: str,
        model: type[M],
        change: Callable[[M], M],
        event_of: Callable[[M], Event],
        what: str,
    ) -> M:
        for _ in range(CAS_ATTEMPTS):
            raw: str | None = await self.redis.hget(hash_key, record_id)  # type: ignore[assignment]
            if raw is None:
                raise NotFound(f"no such {what}")
            updated = change(model.model_validate_json(raw))
            try:
                await self.scripts.run(
                    "put",
                    [keys.fair(fair_id), hash_key, keys.rev(fair_id), hash_key],
                    [
                        record_id,
                        updated.model_dump_json(),
                        "replace",
                        "",
                        raw,
                        keys.events(fair_id),
                        event_of(updated).encode(),
                    ],
                )
            except Stale:
                continue
            return updated
        raise Conflict(f"the {what} is being changed by someone else; try again")

    async def delete(
        self, fair_id: str, hash_key: str, record_id: str, expected_raw: str, event: Event
    ) -> None:
        try:
            await self.scripts.run(
                "put",
                [keys.fair(fair_id), hash_key, keys.rev(fair_id), hash_key],
                [record_id, "", "delete", "", expected_raw, keys.events(fair_id), event.encode()],
            )
        except Stale:
            raise Conflict("the record changed meanwhile; try again") from None
