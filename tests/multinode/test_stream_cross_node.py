"""Booth media held by one node, watched through another; and a holding node that crashes."""

from __future__ import annotations

import signal

from tests.clients import Fixture, Session
from tests.peers import Publisher, Viewer
from tests.procs import Node


async def on(node: Node, fx: Fixture, who: object) -> Session:
    session = Session(node.url)
    fx.opened.append(session)
    await session.signin(fx.link(who).replace(fx.base, node.url))  # type: ignore[arg-type]
    return session


async def test_a_viewer_on_another_node_watches_through_the_holding_node(
    fx: Fixture, node_b: Node
) -> None:
    recruiter_ws = await (await on(node_b, fx, fx.recruiter_a)).ws(fx.fair.id)
    await recruiter_ws.recv()
    worker_ws = await (await fx.session(fx.worker)).ws(fx.fair.id)  # on the other node
    await worker_ws.recv()
    publisher = Publisher(recruiter_ws, fx.booth_a.id)
    viewer = Viewer(worker_ws, fx.booth_a.id)
    try:
        await publisher.go_live()
        await worker_ws.event("stream.live", timeout=15)
        assert (await viewer.watch())["type"] == "ack"
        await viewer.frames(video=10)
    finally:
        await viewer.close()
        await publisher.close()


async def test_when_the_holding_node_crashes_viewers_are_told_the_booth_is_offline(
    fx: Fixture, node_b: Node
) -> None:
    recruiter_ws = await (await on(node_b, fx, fx.recruiter_a)).ws(fx.fair.id)
    await recruiter_ws.recv()
    worker_ws = await (await fx.session(fx.worker)).ws(fx.fair.id)
    await worker_ws.recv()
    publisher = Publisher(recruiter_ws, fx.booth_a.id)
    try:
        await publisher.go_live()
        await worker_ws.event("stream.live", timeout=15)
        node_b.stop(signal.SIGKILL)
        offline = await worker_ws.event("stream.offline", timeout=30)  # within the lease's TTL
        assert offline["data"]["booth_id"] == fx.booth_a.id
    finally:
        await publisher.close()
