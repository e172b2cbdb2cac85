"""What the queues look like to each viewer: a worker's places with position and an ETA range, the
staff's view of a line, the audit log. Reads only, each in one MULTI so it is consistent.

The ETA comes from measured throughput: the booth's latest finished interview durations and the
number of staff who called at that booth lately. It is a range (quartiles of the durations,
padded with the booth's planned interview length until there are a few), never a capped figure.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from rooms.store import keys

DEFAULT_INTERVIEW = 900.0  # seconds assumed when a booth's planned length cannot be read
MIN_SAMPLES = 3  # fewer measured durations than this are padded with the default
SERVING_WINDOW = 1800.0  # staff who called within this many seconds count as serving the line
VIEW_LENGTH = 100  # entries of a line the staff view lists (the size is always exact)

_PROFILE = (
    *("id", "worker_id", "name", "contact", "walk_in", "job_id", "state", "joined_at"),
    "slot_id",  # set when the place came from a booked interview time
)
_CALL = (*_PROFILE, "called_at", "called_by", "deadline", "accepted_at", "interview_id")


@dataclass(frozen=True, slots=True)
class EtaBasis:
    """Quartiles of recent interview durations and how many staff serve the line."""

    low: float
    high: float
    servers: int

    @classmethod
    def of(cls, durations: list[str], servers: int, planned: float = DEFAULT_INTERVIEW) -> EtaBasis:
        """`planned`: the booth's planned interview length in seconds, what the recruiter said
        until enough interviews have been measured."""
        samples = sorted(float(d) for d in durations)
        samples += [planned] * max(0, MIN_SAMPLES - len(samples))
        samples.sort()
        last = len(samples) - 1
        low, high = samples[math.floor(last * 0.25)], samples[math.ceil(last * 0.75)]
        return cls(low=low, high=high, servers=max(1, servers))

    def bounds(self, position: int) -> tuple[int, int]:
        """Seconds until called, from at best (the people ahead take short interviews, shared
        among the staff) to at worst (long ones, and everyone serving has just started one)."""
        ahead = position - 1
        return (
            round(ahead / self.servers * self.low),
            round((ahead + self.servers) / self.servers * self.high),
        )

    def range(self, position: int) -> list[int]:
        return list(self.bounds(position))

    def to_json(self) -> dict[str, Any]:
        return {"typical": [round(self.low), round(self.high)], "servers": self.servers}


@dataclass(frozen=True, slots=True)
class LineSnapshot:
    """One booth's whole line, for pushing positions: entry ids in order and the ETA basis."""

    v: int
    state: str
    ids: list[str]
    basis: EtaBasis


def _pick(entry: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: entry.get(f) for f in fields}


class QueueViews:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def line(self, fair_id: str, booth_id: str) -> LineSnapshot:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hget(keys.queue_settings(fair_id), "v")
            pipe.zrange(keys.queue_line(fair_id, booth_id), 0, -1)
            self._basis_reads(pipe, fair_id, booth_id)
            v, ids, state, *basis_reads = await pipe.execute()
        basis = _basis(*basis_reads)
        return LineSnapshot(int(v or 0), state or "open", ids, basis)

    async def sizes(self, fair_id: str) -> dict[str, int]:
        """How many wait in each booth's line (booths with nobody waiting are left out)."""
        booth_ids = [str(b) for b in await self.redis.hkeys(keys.booths(fair_id))]
        async with self.redis.pipeline(transaction=True) as pipe:
            for booth_id in booth_ids:
                pipe.zcard(keys.queue_line(fair_id, booth_id))
            counts = await pipe.execute()
        return {b: n for b, n in zip(booth_ids, counts, strict=True) if n}

    async def now(self) -> float:
        """Redis's clock, the one that set every deadline: pages measure their offset to it."""
        seconds, micros = await self.redis.time()
        return seconds + micros / 1e6

    async def workers_of(self, fair_id: str, entry_ids: list[str]) -> list[str | None]:
        """The worker of each entry (None once it has been purged)."""
        raws = await self.redis.hmget(keys.queue_entries(fair_id), entry_ids)
        return [json.loads(r)["worker_id"] if r else None for r in raws]

    async def mine(self, fair_id: str, worker_id: str) -> list[dict[str, Any]]:
        """The worker's places that have not ended, each with its line's position and ETA."""
        index = json.loads(await self.redis.hget(keys.queue_index(fair_id), worker_id) or "{}")
        if not index:
            return []
        booths = sorted(index)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hmget(keys.queue_entries(fair_id), [index[b] for b in booths])
            for booth in booths:
                pipe.zrank(keys.queue_line(fair_id, booth), index[booth])
                pipe.zcard(keys.queue_line(fair_id, booth))
                self._basis_reads(pipe, fair_id, booth)
            raws, *per_booth = await pipe.execute()
        out = []
        for i, raw in enumerate(raws):
            if raw is None:
                continue
            rank, size, state, *basis_reads = per_booth[i * 6 : i * 6 + 6]
            entry = json.loads(raw)
            entry["line_state"] = state or "open"
            entry["size"] = size
            entry["position"] = None if rank is None else rank + 1
            paused = entry["line_state"] == "paused"
            entry["eta"] = None if rank is None or paused else _basis(*basis_reads).range(rank + 1)
            if entry["state"] == "called":  # what is left of the countdown, after a reload
                entry["seconds"] = max(0, round(entry["deadline"] - time.time()))
            out.append(entry)
        return out

    async def view(self, fair_id: str, booth_id: str) -> dict[str, Any]:
        """What the booth's staff see: the head of the line with short profiles, the calls and
        interviews under way, the latest ended calls, and the ETA basis."""
        line_key = keys.queue_line(fair_id, booth_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hget(keys.queue_settings(fair_id), "v")
            pipe.zrange(line_key, 0, VIEW_LENGTH - 1)
            pipe.zcard(line_key)
            pipe.hget(keys.queue_line_state(fair_id, booth_id), "cap")
            pipe.zrange(keys.queue_active(fair_id, booth_id), 0, -1)
            pipe.lrange(keys.queue_recent(fair_id, booth_id), 0, -1)
            pipe.hget(keys.streams(fair_id), booth_id)
            pipe.hvals(keys.people(fair_id))
            self._basis_reads(pipe, fair_id, booth_id)
            (
                v,
                head,
                size,
                cap,
                active,
                recent,
                stream,
                everyone,
                state,
                *basis,
            ) = await pipe.execute()
        ids = [*head, *active, *recent]
        raws = await self.redis.hmget(keys.queue_entries(fair_id), ids) if ids else []
        found = {e["id"]: e for e in (json.loads(r) for r in raws if r)}
        presenter = json.loads(stream)["publisher_id"] if stream else None
        team = _team(booth_id, everyone, [found[i] for i in active if i in found], presenter)
        await self._mark_shared(
            fair_id, booth_id, [found[i] for i in (*head, *active) if i in found]
        )
        line = []
        for position, entry_id in enumerate(head, 1):
            if entry_id in found:
                line.append({**_pick(found[entry_id], (*_PROFILE, "shared")), "position": position})
        return {
            "booth_id": booth_id,
            "v": int(v or 0),
            "state": state or "open",
            "cap": int(cap) if cap else None,
            "size": size,
            "line": line,
            "active": [_pick(found[i], (*_CALL, "shared")) for i in active if i in found],
            "recent": [_pick(found[i], (*_CALL, "ended_at")) for i in recent if i in found],
            "team": team,
            "eta": _basis(*basis).to_json(),
            "now": time.time(),  # lets a client count a call's deadline down on its own clock
        }

    async def interviewing(self, fair_id: str, booth_id: str) -> dict[str, float]:
        """Who of the booth's staff is interviewing now: recruiter id -> when it began (Redis
        time). Walk-ins count: a recruiter talking to one at the booth is busy too."""
        active: list[str] = await self.redis.zrange(keys.queue_active(fair_id, booth_id), 0, -1)  # type: ignore[assignment]
        raws = await self.redis.hmget(keys.queue_entries(fair_id), active) if active else []
        busy: dict[str, float] = {}
        for raw in raws:
            entry = json.loads(raw) if raw else {}
            if entry.get("state") == "interviewing" and entry.get("called_by"):
                busy[entry["called_by"]] = float(entry.get("accepted_at") or 0)
        return busy

    async def _mark_shared(
        self, fair_id: str, booth_id: str, entries: list[dict[str, Any]]
    ) -> None:
        """Whether each worker shares their dossier with this booth (explicit consent): the line
        shows the dossier link or "not shared"."""
        workers = [e for e in entries if not e.get("walk_in")]
        async with self.redis.pipeline(transaction=False) as pipe:
            for e in workers:
                pipe.sismember(keys.dossier_shares(fair_id, e["worker_id"]), booth_id)
            answers = await pipe.execute()
        for e, shared in zip(workers, answers, strict=True):
            e["shared"] = bool(shared)

    async def audit(
        self, fair_id: str, booth_id: str | None = None, count: int = 100
    ) -> list[dict[str, Any]]:
        """The latest queue actions, newest first (of one booth, or of the whole fair)."""
        records: list[tuple[str, dict[str, str]]] = await self.redis.xrevrange(  # type: ignore[assignment]
            keys.queue_audit(fair_id), count=count * 4
        )
        out: list[dict[str, Any]] = []
        for record_id, fields in records:
            if booth_id is None or fields.get("booth") == booth_id:
                out.append({"id": record_id, **fields, "at": float(fields["at"])})
            if len(out) >= count:
                break
        return await self._named(fair_id, out)

    async def _named(self, fair_id: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each record with the names of its actor and worker (as they are now), for people."""
        ids = sorted({r[f] for r in records for f in ("actor", "worker") if r.get(f)})
        raws = await self.redis.hmget(keys.people(fair_id), ids) if ids else []
        names = {i: json.loads(r)["name"] for i, r in zip(ids, raws, strict=True) if r}
        for r in records:
            r["actor_name"] = names.get(r.get("actor", ""), "")
            r["worker_name"] = names.get(r.get("worker", ""), "")
        return records

    def _basis_reads(self, pipe: Any, fair_id: str, booth_id: str) -> None:
        pipe.hget(keys.queue_line_state(fair_id, booth_id), "state")
        pipe.lrange(keys.queue_durations(fair_id, booth_id), 0, -1)
        pipe.zcount(keys.queue_servers(fair_id, booth_id), time.time() - SERVING_WINDOW, "+inf")
        pipe.hget(keys.booths(fair_id), booth_id)


def _team(
    booth_id: str, people: list[str], active: list[dict[str, Any]], presenter: str | None
) -> list[dict[str, Any]]:
    """Who of the booth's staff does what, for the console: its recruiters (oldest first), and any
    moderator serving this line now. Each is presenting (holds the booth's stream), calling or
    interviewing someone (`with`: their name), or free; derived from the people, the stream and the
    active calls, so it needs no state of its own."""
    busy = {e["called_by"]: e for e in active if e.get("called_by")}
    # a cheap text test first: the fair's people are mostly workers, parsed for nothing
    found = [json.loads(r) for r in people if booth_id in r or any(i in r for i in busy)]
    members = sorted(
        (p for p in found if p.get("booth_id") == booth_id), key=lambda p: p["created_at"]
    )
    known, by_id = {m["id"] for m in members}, {p["id"]: p for p in found}
    members += [by_id.get(i, {"id": i, "name": ""}) for i in busy if i not in known]
    team = []
    for p in members:
        call = busy.get(p["id"])
        team.append(
            {
                "id": p["id"],
                "name": p["name"],
                "presenting": p["id"] == presenter,
                "state": "free" if call is None else _doing(call["state"]),
                "with": None if call is None else call["name"],
            }
        )
    return team


def _doing(entry_state: str) -> str:
    """What a staff member is doing, from the state of the entry they called."""
    return "interviewing" if entry_state == "interviewing" else "calling"


def _basis(durations: list[str], servers: int, booth: str | None) -> EtaBasis:
    """The ETA basis from the answers of `_basis_reads` after the line state."""
    planned = json.loads(booth)["slot_minutes"] * 60.0 if booth else DEFAULT_INTERVIEW
    return EtaBasis.of(durations, servers, planned)
