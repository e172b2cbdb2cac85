"""JSON as we accept it from clients, on the websocket and in HTTP bodies: no NaN or Infinity,
no number beyond a double, no lone UTF-16 surrogate (it can be neither stored nor sent as
UTF-8), nesting only as deep as the parser goes. Anything else is one `InvalidInput`."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from rooms.errors import InvalidInput

SURROGATE = "text with an unpaired UTF-16 surrogate"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def has_lone_surrogate(value: Any) -> bool:
    """Text that cannot be stored or sent as UTF-8: a `\\ud800` escape without its pair."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def decode(text: str | bytes) -> Any:
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise InvalidInput("not valid JSON (or nested too deep)") from None


def unpaired(text: str | bytes, value: Any) -> bool:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return _SURROGATE_ESCAPE.search(text) is not None and has_lone_surrogate(value)


def loads(text: str | bytes) -> Any:
    """JSON as we accept it from clients (websocket messages and HTTP bodies): no NaN or
    Infinity, no number beyond a double, no lone surrogate, nesting within the parser's depth."""
    value = decode(text)
    if unpaired(text, value):
        raise InvalidInput(SURROGATE)
    return value
