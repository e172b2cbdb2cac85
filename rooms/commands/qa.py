"""Q&A commands (docs/protocol-qa.md). Votes, moderation and answers set a state, so a retry
has the same effect; an ask carries `op` so that a retry does not ask twice."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictInt

from rooms.commands.base import ChannelInput, Command, Flag, Id, Input, Message, Op, QuestionId
from rooms.permissions import Action


class Listing(ChannelInput):
    sort: Literal["top", "new"] = "top"


class Ask(ChannelInput):
    text: Message
    anonymous: Flag = False
    op: Op | None = None


class Question(Input):
    question_id: QuestionId


class Text(Question):
    text: Message


class Pin(Question):
    pinned: Flag = True


class Answered(Question):
    answered: Flag = True


class Merge(Input):
    from_: QuestionId = Field(alias="from")
    into: QuestionId


class Answering(ChannelInput):
    question_id: QuestionId | None


class Premoderation(ChannelInput):
    on: Flag


class Person(Input):
    user_id: Id


class Log(Input):
    count: StrictInt = Field(default=100, ge=1, le=1000)


COMMANDS = {
    "qa.list": Command(Listing, Action.ATTEND, "read", "a channel's questions; then its events"),
    "qa.ask": Command(Ask, Action.QA_ASK, "op", "ask a question"),
    "qa.vote": Command(Question, Action.QA_ASK, "idempotent", "vote for a question"),
    "qa.unvote": Command(Question, Action.QA_ASK, "idempotent", "take one's vote back"),
    "qa.answering": Command(Answering, Action.QA_ANSWER, "idempotent", "the one answered now"),
    "qa.answer": Command(Text, Action.QA_ANSWER, "idempotent", "answer in writing"),
    "qa.mark_answered": Command(Answered, Action.QA_ANSWER, "idempotent", "answered live"),
    "qa.premoderation": Command(Premoderation, Action.QA_MODERATE, "idempotent", "hold new ones"),
    "qa.approve": Command(Question, Action.QA_MODERATE, "idempotent", "show a question"),
    "qa.hide": Command(Question, Action.QA_MODERATE, "idempotent", "hide a question"),
    "qa.edit": Command(Text, Action.QA_MODERATE, "idempotent", "correct a question's text"),
    "qa.pin": Command(Pin, Action.QA_MODERATE, "idempotent", "pin or unpin"),
    "qa.merge": Command(Merge, Action.QA_MODERATE, "idempotent", "merge a duplicate"),
    "qa.mute": Command(Person, Action.QA_MODERATE, "idempotent", "bar a worker from asking"),
    "qa.unmute": Command(Person, Action.QA_MODERATE, "idempotent", "lift a mute or removal"),
    "qa.remove_participant": Command(
        Person, Action.QA_MODERATE, "idempotent", "bar from asking and hide their questions"
    ),
    "qa.log": Command(Log, Action.QA_MODERATE, "read", "the moderation log"),
}
