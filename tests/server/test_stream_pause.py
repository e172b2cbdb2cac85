"""A booth stays on air while its recruiters interview: the presenter's own interview pauses the
booth's stream at the server (viewers get no packet of it, keep their connection, and get video
again when it ends); another recruiter's interviews leave it running without a gap."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from rooms.people import People
from tests.clients import Fixture, Frames, connect, ok
from tests.peers import Publisher, Viewer


async def interview(fx: Fixture, people: People, recruiter_ws: Frames, number: int) -> str:
    """A new worker joins booth A's line, is called by `recruiter_ws` and accepts."""
    worker = await people.register_worker(
        fx.fair.id, {"name": f"Worker {number}", "contact": f"09000000{number:02d}"}
    )
    worker_ws = await connect(fx, worker)
    entry = await ok(worker_ws, "queue.join", {"booth_id": fx.booth_a.id})
    await ok(recruiter_ws, "queue.call_next", {"booth_id": fx.booth_a.id})
    accepted = await ok(worker_ws, "queue.accept", {"entry_id": entry["id"]})
    return str(accepted["interview_id"])


async def test_the_presenters_interview_pauses_the_booth_and_its_end_resumes_it(
    fx: Fixture, people: People
) -> None:
    recruiter_ws = await connect(fx, fx.recruiter_a)
    publisher = Publisher(recruiter_ws, fx.booth_a.id)
    viewer_ws = await connect(fx, fx.worker)
    viewer = Viewer(viewer_ws, fx.booth_a.id)
    try:
        await publisher.go_live()
        await viewer_ws.event("stream.live", timeout=15)
        assert (await viewer.watch())["type"] == "ack"
        await viewer.frames(video=10)

        interview_id = await interview(fx, people, recruiter_ws, 1)
        paused = await viewer_ws.event("stream.paused", timeout=5)
        assert paused["data"]["paused"] == "interview"
        assert paused["data"]["back_at"] > time.time() + 14 * 60  # the booth's 15-minute slot
        await asyncio.sleep(0.5)
        before = await viewer.packets_received()
        await asyncio.sleep(1.5)
        assert await viewer.packets_received() == before, "no packet of the booth while paused"
        snapshot = await viewer_ws.request("fair.snapshot")
        streams = snapshot["data"]["streams"]
        assert fx.booth_a.id in streams, (streams, list(viewer_ws._held))  # still live, paused
        assert streams[fx.booth_a.id]["paused"] == "interview"

        frames = viewer.video_frames
        ended_at = time.monotonic()
        await ok(recruiter_ws, "queue.finish", {"interview_id": interview_id})
        resumed = await viewer_ws.event("stream.resumed", timeout=5)
        assert resumed["data"]["paused"] is None
        await viewer.frames(video=1, seconds=5)
        assert viewer.video_at[frames] - ended_at < 1.5, "video again right after the interview"
        assert viewer.pc.connectionState == "connected"
        assert publisher.pc.connectionState == "connected"
    finally:
        await viewer.close()
        await publisher.close()


async def test_a_second_recruiter_interviews_three_people_while_the_first_presents_without_a_gap(
    fx: Fixture, people: People
) -> None:
    second = await people.add_recruiter(fx.fair.id, fx.booth_a.id, "Recruiter A2")
    presenter_ws = await connect(fx, fx.recruiter_a)
    interviewer_ws = await connect(fx, second)
    publisher = Publisher(presenter_ws, fx.booth_a.id)
    viewer_ws = await connect(fx, fx.worker)
    viewer = Viewer(viewer_ws, fx.booth_a.id)
    try:
        await publisher.go_live()
        await viewer_ws.event("stream.live", timeout=15)
        await viewer.watch()
        await viewer.frames(video=10)
        start = viewer.video_frames
        for number in range(3):
            interview_id = await interview(fx, people, interviewer_ws, number + 1)
            await asyncio.sleep(0.5)
            await ok(interviewer_ws, "queue.finish", {"interview_id": interview_id})
        await viewer.frames(video=15)
        gaps = [b - a for a, b in itertools.pairwise(viewer.video_at[start - 1 :])]
        assert max(gaps) < 0.5, f"largest gap between frames {max(gaps):.3f} s"
        with pytest.raises(TimeoutError):
            await viewer_ws.event("stream.paused", timeout=0.2)
    finally:
        await viewer.close()
        await publisher.close()
