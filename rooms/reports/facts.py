"""The fair's facts: one Redis stream per fair (`keys.facts`), appended by the very Lua script
that makes each change (`_fact.lua`), so no count can disagree with the state after a crash.

An entry is `kind -> fields joined by tabs`; its time is the entry id's (Redis time, in ms),
except a `close` that the reaper wrote late, which names the moment it stands for. The kinds:

| kind    | fields                                   | written by                          |
|---------|------------------------------------------|-------------------------------------|
| reg     | worker                                   | put.lua (a worker registers)        |
| join    | booth, entry, person, walk-in key or ''  | queue_join.lua, slot_start.lua      |
| leave   | booth, entry, mode (leave/remove/drop)   | queue_leave.lua                     |
| call    | booth, entry, caller                     | queue_call.lua                      |
| end     | booth, entry, mode, interview, caller    | queue_outcome.lua                   |
| outcome | booth, interview, outcome or ''          | interview_note.lua                  |
| book    | booth, slot, worker                      | slot_book.lua                       |
| q       | channel, question, status, answered 0/1  | qa_ask, qa_update, qa_merge .lua    |
| live    | booth                                    | stream_live.lua                     |
| off     | booth                                    | stream_offline.lua                  |
| open    | period, c or v, participant, role, booth | period_open.lua (node)              |
| close   | period[, at seconds]                     | period_close.lua, period_reap.lua   |
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from redis.asyncio import Redis

from rooms.store import keys

Fact = tuple[float, str, list[str]]  # (seconds, kind, fields)
CHUNK = 10_000  # entries read per XRANGE


def parse(entry_id: str, fields: dict[str, str]) -> Fact:
    """One stream entry as a fact; its time from its id (or its `at`, for a late close)."""
    ((kind, value),) = fields.items()
    parts = value.split("\t")
    if kind == "close" and len(parts) > 1:
        return float(parts[1]), kind, parts
    return int(entry_id.partition("-")[0]) / 1000, kind, parts


async def read(
    redis: Redis, fair_id: str, after: str = "-"
) -> AsyncIterator[list[tuple[str, Fact]]]:
    """The fair's facts after the entry id `after` ("-": from the first), a chunk at a time."""
    key = keys.facts(fair_id)
    start = after if after == "-" else f"({after}"
    while True:
        chunk: list[tuple[str, dict[str, str]]] = await redis.xrange(key, start, "+", count=CHUNK)  # type: ignore[assignment]
        if not chunk:
            return
        yield [(entry_id, parse(entry_id, fields)) for entry_id, fields in chunk]
        if len(chunk) < CHUNK:
            return
        start = f"({chunk[-1][0]}"
