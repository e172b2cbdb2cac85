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

from rooms.commands import interview, lobby, media, qa, queue, slots
from rooms.commands.base import Command, Input
from rooms.errors import Forbidden, InvalidInput
from rooms.models import Participant
from rooms.permissions import allowed, may
from rooms.validation import describe

COMMANDS: dict[str, Command] = {
    **lobby.COMMANDS,
    **media.COMMANDS,
    **interview.COMMANDS,
    **qa.COMMANDS,
    **queue.COMMANDS,
    **slots.COMMANDS,
}


def admit(who: Participant, fair_id: str, name: str, data: Any) -> Input:
    """The command's validated input, once `who` may give it in this fair."""
    command = COMMANDS.get(name)
    if command is None:
        raise InvalidInput("unknown message type")
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
