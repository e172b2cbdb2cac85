"""Cascade legs between two nodes' `Streaming` in one process (each with its own NodeRpc on the
suite's Redis), where the races around a leg can be set up exactly: a leg ended while a viewer
negotiates, the watcher's out-of-date view after a publish on the edge, and what is left
behind once a leg is gone."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Callable

import pytest
from aiortc import RTCSessionDescription
from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.nodes import Nodes
from rooms.store.scripts import Scripts
from rooms.streams import Streams
from server.cascade import GRACE
from server.noderpc import NodeRpc
from server.rtc.errors import Published
from server.streaming import Streaming
from tests.clients import FAIR_INPUT
from tests.rtc.conftest import Closable, Peers, SyntheticPublisher, TestViewer

BOOTH = "stage"  # the main stage: a stream of the fair without a booth of its own


@pytest.fixture
async def fair_id(fairs: Fairs) -> str:
    return (await fairs.create_fair(FAIR_INPUT)).id


@pytest.fixture
async def peers() -> AsyncIterator[Peers]:
    registered: list[Closable] = []
    yield registered.append
    await asyncio.gather(*(peer.close() for peer in registered), return_exceptions=True)


@pytest.fixture
async def nodes(redis: Redis, scripts: Scripts) -> AsyncIterator[tuple[Streaming, Streaming]]:
    """Node A and node B, each with a lease (no other node ends their streams)."""
    streams, started = Streams(redis, scripts), []
    try:
        for name in ("a", "b"):
            node_id = f"cascade-{name}-{secrets.token_hex(3)}"
            await Nodes(redis).renew(node_id)
            rpc = NodeRpc(redis, node_id)
            await rpc.start()
            streaming = Streaming(streams, rpc)
            started.append(streaming)
            await streaming.start()
        yield started[0], started[1]
    finally:
        for streaming in started:
            await streaming.close()
            await streaming.rpc.close()


async def wait_for(predicate: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def go_live(node: Streaming, fair_id: str, peers: Peers) -> SyntheticPublisher:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.pc.setLocalDescription(await publisher.pc.createOffer())
    sdp = publisher.pc.localDescription.sdp
    answer = await node.publish(fair_id, BOOTH, "recruiter", sdp)
    await publisher.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    deadline = time.monotonic() + 20
    while (state := await node.streams.get(fair_id, BOOTH)) is None or state.node != node.node_id:
        assert time.monotonic() < deadline, "the stream never went live"
        await asyncio.sleep(0.1)
    return publisher


async def watch(node: Streaming, fair_id: str, viewer_id: str, peers: Peers) -> TestViewer:
    viewer = TestViewer()
    peers(viewer)
    await viewer.pc.setLocalDescription(await viewer.pc.createOffer())
    sdp = viewer.pc.localDescription.sdp
    answer = (await node.view(fair_id, BOOTH, viewer_id, sdp, False))["sdp"]
    await viewer.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    return viewer


async def test_a_viewer_whose_leg_ends_while_it_negotiates_gets_a_new_one(
    nodes: tuple[Streaming, Streaming], fair_id: str, peers: Peers
) -> None:
    a, b = nodes
    sid = f"{fair_id}/{BOOTH}"
    await go_live(a, fair_id, peers)
    seen_negotiating: list[tuple[bool, int]] = []

    async def end_the_leg_once_made() -> None:
        """As the watcher did when the last viewer's grace ran out just after this one's
        `ensure`: the leg is ended while the viewer's connection is still being negotiated."""
        while b.cascade.origin(sid) is None:  # noqa: ASYNC110 (at once, not within 50 ms)
            await asyncio.sleep(0)
        seen_negotiating.append((b.hub.watched(sid), b.hub.viewer_count(sid)))
        await b.cascade.end(sid)

    ender = asyncio.create_task(end_the_leg_once_made())
    viewer = await watch(b, fair_id, "worker:1", peers)
    await ender
    await viewer.wait_for_video(10, timeout=20)
    assert seen_negotiating == [(True, 0)], "not connected yet, but counted as watching"
    assert b.cascade.origin(sid) == a.node_id
    assert a.hub.viewer_count(sid) == 1 and viewer.decode_errors == 0


async def test_the_watchers_old_view_of_a_leg_cannot_cut_off_a_publisher_on_the_edge(
    nodes: tuple[Streaming, Streaming], fair_id: str, peers: Peers
) -> None:
    a, b = nodes
    sid = f"{fair_id}/{BOOTH}"
    await go_live(a, fair_id, peers)
    viewer = await watch(b, fair_id, "worker:1", peers)
    await viewer.wait_for_video(10, timeout=20)
    leg = b.cascade._legs[sid]  # what the watcher's snapshot held
    held_by_a = await a.streams.get(fair_id, BOOTH)
    assert held_by_a is not None

    await go_live(b, fair_id, peers)  # the recruiter reconnected through B: B holds it now
    await b.cascade._act(sid, leg)  # the watcher acting on its snapshot from before the publish
    with pytest.raises(Published):  # a leg made from that snapshot's state
        await b.cascade.ensure(sid, held_by_a)
    seen = len(viewer.video_frames)
    await asyncio.sleep(3.0)  # the watcher runs six times meanwhile
    await viewer.wait_for_video(seen + 30, timeout=10)
    assert b.cascade.relayed() == [] and b.hub.stats().publishers == 1
    assert a.hub.viewer_count(sid) == 0
    assert viewer.decode_errors == 0


async def test_nothing_of_a_leg_is_left_behind_once_it_ended(
    nodes: tuple[Streaming, Streaming], fair_id: str, peers: Peers
) -> None:
    a, b = nodes
    sid = f"{fair_id}/{BOOTH}"
    await go_live(a, fair_id, peers)
    viewer = await watch(b, fair_id, "worker:1", peers)
    await viewer.wait_for_video(5, timeout=20)
    await wait_for(lambda: sid in a._edges, 5, "the holder to count B's viewers")

    await b.leave(fair_id, BOOTH, "worker:1")
    await wait_for(lambda: not b.cascade.relayed(), GRACE + 5, "B to end its leg")
    await wait_for(lambda: not a._edges, 5, "the holder to forget B")
    await wait_for(lambda: not b.cascade._leaving and not b.cascade._acting, 5, "B's tasks")
    await wait_for(lambda: not b.cascade._locks, 5, "B's lock for the stream")
    assert a.hub.viewer_count(sid) == 0 and b.hub.stats().streams == 0
