"""Interview media: both sides publish their camera to the node holding the interview and each
views the other's, through the same passthrough forwarding as booth streams (its own StreamHub).

The first node asked to carry an interview claims it in Redis; the other participant's node
routes signalling there (NodeRpc). A claim held by a node whose lease expired is taken over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from rooms.errors import InvalidInput
from rooms.events import Audience, Event, publish
from rooms.interview_room import Side, other
from rooms.nodes import Nodes
from rooms.store import keys
from rooms.store.scripts import Scripts
from server.noderpc import NodeRpc
from server.rtc.events import StreamEvent, StreamLive, StreamOffline
from server.rtc.hub import IceServer, StreamHub
from server.streaming import rtc_errors_as_domain

log = logging.getLogger(__name__)


def media_id(fair_id: str, interview_id: str, side: Side) -> str:
    return f"iv/{fair_id}/{interview_id}/{side}"


class InterviewMedia:
    def __init__(
        self,
        redis: Redis,
        scripts: Scripts,
        nodes: Nodes,
        rpc: NodeRpc,
        ice_servers: Sequence[IceServer] = (),
    ) -> None:
        self.redis, self.scripts, self.nodes, self.rpc = redis, scripts, nodes, rpc
        self.hub = StreamHub(ice_servers, on_event=self._on_event)
        self._watchers: dict[str, tuple[str, str, str]] = {}  # media id -> fair, interview, user
        self._tasks: set[asyncio.Task[None]] = set()
        for op, handler in (
            ("iv.publish", self._publish),
            ("iv.view", self._view),
            ("iv.audio_only", self._audio_only),
            ("iv.leave", self._leave),
        ):
            rpc.register(op, handler)

    async def close(self) -> None:
        await self.hub.close()
        for task in list(self._tasks):
            task.cancel()

    async def publish(
        self, fair_id: str, interview: dict[str, Any], side: Side, sdp: str
    ) -> dict[str, Any]:
        """`side` sends its camera; the other participant is told when it is flowing."""
        watcher = interview["recruiter_id"] if side == "worker" else interview["worker_id"]
        request = {
            "media": media_id(fair_id, interview["id"], side),
            "sdp": sdp,
            "fair": fair_id,
            "interview": interview["id"],
            "watcher": watcher,
        }
        return await self._at(fair_id, interview["id"], "iv.publish", request)

    async def view(
        self,
        fair_id: str,
        interview: dict[str, Any],
        side: Side,
        viewer: str,
        sdp: str,
        audio_only: bool,
    ) -> dict[str, Any]:
        """`side` receives the other side's camera."""
        request = {
            "media": media_id(fair_id, interview["id"], other(side)),
            "viewer": viewer,
            "sdp": sdp,
            "audio_only": audio_only,
        }
        return await self._at(fair_id, interview["id"], "iv.view", request)

    async def set_audio_only(
        self, fair_id: str, interview: dict[str, Any], side: Side, viewer: str, on: bool
    ) -> None:
        request = {
            "media": media_id(fair_id, interview["id"], other(side)),
            "viewer": viewer,
            "on": on,
        }
        await self._at(fair_id, interview["id"], "iv.audio_only", request)

    async def leave(self, fair_id: str, interview: dict[str, Any], side: Side, viewer: str) -> None:
        """Stop sending and receiving for this participant's connection. Idempotent."""
        request = {
            "published": media_id(fair_id, interview["id"], side),
            "viewed": media_id(fair_id, interview["id"], other(side)),
            "viewer": viewer,
        }
        await self._at(fair_id, interview["id"], "iv.leave", request)

    async def _at(
        self, fair_id: str, interview_id: str, op: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        node = await self._holder(fair_id, interview_id)
        if node == self.rpc.node_id:
            handler = {
                "iv.publish": self._publish,
                "iv.view": self._view,
                "iv.audio_only": self._audio_only,
                "iv.leave": self._leave,
            }[op]
            return await handler(request)
        return await self.rpc.call(node, op, request)

    async def _holder(self, fair_id: str, interview_id: str) -> str:
        key = keys.interview_media(fair_id)
        for _ in range(3):
            current: str | None = await self.redis.hget(key, interview_id)  # type: ignore[assignment]
            if current and current in await self.nodes.alive({current}):
                return current
            claimed = await self.scripts.run(
                "hash_swap", [key], [interview_id, current or "", self.rpc.node_id]
            )
            if claimed:
                return self.rpc.node_id
        raise InvalidInput("could not settle which server carries this interview; try again")

    # --- on the holding node ----------------------------------------------------------------

    async def _publish(self, request: dict[str, Any]) -> dict[str, Any]:
        self._watchers[request["media"]] = (
            request["fair"],
            request["interview"],
            request["watcher"],
        )
        answer = await rtc_errors_as_domain(self.hub.publish(request["media"], request["sdp"]))
        return {"sdp": answer}

    async def _view(self, request: dict[str, Any]) -> dict[str, Any]:
        answer = await rtc_errors_as_domain(
            self.hub.view(
                request["media"], request["viewer"], request["sdp"], request["audio_only"]
            )
        )
        return {"sdp": answer}

    async def _audio_only(self, request: dict[str, Any]) -> dict[str, Any]:
        await rtc_errors_as_domain(
            self.hub.set_audio_only(request["media"], request["viewer"], request["on"])
        )
        return {}

    async def _leave(self, request: dict[str, Any]) -> dict[str, Any]:
        await self.hub.unpublish(request["published"])
        await self.hub.leave(request["viewed"], request["viewer"])
        return {}

    def _on_event(self, event: StreamEvent) -> None:
        """Tell the participant watching this camera that it started or stopped."""
        if not isinstance(event, StreamLive | StreamOffline):
            return
        watcher = self._watchers.get(event.stream_id)
        if watcher is None:
            return
        fair_id, interview_id, user_id = watcher
        side = event.stream_id.rsplit("/", 1)[1]
        live = isinstance(event, StreamLive)
        message = Event(
            "interview.media",
            {"interview_id": interview_id, "side": side, "live": live},
            Audience("user", user_id=user_id),
        )
        task = asyncio.create_task(self._tell(fair_id, message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _tell(self, fair_id: str, message: Event) -> None:
        with contextlib.suppress(Exception):
            await publish(self.redis, fair_id, message)
