"""Graceful stop of a real node: SIGTERM (or Ctrl+C) sends pages elsewhere, refuses new streams
and interviews, keeps a running interview's media flowing until it ends or the drain limit
passes, then exits 0 without a traceback; the embedded Redis stops last and never outlives us."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.models import Participant
from rooms.people import People
from server.auth import Tokens
from tests.clients import FAIR, Fixture, Frames, Session, connect, ok
from tests.peers import Publisher, Viewer
from tests.procs import Node, RedisProcess
from tests.server.test_interview_room import accepted_interview

SERVICE_RESTART = 1012


async def exit_code(node: Node, seconds: float) -> int:
    """Wait for the node's exit without blocking the loop (the peers' media runs on it)."""
    assert node.proc is not None
    deadline = time.monotonic() + seconds
    while node.proc.poll() is None:
        assert time.monotonic() < deadline, f"the node still runs {seconds} s later"
        await asyncio.sleep(0.1)
    return node.proc.returncode


def stop(node: Node) -> None:
    """Stop the node if a test left it running (a node that exited is only forgotten)."""
    if node.proc is not None and node.proc.poll() is not None:
        node.proc = None
    node.stop()


def assert_clean_log(node: Node) -> None:
    text = node.log.read_text()
    assert "Traceback" not in text
    assert "shutdown failed" not in text.lower()


def gone(pid: int) -> bool:
    """No such process, or a zombie nobody reaped yet (it no longer runs)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return bool(re.search(r"^State:\s+Z", status, re.M))


def embedded_redis_pid(node: Node) -> int:
    found = re.findall(r"embedded redis-server \(pid (\d+)\)", node.log.read_text())
    return int(found[-1])


class Interview:
    """Both sides of an accepted interview sending and receiving video through the node."""

    def __init__(self, worker: Frames, recruiter: Frames, interview_id: str) -> None:
        self.worker, self.recruiter, self.id = worker, recruiter, interview_id
        ids = {"interview_id": interview_id}
        self.peers = [
            Publisher(worker, "", "interview.publish", **ids),
            Publisher(recruiter, "", "interview.publish", **ids),
        ]
        self.watchers = [
            Viewer(recruiter, "", "interview.view", **ids),
            Viewer(worker, "", "interview.view", **ids),
        ]

    async def start(self) -> None:
        for peer in self.peers:
            assert (await peer.go_live())["type"] == "ack"
        for watcher in self.watchers:
            assert (await watcher.watch())["type"] == "ack"
        await self.flowing(10)

    async def flowing(self, frames: int, seconds: float = 15.0) -> None:
        for watcher in self.watchers:
            await watcher.frames(video=frames, seconds=seconds)

    async def close(self) -> None:
        for peer in self.peers:
            await peer.close()
        for watcher in self.watchers:
            await watcher.close()


@pytest.fixture
async def draining_node(
    redis_server: RedisProcess, redis: Redis, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Node]:
    """A node of its own (it is stopped by the test) on the suite's Redis, cleaned by `redis`."""
    limit = getattr(request, "param", "60")
    node = Node(tmp_path, redis_server.url, JOBFAIR_LIMIT_DRAIN_SECONDS=limit).start()
    yield node
    stop(node)


@pytest.fixture
async def fair(
    draining_node: Node, fairs: Fairs, people: People, tokens: Tokens
) -> AsyncIterator[Fixture]:
    fixture = await Fixture.build(fairs, people, tokens, draining_node.url)
    yield fixture
    await fixture.aclose()


async def connect_at(base: str, fx: Fixture, who: Participant) -> Frames:
    """`who`'s fair websocket on the node at `base`, past its welcome frame."""
    session = Session(base)
    fx.opened.append(session)
    await session.signin(f"{base}/signin?t={fx.tokens.signin(who)}")
    ws = await session.ws(fx.fair.id)
    assert (await ws.recv())["type"] == "welcome"
    return ws


async def paused_interview(fx: Fixture, people: People) -> tuple[Frames, str]:
    """Booth B's interview, whose media started on the node and was left: the node holds its
    claim but carries nothing of it. Returns the recruiter's socket and the interview id."""
    other = await people.register_worker(
        fx.fair.id, {"name": "Lò Thị Hoa", "contact": "0911222333"}
    )
    worker, recruiter = await connect(fx, other), await connect(fx, fx.recruiter_b)
    entry = await ok(worker, "queue.join", {"booth_id": fx.booth_b.id})
    await ok(recruiter, "queue.call_next", {"booth_id": fx.booth_b.id})
    interview_id = (await ok(worker, "queue.accept", {"entry_id": entry["id"]}))["interview_id"]
    camera = Publisher(recruiter, "", "interview.publish", interview_id=interview_id)
    try:
        assert (await camera.go_live())["type"] == "ack"
        await ok(recruiter, "interview.leave", {"interview_id": interview_id})
    finally:
        await camera.close()
    return recruiter, interview_id


async def test_sigterm_keeps_a_running_interviews_media_flowing_until_it_ends(
    draining_node: Node, fair: Fixture, people: People, node: Node
) -> None:
    fx = fair
    worker, recruiter, interview_id = await accepted_interview(fx)
    paused_page, paused = await paused_interview(fx, people)
    lobby = await connect(fx, fx.moderator)
    interview = Interview(worker, recruiter, interview_id)
    try:
        await interview.start()
        assert draining_node.proc is not None
        draining_node.proc.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()

        # pages without a running interview are sent to another node; none may connect here
        for page in (lobby, paused_page):
            await asyncio.wait_for(page.ws.wait_closed(), 5)
            assert page.ws.close_code == SERVICE_RESTART
        async with httpx.AsyncClient() as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"{draining_node.url}/healthz")

        # no new booth stream here, even on a socket that stays open
        booth = Publisher(recruiter, fx.booth_a.id)
        try:
            refused = await booth.go_live()
        finally:
            await booth.close()
        assert (refused["type"], refused["code"]) == ("error", "draining"), refused

        # the paused interview resumes through the other node: the draining one refuses to
        # carry it, so the other takes it over
        moved = await connect_at(node.url, fx, fx.recruiter_b)
        resumed = Publisher(moved, "", "interview.publish", interview_id=paused)
        try:
            assert (await resumed.go_live())["type"] == "ack"
        finally:
            await resumed.close()

        # the running interview's media keeps flowing through the drain
        await interview.flowing(60)
        assert draining_node.proc.poll() is None and time.monotonic() - stopped_at > 1.5

        # the interview ends (both pages leave it): the node exits at once, cleanly
        for ws in (worker, recruiter):
            await ok(ws, "interview.leave", {"interview_id": interview_id})
        assert await exit_code(draining_node, 10) == 0
        assert time.monotonic() - stopped_at < 30  # well before the 60 s limit
    finally:
        await interview.close()
    for ws in (worker, recruiter):
        await asyncio.wait_for(ws.ws.wait_closed(), 5)
        assert ws.ws.close_code == SERVICE_RESTART
    assert_clean_log(draining_node)


@pytest.mark.parametrize("draining_node", ["4"], indirect=True)
async def test_the_drain_ends_at_its_limit_while_an_interview_still_runs(
    draining_node: Node, fair: Fixture
) -> None:
    node = draining_node
    interview = Interview(*await accepted_interview(fair))
    try:
        await interview.start()
        assert node.proc is not None
        node.proc.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        await interview.flowing(30)  # about a second of video after SIGTERM
        assert await exit_code(node, 15) == 0
        assert time.monotonic() - stopped_at >= 4
    finally:
        await interview.close()
    for ws in (interview.worker, interview.recruiter):
        await asyncio.wait_for(ws.ws.wait_closed(), 5)
        assert ws.ws.close_code == SERVICE_RESTART
    assert_clean_log(node)


async def test_ctrl_c_stops_the_server_cleanly_and_its_embedded_redis_last(
    tmp_path: Path,
) -> None:
    node = Node(tmp_path / "data", redis_url=None, own_group=True).start()
    try:
        staff = Session(node.url)
        await staff.signin(node.signin_links()["moderator (all fairs)"])
        created = await staff.api("POST", "/api/fairs", {**FAIR, "title": "Phiên Ctrl+C"})
        assert created.status_code == 201
        await staff.close()
        redis_pid = embedded_redis_pid(node)
        assert node.proc is not None
        os.killpg(node.proc.pid, signal.SIGINT)  # what a terminal's Ctrl+C does
        assert await exit_code(node, 15) == 0
        assert gone(redis_pid)
        assert_clean_log(node)
        redis_log = (node.data_dir / "redis.log").read_text()
        assert "Received SIGINT" not in redis_log  # Ctrl+C reached only the server,
        assert "Received SIGTERM" in redis_log  # which stopped its Redis when it was done
    finally:
        stop(node)
    node.start()  # the append-only file kept the fair
    try:
        async with httpx.AsyncClient() as client:
            assert "Phiên Ctrl+C" in (await client.get(node.url)).text
    finally:
        node.stop()


async def test_the_embedded_redis_dies_with_a_server_killed_by_sigkill(tmp_path: Path) -> None:
    node = Node(tmp_path / "data", redis_url=None).start()
    redis_pid = embedded_redis_pid(node)
    assert not gone(redis_pid)
    node.stop(signal.SIGKILL)
    deadline = time.monotonic() + 5
    while not gone(redis_pid):
        assert time.monotonic() < deadline, "redis-server outlived its killed server"
        await asyncio.sleep(0.05)
