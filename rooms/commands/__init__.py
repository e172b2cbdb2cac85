"""The one door for commands: every websocket message and HTTP write is a named command with a
typed input and an action from the permission table (rooms/permissions.py). `admit` checks both
before anything touches Redis; what the input cannot tell (the booth of an entry or a question)
the domain checks with the same table once it has read it.

docs/commands.md is generated from this table (`python -m rooms.commands`), and a test keeps it
in step.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from rooms.commands import interview, lobby, media, polls, qa, queue, report, slots, stage
from rooms.commands.base import Command, Input
from rooms.commands.writes import WRITES
from rooms.errors import Forbidden, InvalidInput
from rooms.models import Participant
from rooms.permissions import allowed, may
from rooms.validation import describe

COMMANDS: dict[str, Command] = {
    **lobby.COMMANDS,
    **media.COMMANDS,
    **interview.COMMANDS,
    **qa.COMMANDS,
    **polls.COMMANDS,
    **queue.COMMANDS,
    **report.COMMANDS,
    **slots.COMMANDS,
    **stage.COMMANDS,
}


def admit(who: Participant, fair_id: str, name: str, data: Any) -> Input:
    """A websocket message's validated input, once `who` may send it in this fair."""
    command = COMMANDS.get(name)
    if command is None:
        raise InvalidInput("unknown message type")
    return _check(who, fair_id, name, command, data)


def admit_write(who: Participant, fair_id: str | None, name: str, data: Any) -> Input:
    """An HTTP write's validated input (path ids included), once `who` may make it here."""
    return _check(who, fair_id, name, WRITES[name], data)


def _check(who: Participant, fair_id: str | None, name: str, command: Command, data: Any) -> Input:
    if not may(who, command.action, fair_id):
        raise Forbidden(f"a {who.role.value} may not {name} here")
    if not isinstance(data, dict):
        raise InvalidInput("data must be a JSON object")
    try:
        given = command.input.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(describe(exc)) from None
    if given.names_booth and not allowed(who, command.action, fair_id, given.booth()):
        raise Forbidden(f"a {who.role.value} may not {name} for this booth")
    return given
