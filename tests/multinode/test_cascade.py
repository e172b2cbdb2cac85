"""Cascaded streams on two `jobfair serve` nodes: the holder (A) forwards a booth's stream once
to node B, which serves its own viewers; a leg whose UDP is dropped is re-made by B's heartbeat.

Each node's WebRTC sockets bind within its own port range (JOBFAIR_RTC_PORTS), so the leg is the
only UDP between the two ranges: an nftables rule in this test's own table drops exactly that.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from rooms.store.scripts import Scripts
from rooms.streams import Streams
from tests.clients import Fixture, Frames, Session
from tests.peers import Publisher, Viewer
from tests.procs import Node, RedisProcess

PORTS_A, PORTS_B = (21100, 21299), (21300, 21499)  # outside the ephemeral ports
TABLE = f"jobfair_cascade_test_{os.getpid()}"


def span(ports: tuple[int, int]) -> str:
    return f"{ports[0]}-{ports[1]}"


@pytest.fixture
def nodes(redis_server: RedisProcess, tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    started: list[Node] = []
    try:
        for name, ports in (("a", PORTS_A), ("b", PORTS_B)):
            node = Node(tmp_path / name, redis_server.url, JOBFAIR_RTC_PORTS=span(ports))
            started.append(node.start())
        yield started[0], started[1]
    finally:
        for node in started:
            node.stop()


async def socket(fx: Fixture, who: object, node: Node) -> Frames:
    session = Session(node.url)
    fx.opened.append(session)
    await session.signin(fx.link(who).replace(fx.base, node.url))  # type: ignore[arg-type]
    ws = await session.ws(fx.fair.id)
    assert (await ws.recv())["type"] == "welcome"
    return ws


async def metric(node: Node, name: str) -> float:
    """A counter or gauge of the booth streams' hub on `node`."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{node.url}/metrics")).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels.get("hub") == "booth":
                return float(sample.value)
    raise AssertionError(f"{name} not in {node.url}/metrics")


def nft(script: str) -> None:
    subprocess.run(["nft", "-f", "-"], input=script.encode(), check=True)


def drop_udp_between(first: tuple[int, int], second: tuple[int, int], percent: int = 100) -> None:
    """Drop, on receipt, every UDP datagram between the two port ranges, both ways (`percent`:
    that share of them, at random)."""
    a, b = span(first), span(second)
    some = "" if percent >= 100 else f"numgen random mod 100 < {percent} "
    nft(
        f"table inet {TABLE} {{\n"
        f"  chain input {{ type filter hook input priority 0; policy accept;\n"
        f"    udp sport {a} udp dport {b} {some}drop\n"
        f"    udp sport {b} udp dport {a} {some}drop\n"
        f"  }}\n"
        f"}}\n"
    )


def allow_udp_again() -> None:
    subprocess.run(["nft", "delete", "table", "inet", TABLE], check=False, capture_output=True)


async def test_eight_viewers_on_b_cost_the_holder_one_viewer_and_a_dropped_leg_comes_back(
    fx: Fixture, nodes: tuple[Node, Node], redis: Redis
) -> None:
    node_a, node_b = nodes
    recruiter = await socket(fx, fx.recruiter_a, node_a)
    publisher = Publisher(recruiter, fx.booth_a.id, layered=True)
    watchers = [await socket(fx, fx.worker, node_b) for _ in range(8)]
    viewers = [Viewer(ws, fx.booth_a.id) for ws in watchers]
    try:
        assert (await publisher.go_live())["type"] == "ack"
        await watchers[0].event("stream.live", timeout=20)
        for viewer in viewers:
            assert (await viewer.watch())["type"] == "ack"
        for viewer in viewers:
            await viewer.frames(video=10, seconds=30)
        streams, counted = Streams(redis, Scripts(redis)), 0
        for _ in range(50):  # what pages show: B's viewers, reported to A, which holds the count
            state = await streams.get(fx.fair.id, fx.booth_a.id)
            counted = 0 if state is None else state.viewers
            if counted == 8:
                break
            await asyncio.sleep(0.2)

        # A's outgoing RTP for the stream (its only one) against what one viewer on B receives:
        # every one is on the high layer, so the leg carries none of the low one (whose packets
        # would come on top of what one viewer receives)
        await asyncio.sleep(1)
        sent_before = await metric(node_a, "jobfair_rtc_packets_sent_total")
        received_before = await viewers[0].packets_received()
        await asyncio.sleep(4)
        sent = await metric(node_a, "jobfair_rtc_packets_sent_total") - sent_before
        received = await viewers[0].packets_received() - received_before
        viewers_at_a = await metric(node_a, "jobfair_rtc_viewers")
        viewers_at_b = await metric(node_b, "jobfair_rtc_viewers")
        legs_before = await metric(node_b, "jobfair_rtc_relay_legs_total")

        drop_udp_between(PORTS_A, PORTS_B)
        try:
            await asyncio.sleep(3)
        finally:
            allow_udp_again()
        restored_at = time.monotonic()
        for viewer in viewers:
            await viewer.frames(video=10, seconds=max(0.1, restored_at + 5 - time.monotonic()))
        back_within = time.monotonic() - restored_at
        legs_after = await metric(node_b, "jobfair_rtc_relay_legs_total")
    finally:
        allow_udp_again()
        for peer in (*viewers, publisher):
            await peer.close()
    assert (viewers_at_a, viewers_at_b) == (1, 8)  # A's one viewer is B's leg
    assert counted == 8
    assert received > 100  # ~1 Mbps of video and audio for 4 s: the stream flowed
    assert sent <= 1.1 * received, f"A sent {sent} packets, one viewer on B received {received}"
    assert back_within < 5, f"B's viewers decoded again {back_within:.1f} s after the drop"
    assert legs_after > legs_before == 1  # re-made by B's heartbeat, not resumed by itself


async def test_packets_lost_on_the_leg_are_resent_by_the_holder_and_viewers_see_no_freeze(
    fx: Fixture, nodes: tuple[Node, Node]
) -> None:
    node_a, node_b = nodes
    recruiter = await socket(fx, fx.recruiter_a, node_a)
    publisher = Publisher(recruiter, fx.booth_a.id)
    watchers = [await socket(fx, fx.worker, node_b) for _ in range(2)]
    viewers = [Viewer(ws, fx.booth_a.id) for ws in watchers]
    try:
        assert (await publisher.go_live())["type"] == "ack"
        await watchers[0].event("stream.live", timeout=20)
        for viewer in viewers:
            assert (await viewer.watch())["type"] == "ack"
            await viewer.frames(video=10, seconds=30)
        resent_before = await metric(node_a, "jobfair_rtc_retransmissions_total")
        legs_before = await metric(node_b, "jobfair_rtc_relay_legs_total")
        drop_udp_between(PORTS_A, PORTS_B, percent=2)  # the leg only: B's viewers are local
        try:
            began = time.monotonic()
            await asyncio.sleep(10)
        finally:
            allow_udp_again()
        resent = await metric(node_a, "jobfair_rtc_retransmissions_total") - resent_before
        legs_after = await metric(node_b, "jobfair_rtc_relay_legs_total")
    finally:
        allow_udp_again()
        for peer in (*viewers, publisher):
            await peer.close()
    assert resent > 0, "B's NACKs for the leg's lost packets were answered from A's history"
    assert legs_after == legs_before, "the leg lived through the loss"
    for viewer in viewers:
        times = [began, *(t for t in viewer.video_at if t >= began), began + 10]
        longest = max(b - a for a, b in itertools.pairwise(times))
        decoded = len(times) - 2
        assert decoded > 100, f"{decoded} frames decoded in 10 s"
        assert longest < 2.0, f"video froze for {longest:.1f} s"


async def until(node: Node, name: str, value: float, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (seen := await metric(node, name)) != value:
        assert time.monotonic() < deadline, f"{name} at {node.url} is {seen}, not {value}"
        await asyncio.sleep(0.2)


async def test_a_leg_ends_after_its_last_viewer_and_when_the_stream_goes_offline(
    fx: Fixture, node: Node, node_b: Node
) -> None:
    recruiter = await socket(fx, fx.recruiter_a, node)  # A: the session's node holds the stream
    publisher = Publisher(recruiter, fx.booth_a.id)
    worker = await socket(fx, fx.worker, node_b)
    first, second = Viewer(worker, fx.booth_a.id), Viewer(worker, fx.booth_a.id)
    try:
        assert (await publisher.go_live())["type"] == "ack"
        await worker.event("stream.live", timeout=20)
        assert (await first.watch())["type"] == "ack"
        await first.frames(video=5)
        await until(node, "jobfair_rtc_viewers", 1, 5)  # B's leg
        assert (await worker.request("stream.leave", {"booth_id": fx.booth_a.id}))["type"] == "ack"
        await until(node, "jobfair_rtc_viewers", 0, 15)  # the leg left after B's grace
        await until(node_b, "jobfair_rtc_streams", 0, 5)

        assert (await second.watch())["type"] == "ack"  # a new leg
        await second.frames(video=5)
        await publisher.close()  # the presenter left: A's viewers would wait for their return
        await worker.event("stream.offline", timeout=20)
        await until(node, "jobfair_rtc_viewers", 0, 10)  # but B ended its leg
    finally:
        for peer in (first, second, publisher):
            await peer.close()


async def test_the_viewers_of_a_node_that_died_are_no_longer_counted(
    fx: Fixture, node: Node, node_b: Node, redis: Redis
) -> None:
    recruiter = await socket(fx, fx.recruiter_a, node)
    publisher = Publisher(recruiter, fx.booth_a.id)
    watchers = [await socket(fx, fx.worker, node_b) for _ in range(3)]
    viewers = [Viewer(ws, fx.booth_a.id) for ws in watchers]
    streams = Streams(redis, Scripts(redis))

    async def counted(expected: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            state = await streams.get(fx.fair.id, fx.booth_a.id)
            seen = None if state is None else state.viewers
            if seen == expected:
                return
            assert time.monotonic() < deadline, f"pages see {seen} viewers, not {expected}"
            await asyncio.sleep(0.2)

    try:
        assert (await publisher.go_live())["type"] == "ack"
        await watchers[0].event("stream.live", timeout=20)
        for viewer in viewers:
            assert (await viewer.watch())["type"] == "ack"
            await viewer.frames(video=3, seconds=30)
        await counted(3, 10)
        node_b.stop(signal.SIGKILL)  # no leave, and the leg's connection at A lives on a while
        await counted(0, 10)
    finally:
        for peer in (*viewers, publisher):
            await peer.close()
