"""A cascade leg between two hubs (two nodes' media paths in one process): the origin serves one
viewer, the edge's viewers decode; the leg's heartbeat stays fresh while the origin pauses; a
new leg replaces the old one and viewers resume at a keyframe."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from server.rtc.hub import StreamHub
from tests.rtc.conftest import Peers, SyntheticPublisher, TestViewer, wait_until

STREAM = "fair/booth-1"


@pytest.fixture
async def edge() -> AsyncIterator[StreamHub]:
    hub = StreamHub()
    yield hub
    await hub.close()


def leg_to(origin: StreamHub, viewer_id: str = "relay:edge"):  # type: ignore[no-untyped-def]
    async def connect(offer: str) -> str:
        return await origin.view(STREAM, viewer_id, offer)

    return connect


async def test_edge_viewers_decode_through_one_leg_and_the_origin_serves_one_viewer(
    hub: StreamHub, edge: StreamHub, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, STREAM)
    await edge.relay(STREAM, leg_to(hub))
    viewers = [TestViewer() for _ in range(3)]
    for number, viewer in enumerate(viewers):
        peers(viewer)
        await viewer.view(edge, STREAM, f"viewer-{number}")
    for viewer in viewers:
        await viewer.wait_for_video(10)
        await viewer.wait_for_audio(10)
        assert viewer.keyframes[0] and viewer.decode_errors == 0
    assert hub.viewer_count(STREAM) == 1 and edge.viewer_count(STREAM) == 3
    assert not edge.is_live(STREAM)  # the origin's state is the stream's: the edge reports none
    assert edge.counters.relay_legs == 1


async def test_the_legs_heartbeat_stays_fresh_while_the_origin_is_paused(
    hub: StreamHub, edge: StreamHub, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, STREAM)
    await edge.relay(STREAM, leg_to(hub))
    viewer = TestViewer()
    peers(viewer)
    await viewer.view(edge, STREAM, "viewer")
    await viewer.wait_for_video(5)
    hub.pause(STREAM)
    await asyncio.sleep(0.5)
    before = await viewer.media_packets_received()
    silences = []
    for _ in range(20):  # 3 s: sender reports arrive, RTP does not
        await asyncio.sleep(0.15)
        heard = edge.relay_heard_at(STREAM)
        assert heard is not None
        silences.append(time.monotonic() - heard)
    assert await viewer.media_packets_received() == before
    assert max(silences) < 2.5  # cascade.HEARTBEAT: a paused stream keeps its leg


async def test_a_new_leg_replaces_the_old_and_viewers_resume_at_a_keyframe(
    hub: StreamHub, edge: StreamHub, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, STREAM)
    await edge.relay(STREAM, leg_to(hub))
    viewer = TestViewer()
    peers(viewer)
    await viewer.view(edge, STREAM, "viewer")
    await viewer.wait_for_video(5)
    seen = len(viewer.video_frames)
    await edge.relay(STREAM, leg_to(hub))  # same viewer id at the origin: it replaces the first
    await viewer.wait_for_video(seen + 10)
    await wait_until(lambda: hub.viewer_count(STREAM) == 1)
    assert viewer.decode_errors == 0
    assert edge.counters.relay_legs == 2
    await edge.unrelay(STREAM)
    assert edge.relay_heard_at(STREAM) is None and edge.viewer_count(STREAM) == 1
