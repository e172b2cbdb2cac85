"""The dispatch table of client messages: one small module of handlers per feature."""

from __future__ import annotations

from server.ws.handlers import interview, lobby, polls, qa, queue, report, slots, stage, stream
from server.ws.handlers.base import Handler

HANDLERS: dict[str, Handler] = {
    **lobby.HANDLERS,
    **stream.HANDLERS,
    **interview.HANDLERS,
    **qa.HANDLERS,
    **polls.HANDLERS,
    **queue.HANDLERS,
    **report.HANDLERS,
    **slots.HANDLERS,
    **stage.HANDLERS,
}
