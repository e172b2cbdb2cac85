"""The lobby's commands: re-read everything after a gap, and an application-level ping."""

from __future__ import annotations

from rooms.commands.base import Command, Empty
from rooms.permissions import Action

COMMANDS = {
    "fair.snapshot": Command(Empty, Action.ATTEND, "read", "the whole lobby"),
    "ping": Command(Empty, Action.ATTEND, "read", "is the server there"),
}
