"""Interview media: both sides publish their camera to the node holding the interview and each
views the other's, through the same passthrough forwarding as booth streams (its own StreamHub).

The first node asked to carry an interview claims it in Redis; the other participant's node
routes signalling there (NodeRpc). A claim held by a node whose lease expired is taken over.

A draining node (server/drain.py) keeps carrying the interviews whose media flows through it, and
claims no new one; another node that it refuses takes the interview over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from rooms.errors import Draining, InvalidInput
from rooms.events import Audience, Event, publish
from rooms.interview_room import Side, other
from rooms.nodes import Nodes
from rooms.store import keys
from rooms.store.scripts import Scripts
from server.noderpc import NodeRpc
from server.rtc.aiortc_internals import CandidatePolicy
from server.rtc.events import OfflineReason as MediaEnded
from server.rtc.events import StreamEvent, StreamLive, StreamOffline, ViewerLevelChanged
from server.rtc.hub import IceServer, StreamHub
from server.streaming import rtc_errors_as_domain

log = logging.getLogger(__name__)

SIDES: tuple[Side, ...] = ("worker", "recruiter")


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
        candidates: CandidatePolicy | None = None,
    ) -> None:
        self.redis, self.scripts, self.nodes, self.rpc = redis, scripts, nodes, rpc
        self.hub = StreamHub(ice_servers, self._on_event, candidates=candidates)
        self._watchers: dict[str, tuple[str, str, str]] = {}  # media id -> fair, interview, user
        self._senders: dict[str, str] = {}  # media id -> the connection publishing it
        # media id -> fair, interview, both participants: who hears how a downlink fares
        self._rooms: dict[str, tuple[str, str, tuple[str, str]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.draining = False
        self._handlers = {
            "iv.publish": self._publish,
            "iv.view": self._view,
            "iv.audio_only": self._audio_only,
            "iv.leave": self._leave,
        }
        for op, handler in self._handlers.items():
            rpc.register(op, handler)

    @property
    def carrying(self) -> bool:
        """Whether any interview media flows through this node (a drain waits for it to end)."""
        return self.hub.stats().streams > 0

    async def close(self) -> None:
        await self.hub.close()
        for task in list(self._tasks):
            task.cancel()

    async def publish(
        self, fair_id: str, interview: dict[str, Any], side: Side, connection: str, sdp: str
    ) -> dict[str, Any]:
        """`side` sends its camera from `connection` (a newer one replaces it); the other
        participant is told when it is flowing."""
        watcher = interview["recruiter_id"] if side == "worker" else interview["worker_id"]
        request = {
            "media": media_id(fair_id, interview["id"], side),
            "connection": connection,
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
            "fair": fair_id,
            "interview": interview["id"],
            "users": [interview["worker_id"], interview["recruiter_id"]],
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
        """Stop sending and receiving for this participant's connection (what another of their
        connections sends or receives goes on). Idempotent."""
        request = {
            "published": media_id(fair_id, interview["id"], side),
            "viewed": media_id(fair_id, interview["id"], other(side)),
            "viewer": viewer,
        }
        # refused only by a draining node that would have to claim it: no node carries it
        with contextlib.suppress(Draining):
            await self._at(fair_id, interview["id"], "iv.leave", request)

    async def _at(
        self, fair_id: str, interview_id: str, op: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        node = await self._holder(fair_id, interview_id)
        if node == self.rpc.node_id:
            return await self._handlers[op](request)
        try:
            return await self.rpc.call(node, op, request)
        except Draining:
            # the holder is stopping and does not carry this interview: carry it here instead
            swap: list[str | int | float] = [interview_id, node, self.rpc.node_id]
            key = keys.interview_media(fair_id)
            if self.draining or not await self.scripts.run("hash_swap", [key], swap):
                raise
            return await self._handlers[op](request)

    async def _holder(self, fair_id: str, interview_id: str) -> str:
        key = keys.interview_media(fair_id)
        for _ in range(3):
            current: str | None = await self.redis.hget(key, interview_id)  # type: ignore[assignment]
            if current and current in await self.nodes.alive({current}):
                return current
            if self.draining:
                raise Draining("this server is restarting; the interview resumes on reconnect")
            claimed = await self.scripts.run(
                "hash_swap", [key], [interview_id, current or "", self.rpc.node_id]
            )
            if claimed:
                return self.rpc.node_id
        raise InvalidInput("could not settle which server carries this interview; try again")

    # --- on the holding node ----------------------------------------------------------------

    def _refuse_new(self, media: str) -> None:
        """While draining, only interviews with media here (a live side, or a side waited for)
        may negotiate: one interview's media never splits between two nodes."""
        if not self.draining:
            return
        interview = media.rsplit("/", 1)[0]
        for side in SIDES:
            media_of_side = f"{interview}/{side}"
            if self.hub.is_live(media_of_side) or self.hub.viewer_count(media_of_side):
                return
        raise Draining("this server is restarting; the interview resumes on reconnect")

    async def _publish(self, request: dict[str, Any]) -> dict[str, Any]:
        self._refuse_new(request["media"])
        answer = await rtc_errors_as_domain(self.hub.publish(request["media"], request["sdp"]))
        # only once publishing (its first frame comes later): a failed publish leaves nothing
        self._watchers[request["media"]] = (
            request["fair"],
            request["interview"],
            request["watcher"],
        )
        self._senders[request["media"]] = request["connection"]
        return {"sdp": answer}

    async def _view(self, request: dict[str, Any]) -> dict[str, Any]:
        self._refuse_new(request["media"])
        answer = await rtc_errors_as_domain(
            self.hub.view(
                request["media"], request["viewer"], request["sdp"], request["audio_only"]
            )
        )
        worker, recruiter = request["users"]  # only once viewing: a failed view leaves nothing
        self._rooms[request["media"]] = (request["fair"], request["interview"], (worker, recruiter))
        return {"sdp": answer}

    async def _audio_only(self, request: dict[str, Any]) -> dict[str, Any]:
        await rtc_errors_as_domain(
            self.hub.set_audio_only(request["media"], request["viewer"], request["on"])
        )
        return {}

    async def _leave(self, request: dict[str, Any]) -> dict[str, Any]:
        published, viewed = request["published"], request["viewed"]
        if self._senders.get(published) == request["viewer"]:
            del self._senders[published]
            await self.hub.unpublish(published)
        await self.hub.leave(viewed, request["viewer"])
        if not self.hub.viewer_count(viewed):
            self._rooms.pop(viewed, None)
        return {}

    def _on_event(self, event: StreamEvent) -> None:
        """Tell the participant watching this camera that it started or stopped; tell both
        participants what the watcher's link now carries."""
        if isinstance(event, ViewerLevelChanged):
            self._link_changed(event)
            return
        if not isinstance(event, StreamLive | StreamOffline):
            return
        watcher = self._watchers.get(event.stream_id)
        if isinstance(event, StreamOffline) and event.reason != MediaEnded.REPLACED:
            self._watchers.pop(event.stream_id, None)  # a camera sent again is published anew
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
        self._tell_later(fair_id, message)

    def _link_changed(self, event: ViewerLevelChanged) -> None:
        """`interview.link` to both sides: each step of a weak downlink (down to text chat) is
        announced to both, so the recruiter sees the candidate's link quality."""
        room = self._rooms.get(event.stream_id)
        if room is None:
            return
        fair_id, interview_id, users = room
        watched = event.stream_id.rsplit("/", 1)[1]
        side = "recruiter" if watched == "worker" else "worker"  # whose downlink: the watcher's
        data = {
            "interview_id": interview_id,
            "side": side,
            "level": event.level,
            "loss_pct": event.loss_pct,
        }
        for user_id in users:
            self._tell_later(
                fair_id, Event("interview.link", data, Audience("user", user_id=user_id))
            )

    def _tell_later(self, fair_id: str, message: Event) -> None:
        task = asyncio.create_task(self._tell(fair_id, message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _tell(self, fair_id: str, message: Event) -> None:
        with contextlib.suppress(Exception):
            await publish(self.redis, fair_id, message)
