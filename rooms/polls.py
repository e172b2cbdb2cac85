"""Live polls and quizzes in a channel (a booth, or `stage` for the fair's main stage).

The channel's staff (moderators; the booth's recruiters; on the stage, speakers) host them: a poll
asks a question with options; a quiz also names the correct option and a deadline. Attendees
answer once (`poll_answer.lua`: the first answer stands, whatever node or retry sends another).
Results are public and live (server/poll_notifier.py coalesces them); a quiz's correct option is
shown to attendees once it closes. A quiz's winners are drawn among the correct answers by `draw`:
a pure function of a random seed and the answerers' ids, so the draw can be redone from the seed
the facts record (`draw` fact) and the log line names. Every change is one script that also
records a fact (rooms/reports/) and publishes its event.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from redis.asyncio import Redis

from rooms.errors import InvalidInput, NotFound
from rooms.models import Participant
from rooms.permissions import Action, allowed, require
from rooms.qa import STAGE, booth_of, clean_text
from rooms.store import keys
from rooms.store.records import new_id
from rooms.store.scripts import Scripts

log = logging.getLogger(__name__)

Kind = Literal["poll", "quiz"]


@dataclass(frozen=True, slots=True)
class PollLimits:
    text_max: int = 300
    option_max: int = 120
    options_min: int = 2
    options_max: int = 8
    per_channel: int = 500  # polls a channel may hold
    answers_per_window: int = 20  # a person's answers (all polls) per window
    window_seconds: int = 60
    seconds_max: int = 3600  # a quiz's longest deadline
    winners_max: int = 50
    op_ttl: int = 600
    list_max: int = 20  # the latest polls a list returns


def draw(seed: str, candidates: Iterable[str], winners: int) -> list[str]:
    """The winners among `candidates`: those whose SHA-256 of `seed:id` is smallest. Depends on
    nothing but the seed and the set of ids (not their order), so anyone can redo it."""

    def rank(person: str) -> bytes:
        return hashlib.sha256(f"{seed}:{person}".encode()).digest()

    return sorted(set(candidates), key=rank)[: max(winners, 0)]


def is_host(user: Participant, fair_id: str, channel: str) -> bool:
    return allowed(user, Action.POLL_HOST, fair_id, booth_of(channel))


def view(p: Mapping[str, Any], counts: Mapping[str, Any], staff: bool) -> dict[str, Any]:
    """What a viewer sees of a poll: the correct option only for its hosts until it closes."""
    closed = p["state"] != "open"
    n = int(p["n"])
    out: dict[str, Any] = {
        "id": p["id"],
        "channel": p["channel"],
        "kind": p["kind"],
        "text": p["text"],
        "options": json.loads(p["options"]),
        "state": p["state"],
        "closes_at": float(p["closes_at"]) or None,
        "created_at": float(p["created_at"]),
        "host": p["host_name"],
        "counts": [int(counts.get(str(i), 0)) for i in range(n)],
        "total": int(p["total"]),
        "correct": None,
        "winners": json.loads(p["winners"]) if p.get("winners") else None,
        "seed": p.get("seed") or None,
        "candidates": int(p.get("candidates") or 0),
    }
    if p["kind"] == "quiz" and (closed or staff):
        out["correct"] = int(p["correct"])
    return out


class Polls:
    def __init__(self, redis: Redis, scripts: Scripts, limits: PollLimits | None = None) -> None:
        self.redis = redis
        self.scripts = scripts
        self.limits = limits or PollLimits()

    async def _read(self, fair_id: str, poll_id: str) -> tuple[dict[str, str], dict[str, str]]:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(keys.poll(fair_id, poll_id))
            pipe.hgetall(keys.poll_counts(fair_id, poll_id))
            raw, counts = await pipe.execute()
        if not raw:
            raise NotFound("no such poll")
        return raw, counts

    async def get(self, fair_id: str, user: Participant, poll_id: str) -> dict[str, Any]:
        raw, counts = await self._read(fair_id, poll_id)
        return view(raw, counts, is_host(user, fair_id, raw["channel"]))

    async def listing(self, fair_id: str, user: Participant, channel: str) -> dict[str, Any]:
        """The channel's latest polls, newest first, each with what `user` answered."""
        require(user, Action.ATTEND, fair_id)
        await self._require_channel(fair_id, channel)
        ids: list[str] = await self.redis.zrevrange(  # type: ignore[assignment]
            keys.polls_of(fair_id, channel), 0, self.limits.list_max - 1
        )
        staff = is_host(user, fair_id, channel)
        async with self.redis.pipeline(transaction=False) as pipe:
            for pid in ids:
                pipe.hgetall(keys.poll(fair_id, pid))
                pipe.hgetall(keys.poll_counts(fair_id, pid))
                pipe.hget(keys.poll_answers(fair_id, pid), user.id)
            replies = await pipe.execute()
        polls = []
        for raw, counts, mine in zip(replies[::3], replies[1::3], replies[2::3], strict=True):
            if raw:
                shown = view(raw, counts, staff)
                shown["answer"] = None if mine is None else int(mine)
                polls.append(shown)
        may_answer = allowed(user, Action.POLL_ANSWER, fair_id, None)
        return {"channel": channel, "host": staff, "may_answer": may_answer, "polls": polls}

    async def _require_channel(self, fair_id: str, channel: str) -> None:
        if channel != STAGE and not await self.redis.hexists(keys.booths(fair_id), channel):
            raise NotFound("no such booth")

    async def create(
        self,
        fair_id: str,
        user: Participant,
        channel: str,
        text: str,
        options: list[str],
        correct: int | None = None,
        seconds: int = 0,
        op: str | None = None,
    ) -> dict[str, Any]:
        """A poll (`correct` None) or a quiz (`correct` and a deadline `seconds` from now)."""
        require(user, Action.POLL_HOST, fair_id, booth_of(channel))
        lim = self.limits
        text = clean_text(text, "question", lim.text_max)
        choices = [clean_text(o, "option", lim.option_max) for o in options]
        if not lim.options_min <= len(choices) <= lim.options_max:
            raise InvalidInput(f"a poll has {lim.options_min} to {lim.options_max} options")
        kind: Kind = "poll" if correct is None else "quiz"
        if correct is not None and not 0 <= correct < len(choices):
            raise InvalidInput("the correct option is not one of the options")
        if kind == "quiz" and not 0 < seconds <= lim.seconds_max:
            raise InvalidInput(f"a quiz needs a deadline of 1 to {lim.seconds_max} seconds")
        new = new_id()
        poll_id = await self.scripts.run(
            "poll_create",
            [
                keys.booths(fair_id),
                keys.poll(fair_id, new),
                keys.polls_of(fair_id, channel),
                keys.poll_op(fair_id, user.id, op or "-"),
                keys.facts(fair_id),
            ],
            [
                channel,
                new,
                kind,
                text,
                json.dumps(choices, ensure_ascii=False),
                len(choices),
                "" if correct is None else correct,
                seconds,
                user.id,
                user.name,
                lim.op_ttl,
                "1" if op else "0",
                lim.per_channel,
                keys.events(fair_id),
            ],
        )
        return await self.get(fair_id, user, str(poll_id))

    async def answer(
        self, fair_id: str, user: Participant, poll_id: str, option: int
    ) -> dict[str, Any]:
        """`counted` False: this person had answered already; `option` is their first answer."""
        require(user, Action.POLL_ANSWER, fair_id)
        lim = self.limits
        chosen, counted, total = await self.scripts.run(
            "poll_answer",
            [
                keys.poll(fair_id, poll_id),
                keys.poll_answers(fair_id, poll_id),
                keys.poll_counts(fair_id, poll_id),
                keys.qa_restricted(fair_id),
                keys.poll_rate(fair_id, user.id),
                keys.facts(fair_id),
            ],
            [user.id, option, lim.answers_per_window, lim.window_seconds, keys.events(fair_id)],
        )
        return {"id": poll_id, "option": int(chosen), "counted": bool(counted), "total": total}

    async def _hosted(self, fair_id: str, user: Participant, poll_id: str) -> str:
        """The poll's channel, once `user` may host polls there."""
        channel: str | None = await self.redis.hget(keys.poll(fair_id, poll_id), "channel")  # type: ignore[assignment]
        if channel is None:
            raise NotFound("no such poll")
        require(user, Action.POLL_HOST, fair_id, booth_of(channel))
        return channel

    async def close(self, fair_id: str, user: Participant, poll_id: str) -> dict[str, Any]:
        await self._hosted(fair_id, user, poll_id)
        await self._close(fair_id, user, poll_id)
        return await self.get(fair_id, user, poll_id)

    async def _close(self, fair_id: str, user: Participant, poll_id: str) -> None:
        events = keys.events(fair_id)
        await self.scripts.run("poll_close", _keys(fair_id, poll_id), [user.id, events])

    async def draw_winners(
        self, fair_id: str, user: Participant, poll_id: str, winners: int
    ) -> dict[str, Any]:
        """Close the quiz (no answer can land after), draw among its correct answers, record the
        draw once; a second call returns the first draw."""
        await self._hosted(fair_id, user, poll_id)
        if await self.redis.hget(keys.poll(fair_id, poll_id), "kind") != "quiz":
            raise InvalidInput("only a quiz has winners")
        await self._close(fair_id, user, poll_id)
        raw, _counts = await self._read(fair_id, poll_id)
        if not raw["seed"]:
            answers: dict[str, str] = await self.redis.hgetall(  # type: ignore[assignment]
                keys.poll_answers(fair_id, poll_id)
            )
            correct = [who for who, option in answers.items() if option == raw["correct"]]
            seed = secrets.token_hex(16)
            chosen = draw(seed, correct, min(winners, self.limits.winners_max))
            names = await self.redis.hmget(keys.people(fair_id), chosen) if chosen else []
            announced = [
                {"id": who, "name": json.loads(person)["name"] if person else ""}
                for who, person in zip(chosen, names, strict=True)
            ]
            recorded = await self.scripts.run(
                "poll_draw",
                _keys(fair_id, poll_id),
                [
                    seed,
                    ",".join(chosen),
                    json.dumps(announced, ensure_ascii=False),
                    len(correct),
                    keys.events(fair_id),
                ],
            )
            if recorded == seed:
                log.info(
                    "quiz draw fair=%s poll=%s seed=%s correct=%d winners=%s",
                    fair_id,
                    poll_id,
                    seed,
                    len(correct),
                    ",".join(chosen),
                )
        return await self.get(fair_id, user, poll_id)


def _keys(fair_id: str, poll_id: str) -> list[str]:
    """The keys of closing and drawing: the poll, its counts, the fair's facts."""
    return [keys.poll(fair_id, poll_id), keys.poll_counts(fair_id, poll_id), keys.facts(fair_id)]
