"""Booked interview slots: a booth publishes times (length, places), a worker books one, and when
it begins the worker is placed at the head of that booth's line (docs/queue.md, "Booked slots").

Each change is one Lua script (`store/scripts/slot_*.lua`): capacity, one place per worker per
slot and "no two bookings of one worker at the same time, at any booth" are checked and applied
in the same step, so concurrent bookings can never overfill a slot or double-book a worker. Like
the queue, every client change carries an `op` and a retry returns the first result. The start
of a slot is a deadline in Redis (`slots:due`), acted on by whichever node's sweeper sees it
first; the script removes the item as it acts, so it happens once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, Field
from redis.asyncio import Redis

from rooms.dossiers import consent_choice, consent_keys
from rooms.errors import Conflict, InvalidInput, NotFound
from rooms.fairs import Fairs
from rooms.models import Participant, Strict
from rooms.permissions import Action, allowed, require, require_may
from rooms.queue import line_keys
from rooms.store import keys
from rooms.store.records import CAS_ATTEMPTS, new_id
from rooms.store.scripts import Scripts, Stale

LONGEST_MINUTES = 120


@dataclass(frozen=True, slots=True)
class SlotLimits:
    remind_before: int = 300  # booked workers are reminded this many seconds before a slot
    op_ttl: int = 600  # a client op's first result is kept this long
    audit_max: int = 10_000  # as the queue's audit stream (the same stream)


class SlotsInput(Strict):
    """One slot, or `count` slots back to back from `starts_at`."""

    starts_at: AwareDatetime  # ISO 8601 with a time zone, or Unix seconds
    minutes: int = Field(ge=5, le=LONGEST_MINUTES)
    capacity: int = Field(ge=1, le=50)
    count: int = Field(default=1, ge=1, le=48)


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


class Slots:
    def __init__(self, redis: Redis, scripts: Scripts, limits: SlotLimits | None = None) -> None:
        self.redis = redis
        self.scripts = scripts
        self.limits = limits or SlotLimits()
        self.fairs = Fairs(redis, scripts)

    # --- a booth's staff ---------------------------------------------------------------------

    async def publish(
        self, fair_id: str, who: Participant, booth: str, form: SlotsInput, op: str
    ) -> dict[str, Any]:
        require(who, Action.SLOTS_MANAGE, fair_id, booth)
        first = int(form.starts_at.timestamp())
        length = form.minutes * 60
        last_end = first + form.count * length
        fair = await self.fairs.get_fair(fair_id)
        opens, closes = (_aware(d).timestamp() for d in (fair.starts_at, fair.ends_at))
        if first < opens or last_end > closes:
            raise InvalidInput(
                f"slots must lie within the fair's hours, {_iso(opens)} to {_iso(closes)}"
            )
        args: list[str | int | float] = []
        for i in range(form.count):
            args += [new_id(), first + i * length, form.minutes, form.capacity]
        detail = f"{form.count} × {form.minutes} min from {_iso(first)}, {form.capacity} places"
        raw = await self.scripts.run(
            "slot_publish",
            [
                keys.slots(fair_id),
                keys.booth_slots(fair_id, booth),
                keys.slots_due(fair_id),
                keys.booths(fair_id),
                keys.slot_op(fair_id, who.id, op),
                keys.queue_audit(fair_id),
            ],
            [
                *self._common(fair_id, who),
                booth,
                self.limits.remind_before,
                LONGEST_MINUTES * 60,
                detail,
                *args,
            ],
        )
        return _decoded(raw)

    async def remove(self, fair_id: str, who: Participant, slot_id: str, op: str) -> dict[str, Any]:
        """Removes the slot; its bookings are cancelled and the booked workers told. The booked
        workers' keys are read first and re-checked by the script (bounded retries)."""
        require_may(who, Action.SLOTS_MANAGE, fair_id)
        done: str | None = await self.redis.get(keys.slot_op(fair_id, who.id, op))  # type: ignore[assignment]
        if done is not None:  # a retry: the slot is gone, and the first answer stands
            return _decoded(done)
        slot = await self.get(fair_id, slot_id)
        booth = slot["booth_id"]
        require(who, Action.SLOTS_MANAGE, fair_id, booth)
        for _ in range(CAS_ATTEMPTS):
            workers: list[str] = await self.redis.hkeys(keys.slot_bookings(fair_id, slot["id"]))  # type: ignore[assignment]
            try:
                raw = await self.scripts.run(
                    "slot_remove",
                    [
                        keys.slots(fair_id),
                        keys.booth_slots(fair_id, booth),
                        keys.slots_due(fair_id),
                        keys.slot_bookings(fair_id, slot["id"]),
                        keys.slot_op(fair_id, who.id, op),
                        keys.queue_audit(fair_id),
                        *(keys.worker_slots(fair_id, w) for w in workers),
                    ],
                    [*self._common(fair_id, who), slot["id"], booth, *workers],
                )
            except Stale:
                continue
            return _decoded(raw)
        raise Conflict("people are booking this time right now; try again")

    # --- workers -----------------------------------------------------------------------------

    async def book(
        self, fair_id: str, who: Participant, slot: str, op: str, share: bool | None = None
    ) -> dict[str, Any]:
        """`share`: the worker's answer to "may this booth read your dossier?", as for a join."""
        require(who, Action.SLOTS_BOOK, fair_id)
        choice = consent_choice(share)
        shares, declined = consent_keys(fair_id, who.id)
        raw = await self.scripts.run(
            "slot_book",
            [
                keys.slots(fair_id),
                keys.slot_bookings(fair_id, slot),
                keys.worker_slots(fair_id, who.id),
                shares,
                keys.slot_op(fair_id, who.id, op),
                keys.queue_audit(fair_id),
                keys.booths(fair_id),
                declined,
                keys.facts(fair_id),
            ],
            [
                *self._common(fair_id, who),
                slot,
                who.name,
                who.contact,
                LONGEST_MINUTES * 60,
                choice,
            ],
        )
        return _decoded(raw)

    async def cancel(self, fair_id: str, who: Participant, slot: str, op: str) -> dict[str, Any]:
        require(who, Action.SLOTS_BOOK, fair_id)
        raw = await self.scripts.run(
            "slot_cancel",
            [
                keys.slots(fair_id),
                keys.slot_bookings(fair_id, slot),
                keys.worker_slots(fair_id, who.id),
                keys.slot_op(fair_id, who.id, op),
                keys.queue_audit(fair_id),
            ],
            [*self._common(fair_id, who), slot],
        )
        return _decoded(raw)

    # --- reads -------------------------------------------------------------------------------

    async def get(self, fair_id: str, slot_id: str) -> dict[str, Any]:
        raw: str | None = await self.redis.hget(keys.slots(fair_id), slot_id)  # type: ignore[assignment]
        if raw is None:
            raise NotFound("no such interview time")
        return _decoded(raw)

    async def of_booth(self, fair_id: str, who: Participant, booth: str) -> dict[str, Any]:
        """A booth's slots with the places left; a worker sees which they booked (`mine`), the
        booth's staff see who booked (`bookings`, in booking order)."""
        await self.fairs.get_booth(fair_id, booth)
        staff = allowed(who, Action.SLOTS_MANAGE, fair_id, booth)
        ids: list[str] = await self.redis.zrange(keys.booth_slots(fair_id, booth), 0, -1)  # type: ignore[assignment]
        return {"booth_id": booth, "slots": await self._slots(fair_id, who, ids, staff)}

    async def mine(self, fair_id: str, who: Participant) -> dict[str, Any]:
        """The worker's bookings at every booth, by time."""
        ids: list[str] = await self.redis.zrange(keys.worker_slots(fair_id, who.id), 0, -1)  # type: ignore[assignment]
        return {"slots": await self._slots(fair_id, who, ids, False)}

    async def _slots(
        self, fair_id: str, who: Participant, ids: list[str], staff: bool
    ) -> list[dict[str, Any]]:
        if not ids:
            return []
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hmget(keys.slots(fair_id), ids)
            for slot_id in ids:
                bookings = keys.slot_bookings(fair_id, slot_id)
                if staff:
                    pipe.hgetall(bookings)
                else:
                    pipe.hlen(bookings)
                pipe.hexists(bookings, who.id)
            raws, *per_slot = await pipe.execute()
        now = time.time()
        out = []
        for i, raw in enumerate(raws):
            if raw is None:  # removed meanwhile
                continue
            slot = json.loads(raw)
            booked, mine = per_slot[2 * i], per_slot[2 * i + 1]
            public = {f: slot[f] for f in ("id", "booth_id", "starts_at", "ends_at", "minutes")}
            public["capacity"] = slot["capacity"]
            count = len(booked) if staff else booked
            public.update(booked=count, left=slot["capacity"] - count, mine=bool(mine))
            public["begun"] = bool(slot["placed_at"]) or now >= slot["starts_at"]
            if staff:
                people = sorted((json.loads(b) for b in booked.values()), key=_booked_at)
                public["bookings"] = people
            out.append(public)
        return out

    # --- the sweeper (no op: the scripts remove the due item as they act, once) ---------------

    async def due(self, fair_id: str, most: int = 100) -> list[str]:
        """`start:<slot>` and `remind:<slot>` items that are due now."""
        found: list[str] = await self.scripts.run("slot_due", [keys.slots_due(fair_id)], [most])
        return found

    async def start(self, fair_id: str, slot_id: str) -> dict[str, Any]:
        """The slot begins: its booked workers go to the head of the booth's line."""
        raw = await self.redis.hget(keys.slots(fair_id), slot_id)
        if raw is None:  # removed meanwhile (which also unscheduled it)
            return {"noop": "removed"}
        slot = json.loads(raw)
        fresh = [new_id() for _ in range(slot["capacity"])]
        op_key = keys.slot_op(fair_id, "system", "-")
        args: list[str | int | float] = [keys.events(fair_id), "system", "system", 0]
        args += [self.limits.audit_max, slot_id, *fresh]
        result = _decoded(
            await self.scripts.run(
                "slot_start",
                [
                    *line_keys(fair_id, slot["booth_id"], op_key),
                    keys.slots(fair_id),
                    keys.slot_bookings(fair_id, slot_id),
                    keys.slots_due(fair_id),
                ],
                args,
            )
        )
        if "placed" in result:  # an empty Lua table comes back as {}
            result["placed"] = list(result["placed"] or [])
        return result

    async def remind(self, fair_id: str, slot_id: str) -> int:
        """Reminds the slot's booked workers, once; returns how many."""
        told: int = await self.scripts.run(
            "slot_remind",
            [keys.slots_due(fair_id), keys.slots(fair_id), keys.slot_bookings(fair_id, slot_id)],
            [keys.events(fair_id), slot_id],
        )
        return told

    # --- common ------------------------------------------------------------------------------

    def _common(self, fair_id: str, who: Participant) -> list[str | int | float]:
        return [
            keys.events(fair_id),
            who.id,
            who.role.value,
            self.limits.op_ttl,
            self.limits.audit_max,
        ]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _booked_at(booking: dict[str, Any]) -> float:
    return float(booking["booked_at"])


def _decoded(raw: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(raw)
    return found
