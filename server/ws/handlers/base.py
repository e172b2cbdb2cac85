"""What a handler receives: who is asking (from the signed session, never from the message)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rooms.models import Participant
from server.services import Services
from server.ws.connection import Connection


@dataclass(frozen=True, slots=True)
class Context:
    services: Services
    user: Participant
    fair_id: str
    conn: Connection


# a handler gets the input `rooms.commands.admit` validated for its message type
Handler = Callable[[Context, Any], Awaitable[Any]]
