"""Wire format of the fair websocket, version 1 (docs/protocol.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rooms.errors import InvalidInput

VERSION = 1

# Close codes (RFC 6455 and the 4000 range for application reasons).
CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008  # bad origin, no session, rate abuse
CLOSE_TOO_BIG = 1009
CLOSE_SERVICE_RESTART = 1012  # the server is stopping: reconnect (to another server)
CLOSE_TRY_AGAIN = 1013  # the client did not read its events fast enough
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403

MAX_ID = 64
MAX_TYPE = 64


@dataclass(frozen=True, slots=True)
class ClientMessage:
    id: str
    type: str
    data: dict[str, Any]


def parse(text: str) -> ClientMessage:
    try:
        raw = json.loads(text)
    except ValueError:
        raise InvalidInput("message is not JSON") from None
    if not isinstance(raw, dict):
        raise InvalidInput("message must be a JSON object")
    msg_id, msg_type, data = raw.get("id"), raw.get("type"), raw.get("data", {})
    if not isinstance(msg_id, str) or not 0 < len(msg_id) <= MAX_ID:
        raise InvalidInput(f"id must be a string of 1 to {MAX_ID} characters")
    if not isinstance(msg_type, str) or not 0 < len(msg_type) <= MAX_TYPE:
        raise InvalidInput("type must be a short string")
    if not isinstance(data, dict):
        raise InvalidInput("data must be a JSON object")
    return ClientMessage(msg_id, msg_type, data)


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
