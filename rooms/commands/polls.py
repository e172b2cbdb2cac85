"""Live polls and quizzes (rooms/polls.py). Creating carries `op` so that a retry does not open
a second poll; an answer is counted once whatever is sent again; closing and drawing set a
state (a second draw returns the first)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt, StringConstraints

from rooms.commands.base import ChannelInput, Command, Id, Input, Op
from rooms.permissions import Action

Choice = Annotated[str, StringConstraints(max_length=400)]  # the domain trims and caps it


class Listing(ChannelInput):
    pass


class Create(ChannelInput):
    text: Annotated[str, StringConstraints(max_length=1000)]
    options: list[Choice] = Field(min_length=2, max_length=8)
    correct: StrictInt | None = None  # a quiz: the correct option's index
    seconds: StrictInt = Field(default=0, ge=0, le=3600)  # a quiz: its deadline from now
    op: Op | None = None


class Poll(Input):
    poll_id: Id


class Answer(Poll):
    option: StrictInt = Field(ge=0, le=7)


class Draw(Poll):
    winners: StrictInt = Field(default=1, ge=1, le=50)


COMMANDS = {
    "poll.list": Command(Listing, Action.ATTEND, "read", "a channel's latest polls; then events"),
    "poll.create": Command(Create, Action.POLL_HOST, "op", "ask a poll or a quiz"),
    "poll.answer": Command(Answer, Action.POLL_ANSWER, "idempotent", "answer once"),
    "poll.close": Command(Poll, Action.POLL_HOST, "idempotent", "stop taking answers"),
    "poll.draw": Command(Draw, Action.POLL_HOST, "idempotent", "close a quiz, draw winners"),
}
