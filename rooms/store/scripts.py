"""Loads the Lua scripts (one per atomic transition) and turns their refusals into domain errors.

Scripts reply `redis.error_reply('<code>: <message>')`; `<code>` names a `rooms.errors` class.
A line `--! include _name.lua` stands for that shared fragment's text (files starting with `_`
are fragments, not scripts).
redis-py's `Script` re-loads a script that a restarted Redis has forgotten (NOSCRIPT).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import ResponseError

from rooms import errors

SCRIPT_DIR = Path(__file__).parent / "scripts"


class Stale(Exception):
    """A compare-and-set lost a race; the caller re-reads and tries again."""


class Scripts:
    """Every script in `scripts/`, callable by file name: `await scripts.run("put", keys, args)`."""

    def __init__(self, redis: Redis) -> None:
        self._scripts: dict[str, AsyncScript] = {
            path.stem: redis.register_script(_source(path))
            for path in sorted(SCRIPT_DIR.glob("*.lua"))
            if not path.name.startswith("_")
        }

    async def run(self, name: str, keys: list[str], args: list[str | int | float]) -> Any:
        try:
            return await self._scripts[name](keys=keys, args=args)
        except ResponseError as exc:
            raise _domain_error(str(exc)) from None


def _source(path: Path) -> str:
    return "\n".join(
        (SCRIPT_DIR / line.removeprefix(_INCLUDE)).read_text()
        if line.startswith(_INCLUDE)
        else line
        for line in path.read_text().splitlines()
    )


_INCLUDE = "--! include "


def _domain_error(reply: str) -> Exception:
    code, _, message = reply.partition(": ")
    if code == "stale":
        return Stale(message)
    return errors.from_code(code, message) or ResponseError(reply)
