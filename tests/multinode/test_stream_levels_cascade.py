"""Layers per viewer across a cascade leg: a viewer on node B watches a booth held by node A;
B chooses that viewer's level from its RTCP and tells it, and the booth's staff on A see it in
`stream.viewers` because B reports its viewers' levels to the holder (`edge_viewers`). The leg
carries both of A's layers, so a weak viewer on B gets the low one before audio."""

from __future__ import annotations

from rooms.models import Participant
from tests.clients import Client, Fixture, Frames, Session
from tests.peers import Publisher, Viewer
from tests.procs import Node
from tests.server.test_stream_levels import HIGH, LOW, counted, levels, live_booth


async def socket_on(node: Node, fx: Fixture, who: Participant) -> Frames:
    session = Session(node.url)
    fx.opened.append(session)
    await session.signin(fx.link(who).replace(fx.base, node.url))
    ws = await session.ws(fx.fair.id)
    assert (await ws.recv())["type"] == "welcome"
    return ws


async def test_a_lossy_viewer_on_an_edge_node_is_told_and_counted_by_the_holder(
    fx: Fixture, node_b: Node
) -> None:
    opened: list[Publisher | Viewer] = []
    try:
        recruiter = await live_booth(fx, opened)  # on the session's node, A: it holds the media
        ws = await socket_on(node_b, fx, fx.worker)
        viewer = Viewer(ws, fx.booth_a.id)
        opened.append(viewer)
        assert (await viewer.watch())["type"] == "ack"
        await viewer.frames(video=10, seconds=30)
        await viewer.frames_of(HIGH)
        # the leg is A's viewer, never moved: not counted, B's one viewer is
        await recruiter.event("stream.viewers", counted(1, 0, 0), timeout=15)

        link = viewer.drop(0.10)
        client = Client(ws)
        told = await client.event("stream.level", timeout=45)
        assert told["data"]["level"] == "low"
        await recruiter.event("stream.viewers", counted(0, 1, 0), timeout=15)
        await viewer.frames_of(LOW)  # A's low layer, over the leg

        link.loss = 0.40
        await client.event("stream.level", lambda d: d["level"] in ("audio", "text"), timeout=45)
        assert levels(client)[:2] == ["low", "audio"], "one step at a time"
        await recruiter.event("stream.viewers", counted(0, 0, 1), timeout=15)
        assert levels(recruiter) == []
    finally:
        for peer in opened:
            await peer.close()
