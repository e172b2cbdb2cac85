"""Loads the Lua scripts (one per atomic transition) and turns their refusals into domain errors.

Scripts reply `redis.error_reply('<code>: <message>')`; `<code>` names a `rooms.errors` class.
A line `--! include _name.lua` stands for that shared fragment's text (files starting with `_`
are fragments, not scripts).
redis-py's `Script` re-loads a script that a restarted Redis has forgotten (NOSCRIPT).
A `durable` run is followed by WAIT on the same connection (rooms/store/replication.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError, ResponseError

from rooms import errors
from rooms.store.replication import Replication

SCRIPT_DIR = Path(__file__).parent / "scripts"


class Stale(Exception):
    """A compare-and-set lost a race; the caller re-reads and tries again."""


class Scripts:
    """Every script in `scripts/`, callable by file name: `await scripts.run("put", keys, args)`."""

    def __init__(self, redis: Redis, replication: Replication | None = None) -> None:
        self._redis = redis
        self.replication = replication or Replication()
        self._scripts: dict[str, AsyncScript] = {
            path.stem: redis.register_script(_source(path))
            for path in sorted(SCRIPT_DIR.glob("*.lua"))
            if not path.name.startswith("_")
        }

    async def run(
        self, name: str, keys: list[str], args: list[str | int | float], durable: bool = False
    ) -> Any:
        """`durable`: acknowledged only once a replica holds the change too (when one is wanted)."""
        try:
            if durable and self.replication.wanted():
                return await self._replicated(self._scripts[name], keys, args)
            return await self._scripts[name](keys=keys, args=args)
        except ResponseError as exc:
            raise _domain_error(str(exc)) from None

    async def _replicated(
        self, script: AsyncScript, keys: list[str], args: list[str | int | float]
    ) -> Any:
        """EVALSHA then WAIT in one round trip on one connection: WAIT counts the replicas that
        have this connection's last write. A script Redis forgot is loaded and run once more."""
        for _ in range(2):
            pipe = self._redis.pipeline(transaction=False)
            pipe.evalsha(script.sha, len(keys), *keys, *args)
            pipe.execute_command("WAIT", self.replication.replicas, self.replication.timeout_ms)
            result, acknowledged = await pipe.execute(raise_on_error=False)
            if isinstance(result, NoScriptError):
                script.sha = await self._redis.script_load(script.script)
                continue
            for reply in (result, acknowledged):
                if isinstance(reply, Exception):
                    raise reply
            self.replication.record(int(acknowledged))
            return result
        raise result


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
