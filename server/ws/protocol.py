"""Wire format of the fair websocket, version 1 (docs/protocol.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rooms.errors import InvalidInput
from server.wire import SURROGATE, decode, has_lone_surrogate, unpaired

VERSION = 1

# Close codes (RFC 6455 and the 4000 range for application reasons).
CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008  # rate abuse
CLOSE_TOO_BIG = 1009
CLOSE_SERVICE_RESTART = 1012  # the server is stopping: reconnect (to another server)
CLOSE_TRY_AGAIN = 1013  # the client did not read its events fast enough
CLOSE_UNAUTHENTICATED = 4401  # no session, or it expired: sign in again
CLOSE_FORBIDDEN = 4403  # not a participant of this fair, or the fair is gone

MAX_ID = 64
MAX_TYPE = 64


@dataclass(frozen=True, slots=True)
class ClientMessage:
    id: str
    type: str
    data: Any


class Malformed(InvalidInput):
    """A message that is not one: answered with its id when it had a usable one."""

    def __init__(self, message: str, msg_id: str | None = None) -> None:
        super().__init__(message)
        self.msg_id = msg_id


def parse(text: str) -> ClientMessage:
    """The message, or `Malformed` carrying the message's id when it had a usable one."""
    try:
        raw = decode(text)
    except InvalidInput as exc:
        raise Malformed(exc.message) from None
    if not isinstance(raw, dict):
        raise Malformed("message must be a JSON object")
    msg_id = raw.get("id")
    if not isinstance(msg_id, str) or not 0 < len(msg_id) <= MAX_ID or has_lone_surrogate(msg_id):
        raise Malformed(f"id must be a string of 1 to {MAX_ID} characters")
    if unpaired(text, raw):
        raise Malformed(SURROGATE, msg_id)
    msg_type = raw.get("type")
    if not isinstance(msg_type, str) or not 0 < len(msg_type) <= MAX_TYPE:
        raise Malformed("type must be a short string", msg_id)
    return ClientMessage(msg_id, msg_type, raw.get("data", {}))


def _dump(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def ack(msg_id: str, data: Any) -> str:
    return _dump({"type": "ack", "id": msg_id, "data": data})


def error(msg_id: str | None, code: str, message: str) -> str:
    return _dump({"type": "error", "id": msg_id, "code": code, "message": message})


def event(name: str, data: Any, rev: int | None) -> str:
    frame: dict[str, Any] = {"type": "event", "event": name, "data": data}
    if rev is not None:
        frame["rev"] = rev
    return _dump(frame)


def welcome(you: dict[str, Any], state: dict[str, Any]) -> str:
    return _dump({"type": "welcome", "v": VERSION, "you": you, "state": state})
