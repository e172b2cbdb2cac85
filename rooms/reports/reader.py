"""Reports as their readers may see them: the permission checks, then a build from the facts.

A moderator reads the whole fair (and series of fairs); a recruiter reads their own booth only,
with personal data only of workers who shared their dossier with that booth. Every build reads
the fair's facts from the first, so a report never depends on anything but them (and the booths'
names, and for the per-interview list, the records the names and notes are in).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from rooms.errors import Forbidden, NotFound
from rooms.models import Booth, Fair, Participant
from rooms.permissions import Action, allowed, may, require
from rooms.reports import facts, summary
from rooms.reports.summary import Scope
from rooms.reports.tally import WATCHED_SECONDS, Tally
from rooms.store import keys
from rooms.store.scripts import Scripts

Clock = Callable[[], Awaitable[float]]
SERIES = (*summary.COUNTS, *summary.EXTRA)  # the rows of a series
INTERVIEWS_LISTED = 200  # interviews of one booth listed with the outcomes (newest first)


class Reports:
    def __init__(
        self,
        redis: Redis,
        clock: Clock | None = None,
        watched_seconds: float = WATCHED_SECONDS,
    ) -> None:
        """`clock`: the report's "now" (tests inject one); Redis time by default, the clock
        the facts were written with."""
        self.redis = redis
        self.scripts = Scripts(redis)
        self.clock = clock or self._redis_now
        self.watched_seconds = watched_seconds

    async def _redis_now(self) -> float:
        seconds, micros = await self.redis.time()
        return seconds + micros / 1e6

    # --- who may read what ----------------------------------------------------------------------

    @staticmethod
    def scope(who: Participant, fair_id: str, booth_id: str | None) -> Scope:
        """The whole fair for its moderators (unless they name a booth); a recruiter's own booth
        (the one they name must be it). Refused to everyone else."""
        if booth_id is None and allowed(who, Action.REPORT, fair_id, None):
            return Scope()
        booth = booth_id or who.booth_id
        require(who, Action.REPORT_BOOTH, fair_id, booth)
        assert booth is not None
        return Scope(frozenset({booth}))

    # --- reading --------------------------------------------------------------------------------

    async def tally(self, fair_id: str, into: Tally | None = None) -> Tally:
        """The fair's facts folded (`into`: go on from where that tally stopped)."""
        t = into or Tally()
        async for chunk in facts.read(self.scripts, fair_id, t.last_id):
            t.feed(chunk)
        return t

    async def fair(self, fair_id: str) -> tuple[Fair, dict[str, str]]:
        """The fair and its booths' employers (booth id -> name); NotFound for no such fair."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.get(keys.fair(fair_id))
            pipe.hvals(keys.booths(fair_id))
            raw, booths = await pipe.execute()
        if raw is None:
            raise NotFound("no such fair")
        employers = {b.id: b.employer for b in (Booth.model_validate_json(r) for r in booths)}
        return Fair.model_validate_json(raw), employers

    async def build(
        self, fair_id: str, who: Participant, booth_id: str | None = None
    ) -> dict[str, Any]:
        """The report's JSON (rooms/reports/summary.py), as `who` may read it."""
        fair, employers = await self.fair(fair_id)
        scope = self.scope(who, fair_id, booth_id)
        t = await self.tally(fair_id)
        now = await self.clock()
        fair_json = fair.model_dump(mode="json")
        watched = self.watched_seconds
        return summary.report(t, fair_json, employers, scope, now, zone(fair), watched)

    async def interviews(
        self, fair_id: str, who: Participant, booth_id: str | None = None
    ) -> tuple[Fair, list[dict[str, Any]]]:
        """One row per interview: employer, worker, start, wait, duration, outcome, notes. A
        recruiter sees the names of walk-ins and of workers who shared their dossier with the
        booth; a blank name otherwise."""
        fair, employers = await self.fair(fair_id)
        scope = self.scope(who, fair_id, booth_id)
        t = await self.tally(fair_id)
        chosen = [
            (i, iv)
            for i, iv in t.interviews.items()
            if iv.booth in employers and (scope.booths is None or iv.booth in scope.booths)
        ]
        chosen.sort(key=lambda pair: pair[1].start)
        ids = [i for i, _ in chosen]
        records = await self._hmget(keys.interviews(fair_id), ids)
        notes = await self._hmget(keys.interview_notes(fair_id), ids)
        shared = await self._shared(fair_id, scope, [r for r in records if r])
        rows = []
        for (interview_id, iv), record, note in zip(chosen, records, notes, strict=True):
            worker = (record or {}).get("worker_id", "")
            named = (
                scope.whole_fair or (record or {}).get("walk_in") or (worker, iv.booth) in shared
            )
            rows.append(
                {
                    "interview_id": interview_id,
                    "booth_id": iv.booth,
                    "employer": employers[iv.booth],
                    "worker": (record or {}).get("name", "") if named else "",
                    "walk_in": bool((record or {}).get("walk_in")),
                    "started_at": summary.iso(iv.start, zone(fair)),
                    "wait_s": None if iv.waited is None else round(iv.waited),
                    "duration_s": None if iv.end is None else round(iv.end - iv.start),
                    "outcome": iv.outcome or None,
                    "notes": (note or {}).get("notes", ""),
                }
            )
        return fair, rows

    async def outcomes(
        self, fair_id: str, who: Participant, booth_id: str | None = None
    ) -> dict[str, Any]:
        """Per booth: interviews held, passed, not suitable, no-shows (the moderator console's
        table); with `booth_id`, that booth's latest interviews with their outcomes too."""
        require(who, Action.REPORT, fair_id)
        built = await self.build(fair_id, who)
        booths = {
            b["booth_id"]: {
                "interviewed": b["interviews"],
                "passed": b["passed"],
                "not_suitable": b["outcomes"]["not_suitable"],
                "no_show": b["no_show"],
            }
            for b in built["booths"]
            if b["interviews"] or b["no_show"]
        }
        if booth_id is None:
            return {"booths": booths}
        t = await self.tally(fair_id)
        ids = [i for i, iv in t.interviews.items() if iv.booth == booth_id]
        listed = [
            {**record, "outcome": t.interviews[i].outcome or None}
            for i, record in zip(ids, await self._hmget(keys.interviews(fair_id), ids), strict=True)
            if record
        ]
        listed.sort(key=lambda r: r["started_at"], reverse=True)
        return {"booths": booths, "interviews": listed[:INTERVIEWS_LISTED]}

    async def series(self, who: Participant, start: date, end: date) -> dict[str, Any]:
        """Every fair `who` may report on that begins between `start` and `end` (both included,
        each in its own time zone), each with its fair-wide counts, and their totals."""
        if not may(who, Action.REPORT, who.fair_id):
            raise Forbidden(f"a {who.role.value} may not read reports")
        ids: list[str] = await self.redis.zrange(keys.FAIRS, 0, -1)  # type: ignore[assignment]
        raws = await self.redis.mget([keys.fair(i) for i in ids]) if ids else []
        chosen = []
        for raw in raws:
            if raw is None:
                continue
            fair = Fair.model_validate_json(raw)
            day = fair.starts_at.astimezone(zone(fair)).date()
            if start <= day <= end and allowed(who, Action.REPORT, fair.id, None):
                chosen.append((day, fair))
        chosen.sort(key=lambda pair: (pair[0], pair[1].starts_at))
        columns = []
        for day, fair in chosen:
            built = await self.build(fair.id, who)
            counts = {k: built["fair"][k] for k in SERIES}
            columns.append(
                {"fair_id": fair.id, "title": fair.title, "date": day.isoformat(), **counts}
            )
        totals = {k: sum(c[k] for c in columns) for k in SERIES}
        return {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "fairs": columns,
            "totals": totals,
        }

    # --- helpers --------------------------------------------------------------------------------

    async def _hmget(self, key: str, ids: list[str]) -> list[dict[str, Any] | None]:
        if not ids:
            return []
        raws = await self.redis.hmget(key, ids)
        return [json.loads(r) if r else None for r in raws]

    async def _shared(
        self, fair_id: str, scope: Scope, records: list[dict[str, Any]]
    ) -> set[tuple[str, str]]:
        """(worker, booth) pairs where the worker let the booth read their dossier."""
        if scope.whole_fair:
            return set()
        pairs = sorted({(r["worker_id"], r["booth_id"]) for r in records if not r.get("walk_in")})
        if not pairs:
            return set()
        async with self.redis.pipeline(transaction=False) as pipe:
            for worker, booth in pairs:
                pipe.sismember(keys.dossier_shares(fair_id, worker), booth)
            flags = await pipe.execute()
        return {pair for pair, flag in zip(pairs, flags, strict=True) if flag}


def zone(fair: Fair) -> ZoneInfo:
    return ZoneInfo(fair.timezone)
