"""Layers per viewer: a publisher's two video tracks are two layers, and each viewer's receiver
reports alone (no application message) move it between them at a keyframe, and down to audio."""

import asyncio
import itertools

from aiortc import RTCSessionDescription

from server.media_metrics import MediaCollector
from server.rtc.events import ViewerCountChanged, ViewerLevelChanged
from server.rtc.hub import StreamHub
from server.rtc.layers import LayerChooser
from tests.media import LAYER_SIZES, LossyLink
from tests.rtc.conftest import Events, Peers, SyntheticPublisher, TestViewer, wait_until

HIGH, LOW = LAYER_SIZES


def levels_of(events: Events, viewer_id: str) -> list[str]:
    return [
        e.level
        for e in events.seen
        if isinstance(e, ViewerLevelChanged) and e.viewer_id == viewer_id
    ]


def switches(viewer: TestViewer) -> list[tuple[tuple[int, int], bool]]:
    """(size, keyframe) of each decoded frame whose size differs from the one before."""
    frames = [(size, keyframe) for keyframe, sizes in viewer.frame_log for size in sizes]
    return [b for a, b in itertools.pairwise(frames) if a[0] != b[0]]


def forward_steps(viewer: TestViewer) -> bool:
    return all(b > a for a, b in itertools.pairwise(viewer.timestamps))


async def layered_stream(hub: StreamHub, peers: Peers) -> SyntheticPublisher:
    publisher = SyntheticPublisher(layered=True)
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    return publisher


def quick_hub(events: Events, peers: Peers, **timings: float) -> StreamHub:
    hub = StreamHub(on_event=events, new_chooser=lambda: LayerChooser(**timings))
    peers(hub)
    return hub


async def test_a_two_layer_offer_is_answered_for_both_and_viewers_start_on_the_high_layer(
    hub: StreamHub, peers: Peers
) -> None:
    publisher = await layered_stream(hub, peers)
    answer = publisher.pc.remoteDescription.sdp
    assert answer.count("m=video") == 2 and answer.count("a=recvonly") == 3
    viewer = TestViewer()
    peers(viewer)
    await viewer.view(hub, "booth-1", "viewer")
    await viewer.wait_for_video(10, timeout=20)
    assert set(viewer.video_frames) == {HIGH}
    assert viewer.decode_errors == 0
    await viewer.wait_for_audio(10)


async def test_video_again_after_audio_only_starts_low_and_climbs_on_clean_reports(
    events: Events, peers: Peers
) -> None:
    hub = quick_hub(events, peers, up_after=3.0)
    await layered_stream(hub, peers)
    viewer = TestViewer()
    peers(viewer)
    await viewer.view(hub, "booth-1", "viewer", audio_only=True)
    await viewer.wait_for_audio(10)
    assert viewer.video_frames == []

    await hub.set_audio_only("booth-1", "viewer", False)
    assert levels_of(events, "viewer")[-1] == "low"
    await viewer.wait_for_video(10, timeout=20)
    assert viewer.video_frames[0] == LOW
    await wait_until(lambda: levels_of(events, "viewer")[-1] == "high", 20, "back to high")
    await wait_until(lambda: viewer.video_frames[-1] == HIGH, 10, "high-layer frames")
    assert switches(viewer) == [(HIGH, True)], "one switch, at a keyframe"
    assert viewer.decode_errors == 0
    assert forward_steps(viewer), "timestamps keep moving forward across the switch"
    counts = [e for e in events.seen if isinstance(e, ViewerCountChanged)][-1]
    assert counts.levels == {"high": 1, "low": 0, "audio": 0}
    metrics = {m.name: m.samples for m in MediaCollector({"booth": hub}).collect()}
    assert [
        (s.labels["viewer"], s.labels["level"]) for s in metrics["jobfair_rtc_viewer_level"]
    ] == [("viewer", "high")]
    assert [s.labels["viewer"] for s in metrics["jobfair_rtc_viewer_loss_ratio"]] == ["viewer"]
    by_level = {s.labels["level"]: s.value for s in metrics["jobfair_rtc_stream_viewers_by_level"]}
    assert by_level == {"high": 1, "low": 0, "audio": 0}


async def test_a_lossy_viewer_moves_to_the_low_layer_at_a_keyframe_and_back_when_clean(
    events: Events, peers: Peers
) -> None:
    hub = quick_hub(events, peers, up_after=4.0)
    await layered_stream(hub, peers)
    lossy, fast = TestViewer(), TestViewer()
    for number, viewer in enumerate((lossy, fast)):
        peers(viewer)
        await viewer.view(hub, "booth-1", f"viewer-{number}")  # no other message, ever
        await viewer.wait_for_video(10, timeout=20)
    link = LossyLink(lossy.pc)
    link.loss = 0.10

    await wait_until(lambda: "low" in levels_of(events, "viewer-0"), 30, "the low layer")
    link.loss = 0.0
    await wait_until(lambda: lossy.video_frames[-1] == LOW, 10, "low-layer frames")
    await wait_until(lambda: levels_of(events, "viewer-0")[-1] == "high", 40, "high again")
    await wait_until(lambda: lossy.video_frames[-1] == HIGH, 10, "high-layer frames")
    await asyncio.sleep(0.5)

    assert link.dropped > 0
    assert levels_of(events, "viewer-0") == ["low", "high"]
    assert switches(lossy) == [(LOW, True), (HIGH, True)], "each switch at a keyframe"
    assert lossy.decode_errors == 0
    assert forward_steps(lossy)
    assert levels_of(events, "viewer-1") == [], "the fast viewer stays on the high layer"
    assert set(fast.video_frames) == {HIGH} and fast.decode_errors == 0
    loss = next(e for e in events.seen if isinstance(e, ViewerLevelChanged)).loss_pct
    assert loss >= 5.0


async def test_a_viewer_losing_a_quarter_of_its_packets_ends_on_audio_without_video_rtp(
    events: Events, peers: Peers
) -> None:
    hub = quick_hub(events, peers, probe_after=600.0)
    await layered_stream(hub, peers)
    viewer = TestViewer()
    peers(viewer)
    await viewer.view(hub, "booth-1", "viewer")
    await viewer.wait_for_video(10, timeout=20)
    LossyLink(viewer.pc).loss = 0.25

    await wait_until(lambda: "audio" in levels_of(events, "viewer"), 40, "audio only")
    assert levels_of(events, "viewer")[:2] == ["low", "audio"]
    await asyncio.sleep(0.5)  # packets on the way (and their retransmissions) land
    before, audio = await viewer.video_packets_received(), viewer.audio_frames
    await asyncio.sleep(2.0)
    assert await viewer.video_packets_received() == before, "no video RTP on audio only"
    assert viewer.audio_frames > audio, "audio goes on"
    assert levels_of(events, "viewer")[-1] in ("audio", "text")
    assert viewer.decode_errors == 0


async def test_a_relay_viewer_is_never_moved_off_the_high_layer(
    events: Events, peers: Peers
) -> None:
    hub = quick_hub(events, peers)
    await layered_stream(hub, peers)
    viewer = TestViewer()
    peers(viewer)
    await viewer.view(hub, "booth-1", "relay:node-b")
    await viewer.wait_for_video(10, timeout=20)
    LossyLink(viewer.pc).loss = 0.25
    await asyncio.sleep(6.0)
    assert levels_of(events, "relay:node-b") == []
    assert viewer.video_frames[-1] == HIGH


async def test_a_hand_over_between_layered_publishers_keeps_each_viewer_on_its_layer(
    events: Events, peers: Peers
) -> None:
    hub = quick_hub(events, peers, up_after=600.0)
    presenting, next_up = SyntheticPublisher(layered=True), SyntheticPublisher(layered=True)
    high, low = TestViewer(), TestViewer()
    for peer in (presenting, next_up, high, low):
        peers(peer)
    await presenting.publish(hub, "stage")
    await high.view(hub, "stage", "high")
    await low.view(hub, "stage", "low", audio_only=True)
    await hub.set_audio_only("stage", "low", False)  # video again: the low layer
    for viewer in (high, low):
        await viewer.wait_for_video(10, timeout=20)
    counts = [len(v.video_frames) for v in (high, low)]

    await next_up.pc.setLocalDescription(await next_up.pc.createOffer())
    answer = await hub.hand_over("stage", next_up.pc.localDescription.sdp)
    await next_up.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    await wait_until(lambda: presenting.pc.connectionState == "closed", 20, "old one closed")
    for viewer, count, size in zip((high, low), counts, (HIGH, LOW), strict=True):
        await viewer.wait_for_video(len(viewer.video_frames) + 30, timeout=20)
        assert set(viewer.video_frames[count:]) == {size}
        assert max(b - a for a, b in itertools.pairwise(viewer.decoded_at[count - 1 :])) < 1.0
        assert viewer.decode_errors == 0
        assert forward_steps(viewer)
