"""The stream's one switchable source: pause forwards nothing at all, resume starts at a keyframe on
the same connections, a hand-over cuts viewers over to the next publisher without a gap."""

import asyncio
import itertools
import time

import pytest
from aiortc import RTCSessionDescription

from server.rtc.errors import CodecMismatch
from server.rtc.events import OfflineReason, StreamHandedOver, StreamOffline
from server.rtc.frames import H264
from server.rtc.hub import StreamHub
from tests.rtc.conftest import Events, Peers, SyntheticPublisher, TestViewer, wait_until


def largest_gap(times: list[float]) -> float:
    return max((b - a for a, b in itertools.pairwise(times)), default=0.0)


async def test_a_paused_stream_sends_viewers_no_packet_and_resumes_at_a_keyframe_within_a_second(
    hub: StreamHub, events: Events, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    viewers = [TestViewer(), TestViewer()]
    for number, viewer in enumerate(viewers):
        peers(viewer)
        await viewer.view(hub, "booth-1", f"viewer-{number}")
        await viewer.wait_for_video(10)
        await viewer.wait_for_audio(10)

    assert hub.pause("booth-1")
    assert hub.is_paused("booth-1") and hub.is_live("booth-1")
    await asyncio.sleep(0.3)  # packets already on the way (and their retransmissions) land
    before = [await v.media_packets_received() for v in viewers]
    frames = [len(v.video_frames) for v in viewers]
    received = [len(v.keyframes) for v in viewers]
    await asyncio.sleep(1.5)
    assert [await v.media_packets_received() for v in viewers] == before, "no packet while paused"
    assert [len(v.video_frames) for v in viewers] == frames
    connections = [v.pc for v in viewers]
    assert all(pc.connectionState == "connected" for pc in connections)
    assert publisher.pc.connectionState == "connected"

    resumed_at = time.monotonic()
    hub.resume("booth-1")
    for viewer, count, seen in zip(viewers, frames, received, strict=True):
        await viewer.wait_for_video(count + 5, timeout=5)
        # the first frame sent after the pause: the one after the gap in RTP time (aiortc's
        # jitter buffer releases the last frame before the pause only when the next one begins)
        first = next(
            i
            for i in range(max(seen, 1), len(viewer.timestamps))
            if viewer.timestamps[i] - viewer.timestamps[i - 1] > 90_000
        )
        assert viewer.received_at[first] - resumed_at < 1.0, "video again within 1 s"
        assert viewer.keyframes[first], "the first frame after the pause is a keyframe"
        assert viewer.decode_errors == 0
    assert [v.pc for v in viewers] == connections, "the same connections"
    assert not any(isinstance(e, StreamOffline) for e in events.seen)


async def test_a_publisher_that_replaces_another_paused_sends_nothing_until_resumed(
    hub: StreamHub, peers: Peers
) -> None:
    first, second = SyntheticPublisher(), SyntheticPublisher()
    viewer = TestViewer()
    for peer in (first, second, viewer):
        peers(peer)
    await first.publish(hub, "booth-1")
    await viewer.view(hub, "booth-1", "viewer")
    await viewer.wait_for_video(5)
    hub.pause("booth-1")
    await second.pc.setLocalDescription(await second.pc.createOffer())
    answer = await hub.publish("booth-1", second.pc.localDescription.sdp, paused=True)
    await second.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    await wait_until(lambda: second.pc.connectionState == "connected", 10, "second connected")
    await asyncio.sleep(0.5)
    before = await viewer.media_packets_received()
    await asyncio.sleep(1.0)
    assert await viewer.media_packets_received() == before
    count = len(viewer.video_frames)
    hub.resume("booth-1")
    await viewer.wait_for_video(count + 5)


async def test_a_hand_over_cuts_viewers_over_at_a_keyframe_without_a_gap(
    hub: StreamHub, events: Events, peers: Peers
) -> None:
    presenting, next_up = SyntheticPublisher(), SyntheticPublisher()
    viewers = [TestViewer(), TestViewer()]
    for peer in (presenting, next_up, *viewers):
        peers(peer)
    await presenting.publish(hub, "stage")
    for number, viewer in enumerate(viewers):
        await viewer.view(hub, "stage", f"viewer-{number}")
        await viewer.wait_for_video(10)
    counts = [len(v.video_frames) for v in viewers]

    await next_up.pc.setLocalDescription(await next_up.pc.createOffer())
    answer = await hub.hand_over("stage", next_up.pc.localDescription.sdp)
    await next_up.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    await wait_until(lambda: StreamHandedOver("stage") in events.seen, 10, "the cut-over")
    await wait_until(lambda: presenting.pc.connectionState == "closed", 5, "old one closed")
    for viewer, count in zip(viewers, counts, strict=True):
        await viewer.wait_for_video(len(viewer.video_frames) + 30)
        assert largest_gap(viewer.decoded_at[count - 1 :]) < 0.5, "no gap of 500 ms or more"
        assert viewer.decode_errors == 0
        steps = [b - a for a, b in zip(viewer.timestamps, viewer.timestamps[1:], strict=False)]
        assert min(steps) > 0, "timestamps keep moving forward across the cut"
    assert not any(isinstance(e, StreamOffline) for e in events.seen)
    assert hub.stats().publishers == 1


async def test_a_hand_over_without_the_streams_codec_is_refused(
    hub: StreamHub, events: Events, peers: Peers
) -> None:
    presenting, h264_only = SyntheticPublisher(), SyntheticPublisher(video_codec=H264)
    for peer in (presenting, h264_only):
        peers(peer)
    await presenting.publish(hub, "stage")
    await h264_only.pc.setLocalDescription(await h264_only.pc.createOffer())
    with pytest.raises(CodecMismatch):
        await hub.hand_over("stage", h264_only.pc.localDescription.sdp)
    assert StreamOffline("stage", OfflineReason.REPLACED) not in events.seen
    assert hub.stats().publishers == 1
