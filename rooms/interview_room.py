"""An interview under way: who may be in it, its chat, its time, the recruiter's notes and outcome.

The interview record itself (who, when, how long) is made and ended by the queue
(`rooms/interviews.py`); what the room adds is kept beside it, so that the queue's scripts and
this module never rewrite each other's fields. Only the interview's worker and the recruiter who
called them are in the room; the booth's staff and the fair's moderators read the record and the
outcome, never the media or the chat.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints
from redis.asyncio import Redis

from rooms.errors import Forbidden, InvalidInput, InvalidState
from rooms.events import Audience, Event
from rooms.interviews import Interviews
from rooms.models import Participant, Strict
from rooms.permissions import Action, require, require_may
from rooms.store import keys
from rooms.store.records import CAS_ATTEMPTS
from rooms.store.scripts import Scripts, Stale

Side = Literal["worker", "recruiter"]
Outcome = Literal["passed", "on_site", "offer", "not_suitable", "no_show"]
CHAT_KEPT = 200
CHAT_MAX = 1000
OP_TTL = 600  # a chat message's or an extension's op is remembered this long


class NotesInput(Strict):
    outcome: Outcome | None = None
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] = ""


class Notes(NotesInput):
    by: str = ""
    at: float = 0.0
    extra_seconds: int = 0


class ExtendInput(Strict):
    minutes: int = Field(ge=1, le=60)


def other(side: Side) -> Side:
    return "recruiter" if side == "worker" else "worker"


class InterviewRoom:
    def __init__(self, redis: Redis, scripts: Scripts) -> None:
        self.redis = redis
        self.scripts = scripts
        self.interviews = Interviews(redis)

    async def member(
        self, fair_id: str, interview_id: str, who: Participant
    ) -> tuple[dict[str, Any], Side]:
        """The interview and `who`'s side in it; refused to anyone but its two participants."""
        interview = await self.interviews.get(fair_id, interview_id)
        if who.id == interview["worker_id"]:
            return interview, "worker"
        if who.id == interview["recruiter_id"]:
            return interview, "recruiter"
        raise Forbidden("only the interview's worker and recruiter may join it")

    async def readable(self, fair_id: str, interview_id: str, who: Participant) -> dict[str, Any]:
        """The record with its notes, for the booth's staff and the fair's moderators."""
        require_may(who, Action.QUEUE_SERVE, fair_id)
        interview = await self.interviews.get(fair_id, interview_id)
        require(who, Action.QUEUE_SERVE, fair_id, interview["booth_id"])
        return {**interview, "notes": (await self.notes(fair_id, interview_id)).model_dump()}

    async def notes(self, fair_id: str, interview_id: str) -> Notes:
        raw = await self.redis.hget(keys.interview_notes(fair_id), interview_id)
        return Notes() if raw is None else Notes.model_validate_json(raw)

    async def open(self, fair_id: str, interview_id: str, who: Participant) -> dict[str, Any]:
        """What a participant's page needs: the record, their side, the time, the chat so far."""
        interview, side = await self.member(fair_id, interview_id, who)
        notes = await self.notes(fair_id, interview["id"])
        booth = await self.redis.hget(keys.booths(fair_id), interview["booth_id"])
        slot = json.loads(booth or "{}").get("slot_minutes", 15) * 60 + notes.extra_seconds
        messages = await self.redis.lrange(keys.interview_chat(fair_id, interview["id"]), 0, -1)
        out = {
            "interview": interview,
            "side": side,
            "slot_seconds": slot,
            "extra_seconds": notes.extra_seconds,
            "chat": [json.loads(m) for m in messages],
        }
        if side == "recruiter":
            out["notes"] = notes.model_dump()
        return out

    async def say(
        self, fair_id: str, interview_id: str, who: Participant, text: str, op: str
    ) -> dict[str, Any]:
        """A chat message; a retry with the same `op` returns the first one."""
        interview, side = await self.member(fair_id, interview_id, who)
        if interview["ended_at"]:
            raise InvalidState("the interview has ended")
        if not text.strip() or len(text) > CHAT_MAX:
            raise InvalidInput(f"a message is 1 to {CHAT_MAX} characters")
        message = {"from": side, "name": who.name, "text": text.strip(), "at": time.time()}
        data = {"interview_id": interview["id"], "message": message}
        events = self._to_both(interview, "interview.said", data)
        sent = await self.scripts.run(
            "interview_say",
            [
                keys.interview_chat(fair_id, interview["id"]),
                keys.interview_op(fair_id, interview["id"], "say", who.id, op),
            ],
            [json.dumps(message), CHAT_KEPT, keys.events(fair_id), *events, OP_TTL],
        )
        said: dict[str, Any] = json.loads(sent)
        return said

    async def record(
        self, fair_id: str, interview_id: str, who: Participant, form: NotesInput
    ) -> dict[str, Any]:
        """The recruiter's notes and outcome (the booth's staff may correct them later)."""
        record = await self.readable(fair_id, interview_id, who)
        given = {name: getattr(form, name) for name in NotesInput.model_fields}

        def change(current: Notes) -> Notes:
            return current.model_copy(update={**given, "by": who.id, "at": time.time()})

        notes = await self._change_notes(fair_id, record, change, "interview.recorded")
        return notes.model_dump()

    async def extend(
        self, fair_id: str, interview_id: str, who: Participant, minutes: int, op: str
    ) -> dict[str, Any]:
        """More time; a retry with the same `op` extends once."""
        interview, side = await self.member(fair_id, interview_id, who)
        if side != "recruiter":
            raise Forbidden("only the recruiter extends the interview")
        if interview["ended_at"]:
            raise InvalidState("the interview has ended")

        def change(current: Notes) -> Notes:
            return current.model_copy(
                update={"extra_seconds": current.extra_seconds + minutes * 60}
            )

        op_key = keys.interview_op(fair_id, interview["id"], "extend", who.id, op)
        notes = await self._change_notes(fair_id, interview, change, "interview.extended", op_key)
        return {"extra_seconds": notes.extra_seconds}

    async def _change_notes(
        self,
        fair_id: str,
        interview: dict[str, Any],
        change: Any,
        event_type: str,
        op_key: str | None = None,
    ) -> Notes:
        key = keys.interview_notes(fair_id)
        ttl = OP_TTL if op_key else 0
        for _ in range(CAS_ATTEMPTS):
            raw: str | None = await self.redis.hget(key, interview["id"])  # type: ignore[assignment]
            current = Notes() if raw is None else Notes.model_validate_json(raw)
            notes: Notes = change(current)
            # a changed outcome is a report fact (rooms/reports/facts.py), recorded with it
            moved = notes.outcome != current.outcome
            data = {"interview_id": interview["id"], "extra_seconds": notes.extra_seconds}
            staff = Event(
                event_type,
                {**data, "outcome": notes.outcome, "booth_id": interview["booth_id"]},
                Audience("booth_staff", interview["booth_id"]),
            )
            events = [staff.encode()]
            if event_type == "interview.extended":
                events += self._to_both(interview, event_type, data)
            try:
                stored = await self.scripts.run(
                    "interview_note",
                    [
                        key,
                        op_key or keys.interview_op(fair_id, interview["id"], "-", "-", "-"),
                        keys.facts(fair_id),
                    ],
                    [
                        interview["id"],
                        notes.model_dump_json(),
                        raw or "",
                        keys.events(fair_id),
                        ttl,
                        interview["booth_id"] if moved else "",
                        notes.outcome or "",
                        *events,
                    ],
                    durable=True,
                )
            except Stale:
                continue
            return Notes.model_validate_json(stored)
        raise InvalidState("the notes are being changed elsewhere; try again")

    @staticmethod
    def _to_both(interview: dict[str, Any], event_type: str, data: dict[str, Any]) -> list[str]:
        """One event for each participant (a walk-in has no screen to send one to)."""
        to_recruiter = Event(event_type, data, Audience("user", user_id=interview["recruiter_id"]))
        to_worker = (
            ""
            if interview.get("walk_in")
            else Event(event_type, data, Audience("user", user_id=interview["worker_id"])).encode()
        )
        return [to_recruiter.encode(), to_worker]

    # --- a worker's own record ------------------------------------------------------------------

    async def history(self, fair_id: str, worker: Participant) -> list[dict[str, Any]]:
        """A worker's own interviews and their outcomes (not the recruiter's notes)."""
        found = []
        for interview in await self._all(fair_id):
            if interview["worker_id"] == worker.id:
                notes = await self.notes(fair_id, interview["id"])
                found.append({**interview, "outcome": notes.outcome})
        return sorted(found, key=lambda i: i["started_at"])

    async def _all(self, fair_id: str) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in await self.redis.hvals(keys.interviews(fair_id))]
