"""Whether each booth and the fair's main stage (`stage`) is live, which node holds its media,
and how many watch. The stage is one more stream of the fair, held and routed like a booth's.

The media itself is `server/rtc`'s business; this is the state every node and client agrees on.
A stream is one publishing *session*: ending it names the session, so a late "publisher left"
from an old session never ends the stream the recruiter has since restarted.

States (docs/rtc.md "Stream states"): offline → live → paused (a reason code and the expected
return) → live again (resumed) → offline; a hand-over changes the presenter of a live stream (on the
stage: the booth now presenting, which the stage's host invited: `set_stage_guest`).
Every reason a page sees is a code from `OfflineReason` / `PauseReason`, never a sentence.
"""

from __future__ import annotations

import secrets
import time
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from redis.asyncio import Redis

from rooms.events import Event
from rooms.nodes import Nodes
from rooms.store import keys
from rooms.store.scripts import Scripts


class OfflineReason(StrEnum):
    """Why a stream went offline, as pages translate it (web/static/js/stream.js)."""

    LEFT = "left"  # the presenter's connection closed
    RESTARTED = "restarted"  # the presenter started again (a new session follows)
    STOPPED_BY_RECRUITER = "stopped_by_recruiter"
    STOPPED_BY_MODERATOR = "stopped_by_moderator"
    SERVER_RESTARTING = "server_restarting"
    SERVER_LOST = "server_lost"  # the node holding the media stopped answering


class PauseReason(StrEnum):
    INTERVIEW = "interview"  # the presenter is interviewing; back at `back_at`


class StreamState(BaseModel):
    booth_id: str
    session: str
    node: str
    publisher_id: str
    since: float
    viewers: int = 0
    paused: str = ""  # a PauseReason while paused
    back_at: float = 0  # expected return while paused (epoch seconds; 0: unknown)
    presenting: str = ""  # on the stage: the booth whose recruiter presents ("": its speakers)

    def public(self) -> dict[str, Any]:
        """What clients see: nothing about nodes or sessions."""
        return {
            "booth_id": self.booth_id,
            "live": True,
            "since": self.since,
            "viewers": self.viewers,
            "paused": self.paused or None,
            "back_at": self.back_at or None,
            "presenting": self.presenting or None,
        }


class Streams:
    def __init__(self, redis: Redis, scripts: Scripts) -> None:
        self.redis = redis
        self.scripts = scripts

    async def go_live(
        self, fair_id: str, booth_id: str, node_id: str, publisher_id: str
    ) -> StreamState:
        state = StreamState(
            booth_id=booth_id,
            session=secrets.token_hex(8),
            node=node_id,
            publisher_id=publisher_id,
            since=time.time(),
        )
        await self.scripts.run(
            "stream_live",
            [
                keys.fair(fair_id),
                keys.streams(fair_id),
                keys.rev(fair_id),
                keys.booths(fair_id),
                keys.facts(fair_id),
            ],
            [
                booth_id,
                state.model_dump_json(),
                keys.events(fair_id),
                Event("stream.live", state.public()).encode(),
            ],
        )
        return state

    async def set_paused(
        self, fair_id: str, state: StreamState, reason: PauseReason | None, back_at: float = 0
    ) -> bool:
        """Pause (`reason`) or resume (None) the stream session `state` names; False if that
        session has ended or nothing changed. `state` is updated to match."""
        state.paused, state.back_at = (reason or ""), (back_at if reason else 0)
        name = "stream.paused" if reason else "stream.resumed"
        changed = await self.scripts.run(
            "stream_pause",
            [keys.streams(fair_id), keys.rev(fair_id)],
            [
                state.booth_id,
                state.session,
                state.paused,
                state.back_at,
                keys.events(fair_id),
                Event(name, state.public()).encode(),
            ],
        )
        return bool(changed)

    async def handed_over(
        self, fair_id: str, state: StreamState, publisher_id: str, presenting: str
    ) -> bool:
        """The stream session `state` names now shows `publisher_id` (on the stage, presenting
        for the booth `presenting`); False if that session has ended."""
        state.publisher_id, state.presenting = publisher_id, presenting
        changed = await self.scripts.run(
            "stream_handover",
            [keys.streams(fair_id), keys.rev(fair_id)],
            [
                state.booth_id,
                state.session,
                publisher_id,
                presenting,
                keys.events(fair_id),
                Event("stream.handed_over", state.public()).encode(),
            ],
        )
        return bool(changed)

    async def set_stage_guest(self, fair_id: str, booth_id: str | None) -> None:
        """Name the booth whose recruiter may take over the stage next (None: nobody)."""
        event = Event("stage.guest", {"booth_id": booth_id})
        await self.scripts.run(
            "stage_guest",
            [keys.stage(fair_id), keys.booths(fair_id), keys.rev(fair_id)],
            [booth_id or "", keys.events(fair_id), event.encode()],
        )

    async def stage_guest(self, fair_id: str) -> str | None:
        guest: str | None = await self.redis.hget(keys.stage(fair_id), "guest")  # type: ignore[assignment]
        return guest

    async def go_offline(
        self, fair_id: str, booth_id: str, session: str | None, reason: OfflineReason
    ) -> bool:
        """End the stream (`session` None: whichever is live). False if it had already ended."""
        event = Event("stream.offline", {"booth_id": booth_id, "live": False, "reason": reason})
        ended = await self.scripts.run(
            "stream_offline",
            [keys.streams(fair_id), keys.rev(fair_id), keys.facts(fair_id)],
            [booth_id, session or "", keys.events(fair_id), event.encode()],
        )
        return bool(ended)

    async def set_viewers(
        self, fair_id: str, state: StreamState, viewers: int, levels: dict[str, int]
    ) -> None:
        """`levels`: how many viewers are on each level (`high`, `low`, `audio`), for the
        recruiter's console; only in the event, not stored."""
        data = {"booth_id": state.booth_id, "viewers": viewers, "levels": levels}
        event = Event("stream.viewers", data)
        await self.scripts.run(
            "stream_viewers",
            [keys.streams(fair_id)],
            [state.booth_id, state.session, viewers, keys.events(fair_id), event.encode()],
        )

    async def get(self, fair_id: str, booth_id: str) -> StreamState | None:
        raw = await self.redis.hget(keys.streams(fair_id), booth_id)
        return None if raw is None else StreamState.model_validate_json(raw)

    async def live(self, fair_id: str) -> dict[str, StreamState]:
        raws: dict[str, str] = await self.redis.hgetall(keys.streams(fair_id))  # type: ignore[assignment]
        return {booth: StreamState.model_validate_json(raw) for booth, raw in raws.items()}

    async def reap(self, fair_ids: list[str], nodes: Nodes, reaper: str) -> int:
        """End the streams whose holding node's lease has expired (it crashed); returns how many.
        The `reaper` node is alive whatever its lease says (a lapse is a Redis blip or a restart
        with an empty database): it never ends its own streams."""
        ended = 0
        for fair_id in fair_ids:
            streams = await self.live(fair_id)
            alive = await nodes.alive({s.node for s in streams.values()}) | {reaper}
            for state in streams.values():
                if state.node not in alive and await self.go_offline(
                    fair_id, state.booth_id, state.session, OfflineReason.SERVER_LOST
                ):
                    ended += 1
        return ended
