"""A cascade leg between two hubs (two nodes' media paths in one process): the origin serves one
viewer, the edge's viewers decode; the leg's heartbeat stays fresh while the origin pauses; a
new leg replaces the old one and viewers resume at a keyframe; a two-layer origin's leg carries
both layers, the low one only while an edge viewer is on it."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from server.rtc.events import ViewerLevelChanged
from server.rtc.hub import StreamHub
from server.rtc.layers import LayerChooser
from tests.media import LAYER_SIZES, LossyLink
from tests.rtc.conftest import Events, Peers, SyntheticPublisher, TestViewer, wait_until

STREAM = "fair/booth-1"


@pytest.fixture
async def edge() -> AsyncIterator[StreamHub]:
    hub = StreamHub()
    yield hub
    await hub.close()


HIGH, LOW = LAYER_SIZES


def leg_to(  # type: ignore[no-untyped-def]
    origin: StreamHub, viewer_id: str = "relay:edge", answers: list[str] | None = None
):
    async def connect(offer: str) -> str:
        answer = await origin.view(STREAM, viewer_id, offer)
        if answers is not None:
            answers.append(answer)
        return answer

    return connect


def video_directions(sdp: str) -> list[str]:
    """The direction of each video section of an SDP, in order."""
    directions, video = [], False
    for line in sdp.splitlines():
        if line.startswith("m="):
            video = line.startswith("m=video")
        elif video and line in ("a=sendonly", "a=recvonly", "a=sendrecv", "a=inactive"):
            directions.append(line[2:])
    return directions


def low_paused_at(origin: StreamHub, viewer_id: str = "relay:edge") -> bool:
    """The origin sends the leg no low-layer RTP (its relay viewer's second video track)."""
    return origin._streams[STREAM]._viewers[viewer_id].tracks["video1"].paused


async def test_edge_viewers_decode_through_one_leg_and_the_origin_serves_one_viewer(
    hub: StreamHub, edge: StreamHub, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, STREAM)
    answers: list[str] = []
    await edge.relay(STREAM, leg_to(hub, answers=answers))
    # a one-layer origin declines the leg's second video section: the leg is one layer
    assert video_directions(answers[0]) == ["sendonly", "inactive"]
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


async def test_a_lossy_edge_viewer_gets_the_low_layer_over_the_leg_and_a_clean_one_stays_high(
    hub: StreamHub, peers: Peers
) -> None:
    events = Events()
    edge = StreamHub(on_event=events, new_chooser=lambda: LayerChooser(up_after=600.0))
    peers(edge)
    publisher = SyntheticPublisher(layered=True)
    peers(publisher)
    await publisher.publish(hub, STREAM)
    answers: list[str] = []
    await edge.relay(STREAM, leg_to(hub, answers=answers))
    assert video_directions(answers[0]) == ["sendonly", "sendonly"]
    lossy, clean = TestViewer(), TestViewer()
    for number, viewer in enumerate((lossy, clean)):
        peers(viewer)
        await viewer.view(edge, STREAM, f"viewer-{number}")
        await viewer.wait_for_video(10, timeout=20)
    assert {lossy.video_frames[-1], clean.video_frames[-1]} == {HIGH}
    await asyncio.sleep(2.5)
    assert low_paused_at(hub), "nobody on the edge is on the low layer: the leg has none of it"
    low_plis = publisher.layer_plis[1]

    link = LossyLink(lossy.pc)
    link.loss = 0.10
    await wait_until(lambda: levels_of(events, "viewer-0") == ["low"], 30, "the low layer")
    link.loss = 0.0
    count = len(lossy.video_frames)
    # packets lost before the move's keyframe are not resent: aiortc's jitter buffer (unlike a
    # browser's) waits for them until it overflows, which takes up to ~40 s under load
    await lossy.wait_for_video(count + 30, timeout=60)
    assert lossy.video_frames[-1] == LOW, "the low layer's frames, over the leg"
    assert not low_paused_at(hub)
    assert publisher.layer_plis[1] > low_plis, "the edge's keyframe request reached the low layer"
    assert lossy.decode_errors == 0
    assert levels_of(events, "viewer-1") == [], "the clean viewer stays on the high layer"
    clean_count = len(clean.video_frames)
    await clean.wait_for_video(clean_count + 30, timeout=20)
    assert set(clean.video_frames[clean_count:]) == {HIGH} and clean.decode_errors == 0
    assert hub.viewer_count(STREAM) == 1, "the origin still serves one viewer: the leg"

    await edge.leave(STREAM, "viewer-0")  # the low layer's only viewer
    await wait_until(lambda: low_paused_at(hub), 10, "the origin to stop the low layer")
    count = len(clean.video_frames)
    await clean.wait_for_video(count + 10, timeout=20)


def levels_of(events: Events, viewer_id: str) -> list[str]:
    return [
        e.level
        for e in events.seen
        if isinstance(e, ViewerLevelChanged) and e.viewer_id == viewer_id
    ]
