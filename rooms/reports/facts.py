"""The fair's facts: one Redis stream per fair (`keys.facts`), appended by the very Lua script
that makes each change (`_fact.lua`), so no count can disagree with the state after a crash.

An entry is `kind -> fields joined by tabs`; its time is the entry id's (Redis time, in ms),
except a `close` that the reaper wrote late, which names the moment it stands for (seconds). A
report reads them through `facts_read.lua`, a chunk as one string. The kinds:

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
| poll    | channel, poll, poll or quiz, options     | poll_create.lua                     |
| pans    | channel, poll, person, option index      | poll_answer.lua (first answer only) |
| pclose  | channel, poll, answers                   | poll_close.lua                      |
| draw    | channel, poll, seed, correct answers, winner ids by ',' | poll_draw.lua        |
| live    | booth                                    | stream_live.lua                     |
| off     | booth                                    | stream_offline.lua                  |
| open    | period, c or v, participant, role, booth | period_open.lua (node)              |
| close   | period[, at seconds]                     | period_close.lua, period_reap.lua   |
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from rooms.store import keys
from rooms.store.scripts import Scripts

CHUNK = 20_000  # facts read per round trip


async def read(scripts: Scripts, fair_id: str, after: str = "-") -> AsyncIterator[list[str]]:
    """The fair's facts after the entry id `after` ("-": from the first), a chunk of lines at a
    time (`Tally.feed` reads them)."""
    key = keys.facts(fair_id)
    start = after if after == "-" else f"({after}"
    while True:
        count, last, text = await scripts.run("facts_read", [key], [start, CHUNK])
        if not count:
            return
        yield text.split("\n")
        if count < CHUNK:
            return
        start = f"({last}"
