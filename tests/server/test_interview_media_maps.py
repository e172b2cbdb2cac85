"""What a node's interview media remembers per camera is let go when that camera ends: a node
carries hundreds of interviews a day and must not keep one entry per interview for ever."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator

import pytest
from aiortc import RTCSessionDescription
from redis.asyncio import Redis

from rooms.errors import InvalidInput
from rooms.nodes import Nodes
from rooms.store.scripts import Scripts
from server.interview_media import InterviewMedia, media_id
from server.noderpc import NodeRpc
from tests.rtc.conftest import SyntheticPublisher


@pytest.fixture
async def media(redis: Redis, scripts: Scripts) -> AsyncIterator[InterviewMedia]:
    node_id = f"iv-{secrets.token_hex(3)}"
    await Nodes(redis).renew(node_id)
    rpc = NodeRpc(redis, node_id)
    await rpc.start()
    carried = InterviewMedia(redis, scripts, Nodes(redis), rpc)
    yield carried
    await carried.close()
    await rpc.close()


def publish_request(sdp: str) -> dict[str, str]:
    return {
        "media": media_id("fair1", "iv1", "worker"),
        "fair": "fair1",
        "interview": "iv1",
        "watcher": "recruiter1",
        "connection": "conn1",
        "sdp": sdp,
    }


async def test_a_camera_that_ended_is_forgotten(media: InterviewMedia) -> None:
    camera = SyntheticPublisher()
    try:
        await camera.pc.setLocalDescription(await camera.pc.createOffer())
        answer = await media._publish(publish_request(camera.pc.localDescription.sdp))
        await camera.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        deadline = time.monotonic() + 20
        while not media.hub.is_live(media_id("fair1", "iv1", "worker")):
            assert time.monotonic() < deadline, "the camera never went live"
            await asyncio.sleep(0.05)
        assert media._watchers  # whom to tell that the camera stopped
    finally:
        await camera.close()  # the connection ends: the hub reports the camera offline
    deadline = time.monotonic() + 20
    while media._watchers:
        assert time.monotonic() < deadline, f"still remembered: {media._watchers}"
        await asyncio.sleep(0.05)


async def test_a_publish_that_failed_leaves_nothing(media: InterviewMedia) -> None:
    with pytest.raises(InvalidInput):
        await media._publish(publish_request("v=0\r\nnot an offer\r\n"))
    assert not media._watchers and not media._senders
