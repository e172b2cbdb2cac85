"""Layers per viewer through a real node (docs/rtc.md, "Layers per viewer"): a recruiter sends two
video layers, a viewer's link really loses a share of its RTP (`LossyLink`), and the node, from
that viewer's RTCP alone, moves it and says so: `stream.level` to that viewer only, `levels` in
the booth's `stream.viewers`, and `interview.link` to both sides of an interview.

The node's chooser keeps its real timings (2 s down, 8 s clean up), hence the long timeouts.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rooms.models import Participant
from rooms.people import People
from tests.clients import Client, Fixture, connect
from tests.media import LAYER_SIZES
from tests.peers import Publisher, Viewer
from tests.server.test_interview_room import accepted_interview

HIGH, LOW = LAYER_SIZES
SECOND_WORKER = {"name": "Quàng Văn Minh", "contact": "0911222333"}
Closable = Publisher | Viewer


def levels(client: Client, event: str = "stream.level") -> list[str]:
    """The levels `event` told this websocket so far, in order."""
    return [e["data"]["level"] for e in client.events if e["event"] == event]


def counted(high: int, low: int, audio: int) -> Any:
    """Matches a `stream.viewers` with these many viewers on each level."""
    return lambda data: data["levels"] == {"high": high, "low": low, "audio": audio}


async def live_booth(fx: Fixture, opened: list[Closable]) -> Client:
    """Booth A live with two layers; its recruiter's websocket."""
    ws = await connect(fx, fx.recruiter_a)
    publisher = Publisher(ws, fx.booth_a.id, layered=True)
    opened.append(publisher)
    assert (await publisher.go_live())["type"] == "ack"
    recruiter = Client(ws)
    await recruiter.event("stream.live", timeout=20)
    return recruiter


async def watching(fx: Fixture, who: Participant, opened: list[Closable]) -> tuple[Client, Viewer]:
    """`who` watches booth A, getting decoded video of the high layer."""
    ws = await connect(fx, who)
    viewer = Viewer(ws, fx.booth_a.id)
    opened.append(viewer)
    assert (await viewer.watch())["type"] == "ack"
    await viewer.frames(video=10, seconds=20)
    await viewer.frames_of(HIGH)
    return Client(ws), viewer


async def close_all(opened: list[Closable]) -> None:
    await asyncio.gather(*(peer.close() for peer in opened), return_exceptions=True)


async def test_a_lossy_viewer_alone_is_moved_to_the_low_layer_and_back_and_staff_see_it(
    fx: Fixture, people: People
) -> None:
    opened: list[Closable] = []
    try:
        recruiter = await live_booth(fx, opened)
        lossy, viewer = await watching(fx, fx.worker, opened)
        other, _ = await watching(
            fx, await people.register_worker(fx.fair.id, SECOND_WORKER), opened
        )
        await recruiter.event("stream.viewers", counted(2, 0, 0), timeout=10)

        link = viewer.drop(0.10)
        told = await lossy.event("stream.level", timeout=45)
        assert told["data"]["booth_id"] == fx.booth_a.id
        assert told["data"]["level"] == "low"
        assert told["data"]["loss_pct"] >= 5.0
        await recruiter.event("stream.viewers", counted(1, 1, 0), timeout=10)
        await viewer.frames_of(LOW)

        link.loss = 0.0  # the link recovers: after 8 s of clean reports, the high layer again
        told = await lossy.event("stream.level", timeout=45)
        assert told["data"]["level"] == "high"
        await recruiter.event("stream.viewers", counted(2, 0, 0), timeout=10)
        await viewer.frames_of(HIGH)
        assert link.dropped > 0

        await other.listen(1.0)
        assert levels(other) == [], "the other viewer's link is fine: it is told nothing"
        assert levels(recruiter) == [], "only the viewer hears of its level"
        assert levels(lossy) == ["low", "high"]
    finally:
        await close_all(opened)


async def test_a_viewer_losing_two_packets_in_five_ends_on_audio_only(fx: Fixture) -> None:
    opened: list[Closable] = []
    try:
        recruiter = await live_booth(fx, opened)
        client, viewer = await watching(fx, fx.worker, opened)

        viewer.drop(0.40)
        await client.event("stream.level", lambda d: d["level"] in ("audio", "text"), timeout=45)
        assert levels(client)[:2] == ["low", "audio"], "one step at a time"
        await recruiter.event("stream.viewers", counted(0, 0, 1), timeout=10)  # text is audio
        await asyncio.sleep(1.0)  # frames on their way (and retransmissions) land
        video, audio = viewer.video_frames, viewer.audio_frames
        await asyncio.sleep(2.0)
        assert viewer.video_frames == video, "no video on audio only"
        assert viewer.audio_frames > audio, "audio goes on"
    finally:
        await close_all(opened)


async def test_a_weak_downlink_in_an_interview_is_announced_to_both_sides(fx: Fixture) -> None:
    worker_ws, recruiter_ws, interview_id = await accepted_interview(fx)
    ids = {"interview_id": interview_id}
    opened: list[Closable] = [
        Publisher(worker_ws, "", "interview.publish", **ids),
        Publisher(recruiter_ws, "", "interview.publish", layered=True, **ids),
    ]
    to_worker = Viewer(worker_ws, "", "interview.view", **ids)  # the recruiter's camera
    to_recruiter = Viewer(recruiter_ws, "", "interview.view", **ids)
    tab = await connect(fx, fx.worker)  # the worker's room open twice for a while
    in_tab = Viewer(tab, "", "interview.view", **ids)
    opened += [to_worker, to_recruiter, in_tab]
    worker, recruiter = Client(worker_ws), Client(recruiter_ws)
    try:
        for peer in opened:
            reply = await peer.go_live() if isinstance(peer, Publisher) else await peer.watch()
            assert reply["type"] == "ack", reply
        for watcher in (to_worker, to_recruiter):
            await watcher.frames(video=10, seconds=20)
        await to_worker.frames_of(HIGH)
        await in_tab.frames(video=10, seconds=20)
        await tab.close()  # the tab closed: the links of the room open still are announced
        await asyncio.sleep(1.0)

        to_worker.drop(0.40)  # the worker's downlink: each step down is told to both
        for side in (worker, recruiter):
            told = await side.event(
                "interview.link", lambda d: d["level"] in ("audio", "text"), timeout=45
            )
            assert told["data"]["interview_id"] == interview_id
            assert told["data"]["loss_pct"] >= 20.0
        await worker.listen(0.5)
        await recruiter.listen(0.5)
        for side in (worker, recruiter):
            links = [e["data"] for e in side.events if e["event"] == "interview.link"]
            assert {link["side"] for link in links} == {"worker"}, "the recruiter's link is fine"
            assert levels(side, "interview.link")[:2] == ["low", "audio"]
        assert levels(worker, "interview.link") == levels(recruiter, "interview.link")
    finally:
        await close_all(opened)
