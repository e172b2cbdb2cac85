"""Interview queues: a worker waits in a booth's line and is called to a one-on-one interview.

Every transition is one Lua script (`store/scripts/queue_*.lua`) that checks the entry's state,
changes the keys, appends to the audit stream and publishes, all at once; the state machine is in
docs/queue.md. A client operation carries an `op` id: the script keeps its first result for a
while, so a retried message has exactly one effect. Deadlines (the call countdown, the longest
interview) and presence leases are kept in Redis in Redis time, and acted on by whichever node's
sweeper sees them first (server/sweeper.py); the scripts make that idempotent.

Permissions are checked here, from the signed-in participant: workers act on their own entries,
recruiters serve their own booth's line, moderators serve and moderate every line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints
from redis.asyncio import Redis

from rooms.dossiers import consent_choice, consent_keys
from rooms.errors import NotFound
from rooms.interviews import Interviews
from rooms.models import Name, Participant, Strict
from rooms.permissions import Action, may, require, require_may
from rooms.store import keys
from rooms.store.records import new_id
from rooms.store.scripts import Scripts

Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 .()\-]{6,24}$")
]
LineChange = Literal["pause", "resume", "close", "cap"]


@dataclass(frozen=True, slots=True)
class QueueLimits:
    """Defaults; a fair's moderators change the first four (`Queue.configure`)."""

    lines_per_worker: int = 3
    call_seconds: int = 60  # the countdown to accept a call
    grace_seconds: int = 120  # a worker whose last connection dropped keeps their places this long
    interview_seconds: int = 3600  # an interview nobody finishes is ended by the sweeper
    presence_lease: float = 6.0  # a node vouches for its connected workers this long at a time
    keep_ended: int = 3600  # an ended entry is kept (answers "the call has expired") this long
    op_ttl: int = 600  # a client op's first result is kept this long
    audit_max: int = 10_000  # audit records kept (approximately: XADD MAXLEN ~)
    durations_kept: int = 20  # finished interviews the ETA averages over
    recent_kept: int = 20  # ended calls the staff view lists


class WalkInInput(Strict):
    name: Name
    phone: Phone
    job_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{0,32}$")] = ""


class SettingsInput(Strict):
    lines_per_worker: int | None = Field(default=None, ge=1, le=20)
    call_seconds: int | None = Field(default=None, ge=1, le=600)
    grace_seconds: int | None = Field(default=None, ge=1, le=3600)
    interview_seconds: int | None = Field(default=None, ge=1, le=4 * 3600)


def line_keys(fair_id: str, booth_id: str, op_key: str) -> list[str]:
    """KEYS of every queue script, in the order the scripts name them (see queue_join.lua)."""
    return [
        keys.queue_entries(fair_id),
        keys.queue_index(fair_id),
        keys.queue_busy(fair_id),
        keys.queue_deadlines(fair_id),
        keys.queue_seen(fair_id),
        keys.queue_settings(fair_id),
        keys.queue_audit(fair_id),
        op_key,
        keys.queue_line(fair_id, booth_id),
        keys.queue_line_state(fair_id, booth_id),
        keys.queue_active(fair_id, booth_id),
        keys.queue_recent(fair_id, booth_id),
        keys.queue_durations(fair_id, booth_id),
        keys.queue_servers(fair_id, booth_id),
        keys.interviews(fair_id),
        keys.booths(fair_id),
        keys.jobs(fair_id),
        keys.facts(fair_id),
    ]


class Queue:
    def __init__(self, redis: Redis, scripts: Scripts, limits: QueueLimits | None = None) -> None:
        self.redis = redis
        self.scripts = scripts
        self.limits = limits or QueueLimits()
        self.interviews = Interviews(redis)

    # --- workers -----------------------------------------------------------------------------

    async def join(
        self,
        fair_id: str,
        who: Participant,
        booth_id: str,
        job_id: str,
        op: str,
        share: bool | None = None,
    ) -> dict[str, Any]:
        """`job_id` "" for no particular job. `share`: the worker's answer to "may this booth read
        your dossier?" (None: not asked now; an earlier answer stands), recorded with the join or
        not at all."""
        require(who, Action.QUEUE_JOIN, fair_id)
        args = ["join", booth_id, new_id(), who.id, who.name, who.contact, job_id]
        return await self._run(
            "queue_join",
            fair_id,
            booth_id,
            who,
            op,
            [*args, *self._join_limits(), consent_choice(share)],
            consent_keys(fair_id, who.id),
        )

    async def leave(self, fair_id: str, who: Participant, entry_id: str, op: str) -> dict[str, Any]:
        require(who, Action.QUEUE_JOIN, fair_id)
        entry = await self.entry(fair_id, entry_id)  # the script refuses another's entry
        return await self._leave("leave", fair_id, entry, who, op)

    async def accept(
        self, fair_id: str, who: Participant, entry_id: str, op: str
    ) -> dict[str, Any]:
        return await self._answer("accept", fair_id, who, entry_id, op)

    async def decline(
        self, fair_id: str, who: Participant, entry_id: str, op: str
    ) -> dict[str, Any]:
        return await self._answer("decline", fair_id, who, entry_id, op)

    async def _answer(
        self, mode: str, fair_id: str, who: Participant, entry_id: str, op: str
    ) -> dict[str, Any]:
        """The worker answers their call; staff answer for a walk-in (the script checks which)."""
        require(who, Action.QUEUE_ANSWER, fair_id)
        entry = await self.entry(fair_id, entry_id)
        kind = "worker"
        if not may(who, Action.QUEUE_JOIN, fair_id):
            require(who, Action.QUEUE_SERVE, fair_id, entry["booth_id"])
            kind = "staff"
        return await self._outcome(mode, fair_id, entry, who, op, kind, new_id())

    # --- staff of the booth ------------------------------------------------------------------

    async def call_next(
        self, fair_id: str, who: Participant, booth_id: str, op: str
    ) -> dict[str, Any]:
        require(who, Action.QUEUE_SERVE, fair_id, booth_id)
        return await self._call(fair_id, booth_id, "", who, op)

    async def call(self, fair_id: str, who: Participant, entry_id: str, op: str) -> dict[str, Any]:
        require_may(who, Action.QUEUE_SERVE, fair_id)
        entry = await self.entry(fair_id, entry_id)
        require(who, Action.QUEUE_SERVE, fair_id, entry["booth_id"])
        return await self._call(fair_id, entry["booth_id"], entry["id"], who, op)

    async def _call(
        self, fair_id: str, booth_id: str, entry_id: str, who: Participant, op: str
    ) -> dict[str, Any]:
        args = [booth_id, entry_id, self.limits.call_seconds]
        return await self._run("queue_call", fair_id, booth_id, who, op, args)

    async def no_show(
        self, fair_id: str, who: Participant, entry_id: str, op: str
    ) -> dict[str, Any]:
        require_may(who, Action.QUEUE_SERVE, fair_id)
        entry = await self.entry(fair_id, entry_id)
        require(who, Action.QUEUE_SERVE, fair_id, entry["booth_id"])
        return await self._outcome("no_show", fair_id, entry, who, op, "staff")

    async def finish(
        self, fair_id: str, who: Participant, interview_id: str, op: str
    ) -> dict[str, Any]:
        require_may(who, Action.QUEUE_SERVE, fair_id)
        interview = await self.interviews.get(fair_id, interview_id)
        require(who, Action.QUEUE_SERVE, fair_id, interview["booth_id"])
        entry = await self.entry(fair_id, interview["entry_id"])
        return await self._outcome("finish", fair_id, entry, who, op, "staff")

    # --- moderators --------------------------------------------------------------------------

    async def walk_in(
        self, fair_id: str, who: Participant, booth_id: str, form: WalkInInput, op: str
    ) -> dict[str, Any]:
        require(who, Action.QUEUE_MODERATE, fair_id, booth_id)
        entry_id = new_id()
        walker = f"walkin:{entry_id}"
        args = ["walk_in", booth_id, entry_id, walker, form.name, form.phone, form.job_id or ""]
        return await self._run(
            "queue_join", fair_id, booth_id, who, op, [*args, *self._join_limits()]
        )

    async def remove(
        self, fair_id: str, who: Participant, entry_id: str, op: str
    ) -> dict[str, Any]:
        require(who, Action.QUEUE_MODERATE, fair_id)
        entry = await self.entry(fair_id, entry_id)
        return await self._leave("remove", fair_id, entry, who, op)

    async def reorder(
        self, fair_id: str, who: Participant, entry_id: str, position: int, op: str
    ) -> dict[str, Any]:
        """`position` from 1; past the end moves the place last."""
        require(who, Action.QUEUE_MODERATE, fair_id)
        entry = await self.entry(fair_id, entry_id)
        booth = entry["booth_id"]
        args = [booth, entry["id"], position]
        return await self._run("queue_reorder", fair_id, booth, who, op, args)

    async def change_line(
        self,
        fair_id: str,
        who: Participant,
        booth_id: str,
        change: LineChange,
        cap: int | None,
        op: str,
    ) -> dict[str, Any]:
        """`cap` only for "cap": the longest the line may be (None: no cap)."""
        require(who, Action.QUEUE_MODERATE, fair_id, booth_id)
        cap_arg = "" if change != "cap" or cap is None else str(cap)
        args = [booth_id, change, cap_arg]
        return await self._run("queue_line", fair_id, booth_id, who, op, args)

    async def configure(
        self, fair_id: str, who: Participant, form: SettingsInput, op: str
    ) -> dict[str, Any]:
        require(who, Action.QUEUE_MODERATE, fair_id)
        values = [form.lines_per_worker, form.call_seconds, form.grace_seconds]
        values.append(form.interview_seconds)
        args = ["" if v is None else str(v) for v in values]
        await self._run("queue_settings", fair_id, "", who, op, list(args))
        return await self.settings(fair_id)

    async def settings(self, fair_id: str) -> dict[str, int]:
        stored: dict[str, str] = await self.redis.hgetall(keys.queue_settings(fair_id))  # type: ignore[assignment]
        names = ("lines_per_worker", "call_seconds", "grace_seconds", "interview_seconds")
        return {n: int(stored.get(n) or getattr(self.limits, n)) for n in names}

    async def fair_ids(self) -> list[str]:
        ids: list[str] = await self.redis.zrange(keys.FAIRS, 0, -1)  # type: ignore[assignment]
        return ids

    # --- the sweeper (no op: the scripts re-check the deadline and do nothing when it moved) --

    async def due(self, fair_id: str, most: int = 100) -> list[str]:
        """`call:<entry>`, `talk:<entry>` and `drop:<worker>` items that are due now."""
        found: list[str] = await self.scripts.run(
            "queue_due",
            [
                keys.queue_entries(fair_id),
                keys.queue_index(fair_id),
                keys.queue_deadlines(fair_id),
                keys.queue_seen(fair_id),
                keys.queue_settings(fair_id),
            ],
            [self.limits.grace_seconds, most],
        )
        return found

    async def expire(self, fair_id: str, entry_id: str) -> dict[str, Any]:
        """An unanswered call's countdown ran out: a no-show."""
        entry = await self.entry(fair_id, entry_id)
        return await self._outcome("expire", fair_id, entry, None, None, "system")

    async def end_interview(self, fair_id: str, entry_id: str) -> dict[str, Any]:
        """An interview ran past the longest allowed: ended, not counted in the ETA."""
        entry = await self.entry(fair_id, entry_id)
        return await self._outcome("end", fair_id, entry, None, None, "system")

    async def drop(self, fair_id: str, worker_id: str) -> int:
        """The worker has been gone past the grace period: their places in line are given up."""
        mine = json.loads(await self.redis.hget(keys.queue_index(fair_id), worker_id) or "{}")
        dropped = 0
        for entry_id in mine.values():
            entry = await self.entry(fair_id, entry_id)
            if entry["state"] in ("waiting", "held"):
                result = await self._leave("drop", fair_id, entry, None, None)
                dropped += "noop" not in result
        return dropped

    async def vouch(self, fair_id: str, worker_ids: list[str]) -> None:
        """This node has these workers connected: their presence leases are renewed."""
        for start in range(0, len(worker_ids), 2000):
            chunk: list[str | int | float] = [*worker_ids[start : start + 2000]]
            await self.scripts.run(
                "queue_seen", [keys.queue_seen(fair_id)], [self.limits.presence_lease, *chunk]
            )

    # --- common ------------------------------------------------------------------------------

    def _join_limits(self) -> list[Any]:
        return [self.limits.presence_lease, self.limits.lines_per_worker]

    async def entry(self, fair_id: str, entry_id: str) -> dict[str, Any]:
        raw = await self.redis.hget(keys.queue_entries(fair_id), entry_id)
        if raw is None:
            raise NotFound("no such place in line")
        found: dict[str, Any] = json.loads(raw)
        return found

    async def _leave(
        self,
        mode: str,
        fair_id: str,
        entry: dict[str, Any],
        who: Participant | None,
        op: str | None,
    ) -> dict[str, Any]:
        booth = entry["booth_id"]
        args = [mode, entry["id"], booth, self.limits.grace_seconds, self.limits.keep_ended]
        return await self._run("queue_leave", fair_id, booth, who, op, args)

    async def _outcome(
        self,
        mode: str,
        fair_id: str,
        entry: dict[str, Any],
        who: Participant | None,
        op: str | None,
        kind: str,
        interview_id: str = "",
    ) -> dict[str, Any]:
        booth = entry["booth_id"]
        lim = self.limits
        args = [mode, entry["id"], booth, interview_id, kind, lim.interview_seconds]
        args += [lim.keep_ended, lim.durations_kept, lim.recent_kept]
        return await self._run("queue_outcome", fair_id, booth, who, op, args)

    async def _run(
        self,
        script: str,
        fair_id: str,
        booth_id: str,
        who: Participant | None,
        op: str | None,
        args: list[Any],
        extra_keys: list[str] | None = None,
    ) -> dict[str, Any]:
        actor, role = (who.id, who.role.value) if who else ("system", "system")
        op_key = keys.queue_op(fair_id, actor, op or "-")
        ttl = self.limits.op_ttl if op else 0
        raw = await self.scripts.run(
            script,
            [*line_keys(fair_id, booth_id, op_key), *(extra_keys or [])],
            [keys.events(fair_id), actor, role, ttl, self.limits.audit_max, *args],
            durable=True,
        )
        result: dict[str, Any] = json.loads(raw)
        return result
