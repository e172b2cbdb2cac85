"""Viewers outlive publishers; stop() ends everything; the observer hears each change."""

import asyncio

from server.rtc.events import OfflineReason, StreamLive, StreamOffline, ViewerCountChanged
from server.rtc.hub import StreamHub
from tests.rtc.conftest import Events, Peers, SyntheticPublisher, TestViewer, wait_until


async def test_viewers_stay_connected_while_the_publisher_is_away_and_see_its_return(
    hub: StreamHub, events: Events, peers: Peers
) -> None:
    first = SyntheticPublisher()
    peers(first)
    await first.publish(hub, "booth-1")
    viewers = [TestViewer(), TestViewer()]
    for number, viewer in enumerate(viewers):
        peers(viewer)
        await viewer.view(hub, "booth-1", f"viewer-{number}")
        await viewer.wait_for_video(10)
    assert StreamLive("booth-1") in events.seen

    await first.close()
    await wait_until(lambda: StreamOffline("booth-1", OfflineReason.LEFT) in events.seen, 5)
    assert not hub.is_live("booth-1")
    await asyncio.sleep(0.3)
    frozen = [len(v.video_frames) for v in viewers]
    await asyncio.sleep(0.7)
    assert [len(v.video_frames) for v in viewers] == frozen
    assert all(v.pc.connectionState == "connected" for v in viewers)

    events.seen.clear()
    second = SyntheticPublisher()
    peers(second)
    await second.publish(hub, "booth-1")
    for viewer, before in zip(viewers, frozen, strict=True):
        await viewer.wait_for_video(before + 20)
        steps = [b - a for a, b in zip(viewer.timestamps, viewer.timestamps[1:], strict=False)]
        assert min(steps) > 0, "timestamps keep moving forward across publishers"
        gap = max(range(len(steps)), key=steps.__getitem__)
        assert steps[gap] > 0.5 * 90_000, "the time away shows in the timestamps"
        assert viewer.keyframes[gap + 1], "frames of the new publisher start at a keyframe"
        assert viewer.decode_errors == 0
    assert events.seen[0] == StreamLive("booth-1")
    assert hub.viewer_count("booth-1") == 2


async def test_stop_closes_the_publisher_and_every_viewer(
    hub: StreamHub, events: Events, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    viewer = TestViewer()
    peers(viewer)
    await viewer.view(hub, "booth-1", "viewer")
    await viewer.wait_for_video(5)

    await hub.stop("booth-1")
    await hub.stop("booth-1")

    assert events.seen[-2:] == [
        StreamOffline("booth-1", OfflineReason.STOPPED),
        ViewerCountChanged("booth-1", 0, {"high": 0, "low": 0, "audio": 0}),
    ]
    assert hub.stats().peer_connections == 0
    await wait_until(lambda: viewer.pc.connectionState == "closed", 5, "viewer closed")
    await wait_until(lambda: publisher.pc.connectionState == "closed", 5, "publisher closed")


async def test_a_new_publisher_replaces_the_old_one(
    hub: StreamHub, events: Events, peers: Peers
) -> None:
    old, new = SyntheticPublisher(), SyntheticPublisher()
    peers(old)
    peers(new)
    viewer = TestViewer()
    peers(viewer)
    await old.publish(hub, "booth-1")
    await viewer.view(hub, "booth-1", "viewer")
    await viewer.wait_for_video(5)

    await new.publish(hub, "booth-1")
    await wait_until(lambda: old.pc.connectionState == "closed", 5, "old publisher closed")
    before = len(viewer.video_frames)
    await viewer.wait_for_video(before + 10)
    assert StreamOffline("booth-1", OfflineReason.REPLACED) in events.seen
    assert events.seen[-1] == StreamLive("booth-1")
    assert hub.stats().publishers == 1
