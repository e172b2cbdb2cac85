"""Viewers that come and go leave no connections, tasks, threads or memory behind."""

import asyncio
import gc
import os
import threading

from aiortc import RTCPeerConnection

from server.rtc.encoded import EncodedTrack
from server.rtc.hub import StreamHub
from tests.rtc.conftest import Peers, SyntheticPublisher, TestViewer, wait_until

PAGE = os.sysconf("SC_PAGE_SIZE")


def live_objects(kind: type) -> int:
    gc.collect()
    return sum(isinstance(o, kind) for o in gc.get_objects())


def rss_mb() -> float:
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


async def join_and_leave(hub: StreamHub, count: int, batch: int = 10) -> None:
    for start in range(0, count, batch):
        viewers = [TestViewer() for _ in range(batch)]
        ids = [f"viewer-{start + n}" for n in range(batch)]
        pairs = zip(viewers, ids, strict=True)
        await asyncio.gather(*(viewer.view(hub, "booth-1", id_) for viewer, id_ in pairs))
        await asyncio.gather(*(v.wait_for_video(3) for v in viewers))
        half = batch // 2
        # Half leave through the hub, half just hang up (the server notices the closed connection).
        await asyncio.gather(*(hub.leave("booth-1", i) for i in ids[:half]))
        await asyncio.gather(*(v.close() for v in viewers))
        await wait_until(lambda: hub.viewer_count("booth-1") == 0, 10, "viewers gone")


async def settled() -> tuple[int, int]:
    for _ in range(20):
        await asyncio.sleep(0.05)
    return len(asyncio.all_tasks()), threading.active_count()


async def test_fifty_viewers_joining_and_leaving_leave_nothing_behind(
    hub: StreamHub, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    # The first round raises the allocator's high-water mark (about 20 MB here); a leak keeps
    # growing after it (50 viewers' connections and buffers are well over 10 MB).
    await join_and_leave(hub, 50)
    tasks, threads = await settled()
    rss = rss_mb()

    await join_and_leave(hub, 50)
    tasks_after, threads_after = await settled()

    assert hub.stats().peer_connections == 1  # the publisher
    assert hub.stats().viewers == 0
    assert live_objects(RTCPeerConnection) == 2  # the publisher, at both ends
    assert live_objects(EncodedTrack) == 0
    assert tasks_after <= tasks + 2
    assert threads_after <= threads + 2
    assert rss_mb() - rss < 10, "RSS grew by more than 10 MB"
