"""The interview room's commands besides media: the record, chat, time, notes and outcome."""

from __future__ import annotations

from rooms.commands.base import Command, Empty, Id, Input, Message, Op
from rooms.interview_room import ExtendInput, NotesInput
from rooms.permissions import Action


class Interview(Input):
    interview_id: Id


class Say(Interview):
    text: Message
    op: Op


class Extend(Interview, ExtendInput):
    op: Op


class Record(Interview, NotesInput):
    pass


class Report(Input):
    booth_id: Id | None = None


COMMANDS = {
    "interview.open": Command(Interview, Action.ATTEND, "read", "what the room shows"),
    "interview.say": Command(Say, Action.ATTEND, "op", "a chat message"),
    "interview.extend": Command(Extend, Action.QUEUE_SERVE, "op", "more minutes"),
    "interview.record": Command(Record, Action.QUEUE_SERVE, "idempotent", "notes and outcome"),
    "interview.get": Command(Interview, Action.QUEUE_SERVE, "read", "a record with its notes"),
    "interview.history": Command(Empty, Action.INTERVIEW_HISTORY, "read", "one's interviews"),
    "interview.report": Command(
        Report, Action.REPORT, "read", "outcomes per booth (rooms/reports)"
    ),
}
