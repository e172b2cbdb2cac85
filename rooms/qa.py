"""Live Q&A of a booth stream or of the fair's main stage: questions, votes and moderation.

A channel is a booth id, or `stage` for the whole fair. Every transition is one Lua script
(`store/scripts/qa_*.lua`) that changes the keys, logs moderation, and publishes an event. The
published `qa.question` event carries the whole question, author included: it is for nodes only,
and `view()` decides per viewer what reaches a socket (server/qa_notifier.py). Who sees what:

- staff of the channel (moderators; the booth's recruiters) see every question and who asked;
- the author sees their own question whatever its status;
- everyone else sees approved questions only, and no name when the author asked anonymously.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from redis.asyncio import Redis

from rooms.errors import InvalidInput, InvalidState, NotFound
from rooms.models import Participant, Role
from rooms.permissions import Action, allowed, require
from rooms.store import keys
from rooms.store.records import new_id
from rooms.store.scripts import Scripts

STAGE = "stage"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # keeps tab and newline

Viewer = Literal["staff", "author", "public"]
Sort = Literal["top", "new"]
Restriction = Literal["muted", "removed", ""]


@dataclass(frozen=True, slots=True)
class QALimits:
    text_max: int = 500
    answer_max: int = 2000
    questions_per_window: int = 3
    window_seconds: int = 60
    list_max: int = 200  # approved questions a list returns (and as many held ones for staff)
    log_max: int = 10_000  # moderation log entries kept (approximately: XADD MAXLEN ~)
    op_ttl: int = 600  # how long a client op is remembered, so a retried ask is not doubled


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    channel: str
    text: str
    author_id: str
    author_name: str
    anonymous: bool
    status: str  # pending | approved | hidden | merged
    votes: int
    pinned: bool
    answered: bool
    answer: str
    answered_by: str
    seq: int
    created_at: float
    edited: bool
    merged_into: str

    @classmethod
    def from_hash(cls, h: Mapping[str, Any]) -> Question:
        return cls(
            id=str(h["id"]),
            channel=str(h["channel"]),
            text=str(h["text"]),
            author_id=str(h["author_id"]),
            author_name=str(h["author_name"]),
            anonymous=str(h["anonymous"]) == "1",
            status=str(h["status"]),
            votes=int(h["votes"]),
            pinned=str(h["pinned"]) == "1",
            answered=str(h["answered"]) == "1",
            answer=str(h.get("answer", "")),
            answered_by=str(h.get("answered_by", "")),
            seq=int(h["seq"]),
            created_at=float(h["created_at"]),
            edited=str(h.get("edited", "0")) == "1",
            merged_into=str(h.get("merged_into", "")),
        )


def booth_of(channel: str) -> str | None:
    return None if channel == STAGE else channel


def is_staff(user: Participant, fair_id: str, channel: str) -> bool:
    return allowed(user, Action.QA_ANSWER, fair_id, booth_of(channel))


def viewer_of(user: Participant, fair_id: str, question: Question) -> Viewer:
    if is_staff(user, fair_id, question.channel):
        return "staff"
    return "author" if user.id == question.author_id else "public"


def visible(status: str, viewer: Viewer) -> bool:
    return status != "merged" and (viewer != "public" or status == "approved")


def view(q: Question, viewer: Viewer) -> dict[str, Any] | None:
    """What `viewer` may see of `q`, or None: the only place the visibility rules live."""
    if not visible(q.status, viewer):
        return None
    out: dict[str, Any] = {
        "id": q.id,
        "channel": q.channel,
        "text": q.text,
        "status": q.status,
        "anonymous": q.anonymous,
        "author": None if q.anonymous and viewer == "public" else q.author_name,
        "mine": viewer == "author",
        "votes": q.votes,
        "pinned": q.pinned,
        "answered": q.answered,
        "answer": q.answer,
        "answered_by": q.answered_by,
        "edited": q.edited,
        "created_at": q.created_at,
        "seq": q.seq,
    }
    if viewer == "staff":
        out["author_id"] = q.author_id
    return out


def clean_text(value: str, what: str, limit: int) -> str:
    """Plain text, stored as typed (pages render it as text, never as HTML)."""
    text = _CONTROL.sub("", value).strip()
    if not text:
        raise InvalidInput(f"{what} is empty")
    if len(text) > limit:
        raise InvalidInput(f"{what} is too long: {len(text)} characters, at most {limit}")
    return text


class QA:
    def __init__(self, redis: Redis, scripts: Scripts, limits: QALimits | None = None) -> None:
        self.redis = redis
        self.scripts = scripts
        self.limits = limits or QALimits()

    # --- reading ---------------------------------------------------------------------------

    async def get(self, fair_id: str, question_id: str) -> Question:
        raw: dict[str, str] = await self.redis.hgetall(keys.qa_question(fair_id, question_id))  # type: ignore[assignment]
        if not raw:
            raise NotFound("no such question")
        return Question.from_hash(raw)

    async def require_channel(self, fair_id: str, channel: str) -> str:
        exists: bool = channel == STAGE or await self.redis.hexists(keys.booths(fair_id), channel)
        if not exists:
            raise NotFound("no such booth")
        return channel

    async def settings(self, fair_id: str, channel: str) -> dict[str, Any]:
        raw: dict[str, str] = await self.redis.hgetall(keys.qa_settings(fair_id, channel))  # type: ignore[assignment]
        return {
            "channel": channel,
            "premoderation": raw.get("premoderation") == "1",
            "answering": raw.get("answering", ""),
        }

    async def listing(
        self, fair_id: str, user: Participant, channel: str, sort: Sort = "top"
    ) -> dict[str, Any]:
        """The channel's questions as `user` may see them, with the settings and `voted` marks."""
        channel = await self.require_channel(fair_id, channel)
        staff = is_staff(user, fair_id, channel)
        n = self.limits.list_max
        ranking = keys.qa_top if sort == "top" else keys.qa_new
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zrevrange(ranking(fair_id, channel), 0, n - 1)
            if staff:
                pipe.zrevrange(keys.qa_held(fair_id, channel), 0, n - 1)
            else:
                pipe.smembers(keys.qa_by_author(fair_id, user.id))
            pipe.hget(keys.qa_restricted(fair_id), user.id)
            approved_ids, other_ids, restricted = await pipe.execute()
        approved_set = set(approved_ids)
        ids = list(approved_ids) + [i for i in other_ids if i not in approved_set]
        async with self.redis.pipeline(transaction=False) as pipe:
            for qid in ids:
                pipe.hgetall(keys.qa_question(fair_id, qid))
                pipe.sismember(keys.qa_voters(fair_id, qid), user.id)
            replies = await pipe.execute()
        questions = []
        for raw, voted in zip(replies[::2], replies[1::2], strict=True):
            if not raw or raw["channel"] != channel:
                continue
            q = Question.from_hash(raw)
            shown = view(q, viewer_of(user, fair_id, q))
            if shown is not None:
                shown["voted"] = bool(voted)
                questions.append(shown)
        return {
            **await self.settings(fair_id, channel),
            "sort": sort,
            "questions": questions,
            "restricted": restricted or "",
        }

    async def log(self, fair_id: str, user: Participant, count: int = 100) -> list[dict[str, Any]]:
        require(user, Action.QA_MODERATE, fair_id)
        entries: list[tuple[str, dict[str, str]]] = await self.redis.xrevrange(  # type: ignore[assignment]
            keys.qa_log(fair_id), count=count
        )
        return [{"id": entry_id, **fields} for entry_id, fields in entries]

    # --- attendees ---------------------------------------------------------------------------

    async def ask(
        self,
        fair_id: str,
        user: Participant,
        channel: str,
        text: str,
        anonymous: bool,
        op: str | None,
    ) -> dict[str, Any]:
        """Ask; with the same `op` again (a retry), returns the question the first ask made."""
        require(user, Action.QA_ASK, fair_id)
        text = clean_text(text, "question", self.limits.text_max)
        lim = self.limits
        new = new_id()
        qid, _created = await self.scripts.run(
            "qa_ask",
            [
                keys.booths(fair_id),
                keys.qa_restricted(fair_id),
                keys.qa_rate(fair_id, user.id),
                keys.qa_op(fair_id, user.id, op or "-"),
                keys.qa_question(fair_id, new),
                keys.qa_settings(fair_id, channel),
                keys.qa_top(fair_id, channel),
                keys.qa_new(fair_id, channel),
                keys.qa_held(fair_id, channel),
                keys.qa_by_author(fair_id, user.id),
                keys.facts(fair_id),
            ],
            [
                channel,
                new,
                user.id,
                user.name,
                text,
                "1" if anonymous else "0",
                time.time(),
                lim.questions_per_window,
                lim.window_seconds,
                lim.op_ttl,
                "1" if op else "0",
                keys.events(fair_id),
            ],
        )
        question = await self.get(fair_id, qid)
        shown = view(question, viewer_of(user, fair_id, question))
        assert shown is not None
        return shown

    async def vote(
        self, fair_id: str, user: Participant, question_id: str, up: bool = True
    ) -> dict[str, Any]:
        require(user, Action.QA_ASK, fair_id)
        votes, voted = await self.scripts.run(
            "qa_vote",
            [
                keys.qa_question(fair_id, question_id),
                keys.qa_voters(fair_id, question_id),
                keys.qa_top(fair_id, await self._channel_of(fair_id, question_id)),
                keys.qa_restricted(fair_id),
            ],
            [user.id, "1" if up else "0", keys.events(fair_id)],
        )
        return {"id": question_id, "votes": int(votes), "voted": bool(voted)}

    async def _channel_of(self, fair_id: str, question_id: str) -> str:
        channel: str | None = await self.redis.hget(  # type: ignore[assignment]
            keys.qa_question(fair_id, question_id), "channel"
        )
        if channel is None:
            raise NotFound("no such question")
        return str(channel)

    # --- staff: one question ----------------------------------------------------------------

    async def approve(self, fair_id: str, user: Participant, qid: str) -> dict[str, Any]:
        return await self._update(
            fair_id,
            user,
            qid,
            Action.QA_MODERATE,
            "approve",
            ",pending,hidden,",
            {"status": "approved"},
        )

    async def hide(
        self, fair_id: str, user: Participant, qid: str, detail: str = ""
    ) -> dict[str, Any]:
        return await self._update(
            fair_id,
            user,
            qid,
            Action.QA_MODERATE,
            "hide",
            ",pending,approved,",
            {"status": "hidden"},
            detail,
        )

    async def edit(self, fair_id: str, user: Participant, qid: str, text: str) -> dict[str, Any]:
        text = clean_text(text, "question", self.limits.text_max)
        return await self._update(
            fair_id, user, qid, Action.QA_MODERATE, "edit", "", {"text": text, "edited": "1"}
        )

    async def pin(self, fair_id: str, user: Participant, qid: str, on: bool) -> dict[str, Any]:
        return await self._update(
            fair_id,
            user,
            qid,
            Action.QA_MODERATE,
            "pin" if on else "unpin",
            "",
            {"pinned": "1" if on else "0"},
        )

    async def answer(self, fair_id: str, user: Participant, qid: str, text: str) -> dict[str, Any]:
        """A written answer; it also marks the question answered."""
        text = clean_text(text, "answer", self.limits.answer_max)
        fields = {"answer": text, "answered": "1", "answered_by": user.name}
        return await self._update(
            fair_id, user, qid, Action.QA_ANSWER, "answer", ",approved,", fields
        )

    async def mark_answered(
        self, fair_id: str, user: Participant, qid: str, answered: bool
    ) -> dict[str, Any]:
        """Answered live on the stream (no text), or reopened with `answered` false."""
        fields = {
            "answered": "1" if answered else "0",
            "answered_by": user.name if answered else "",
        }
        return await self._update(
            fair_id,
            user,
            qid,
            Action.QA_ANSWER,
            "mark_answered" if answered else "reopen",
            ",approved,",
            fields,
        )

    async def _update(
        self,
        fair_id: str,
        user: Participant,
        qid: str,
        action: Action,
        name: str,
        allowed_from: str,
        fields: dict[str, str],
        detail: str = "",
    ) -> dict[str, Any]:
        q = await self.get(fair_id, qid)
        require(user, action, fair_id, booth_of(q.channel))
        pairs: list[str | int | float] = [x for kv in fields.items() for x in kv]
        await self.scripts.run(
            "qa_update",
            [
                keys.qa_question(fair_id, q.id),
                keys.qa_top(fair_id, q.channel),
                keys.qa_new(fair_id, q.channel),
                keys.qa_held(fair_id, q.channel),
                keys.qa_settings(fair_id, q.channel),
                keys.qa_log(fair_id),
                keys.facts(fair_id),
            ],
            [
                name,
                allowed_from,
                user.id,
                user.name,
                time.time(),
                keys.events(fair_id),
                self.limits.log_max,
                detail or (fields.get("text", "") if name == "edit" else ""),
                *pairs,
            ],
        )
        return self._staff_view(await self.get(fair_id, q.id))

    @staticmethod
    def _staff_view(q: Question) -> dict[str, Any]:
        shown = view(q, "staff") or {"id": q.id, "status": q.status, "merged_into": q.merged_into}
        return shown

    async def merge(
        self, fair_id: str, user: Participant, from_id: str, into_id: str
    ) -> dict[str, Any]:
        """Fold a duplicate into `into`: its voters join (each counted once), it disappears."""
        src, dst = await self.get(fair_id, from_id), await self.get(fair_id, into_id)
        require(user, Action.QA_MODERATE, fair_id, booth_of(src.channel))
        await self.scripts.run(
            "qa_merge",
            [
                keys.qa_question(fair_id, src.id),
                keys.qa_question(fair_id, dst.id),
                keys.qa_voters(fair_id, src.id),
                keys.qa_voters(fair_id, dst.id),
                keys.qa_top(fair_id, src.channel),
                keys.qa_new(fair_id, src.channel),
                keys.qa_held(fair_id, src.channel),
                keys.qa_settings(fair_id, src.channel),
                keys.qa_log(fair_id),
                keys.facts(fair_id),
            ],
            [user.id, user.name, time.time(), keys.events(fair_id), self.limits.log_max],
        )
        return self._staff_view(await self.get(fair_id, dst.id))

    # --- staff: the channel and participants ---------------------------------------------------

    async def set_answering(
        self, fair_id: str, user: Participant, channel: str, qid: str | None
    ) -> dict[str, Any]:
        """The question being answered now on the stream (None: none)."""
        require(user, Action.QA_ANSWER, fair_id, booth_of(channel))
        channel = await self.require_channel(fair_id, channel)
        target = keys.qa_question(fair_id, qid) if qid else keys.qa_settings(fair_id, channel)
        await self._settings(fair_id, user, channel, "answering", qid or "", target)
        return await self.settings(fair_id, channel)

    async def set_premoderation(
        self, fair_id: str, user: Participant, channel: str, on: bool
    ) -> dict[str, Any]:
        """On: new questions wait for approval. Questions already asked keep their status."""
        require(user, Action.QA_MODERATE, fair_id, booth_of(channel))
        channel = await self.require_channel(fair_id, channel)
        settings_key = keys.qa_settings(fair_id, channel)
        await self._settings(
            fair_id, user, channel, "premoderation", "1" if on else "0", settings_key
        )
        return await self.settings(fair_id, channel)

    async def _settings(
        self, fair_id: str, user: Participant, channel: str, name: str, value: str, key: str
    ) -> None:
        await self.scripts.run(
            "qa_settings",
            [keys.qa_settings(fair_id, channel), keys.qa_log(fair_id), key],
            [
                name,
                value,
                user.id,
                user.name,
                time.time(),
                channel,
                keys.events(fair_id),
                self.limits.log_max,
            ],
        )

    async def restrict(
        self, fair_id: str, user: Participant, target_id: str, state: Restriction
    ) -> dict[str, Any]:
        """Mute (`muted`), ban from the Q&A (`removed`: their questions are hidden too) or
        restore (""). Only workers can be restricted; they keep watching and queueing."""
        require(user, Action.QA_MODERATE, fair_id)
        role = await self._role(fair_id, target_id)
        if role is not Role.WORKER:
            raise InvalidState("only workers can be muted or removed from the Q&A")
        action = {"muted": "mute", "removed": "remove_participant", "": "unmute"}[state]
        await self.scripts.run(
            "qa_restrict",
            [keys.qa_restricted(fair_id), keys.people(fair_id), keys.qa_log(fair_id)],
            [
                target_id,
                state,
                user.id,
                user.name,
                time.time(),
                keys.events(fair_id),
                self.limits.log_max,
                action,
            ],
        )
        hidden = 0
        if state == "removed":
            hidden = await self._hide_all_of(fair_id, user, target_id)
        return {"user_id": target_id, "state": state, "hidden": hidden}

    async def _role(self, fair_id: str, participant_id: str) -> Role | None:
        raw: str | None = await self.redis.hget(keys.people(fair_id), participant_id)  # type: ignore[assignment]
        if raw is None:
            raise NotFound("no such participant in this fair")
        return Participant.model_validate_json(raw).role

    async def _hide_all_of(self, fair_id: str, user: Participant, author_id: str) -> int:
        """After a ban: each of the author's visible questions is hidden (each one atomically;
        the ban itself already stops new ones)."""
        hidden = 0
        asked: set[str] = await self.redis.smembers(keys.qa_by_author(fair_id, author_id))  # type: ignore[assignment]
        for qid in asked:
            try:
                await self.hide(fair_id, user, qid, "participant removed from the Q&A")
            except (InvalidState, NotFound):
                continue  # already hidden or merged
            hidden += 1
        return hidden
