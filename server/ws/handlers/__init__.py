"""The dispatch table of client messages: one small module of handlers per feature."""

from __future__ import annotations

from server.ws.handlers import lobby, qa, queue, stream
from server.ws.handlers.base import Handler

HANDLERS: dict[str, Handler] = {
    **lobby.HANDLERS,
    **stream.HANDLERS,
    **qa.HANDLERS,
    **queue.HANDLERS,
}
