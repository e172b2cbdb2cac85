"""Layers per viewer: a publisher's two video tracks are two layers, and each viewer's receiver
reports alone (no application message) move it between them at a keyframe, and down to audio."""

import asyncio
import itertools

from aiortc import RTCSessionDescription

from server.media_metrics import MediaCollector
from server.rtc import aiortc_internals
from server.rtc.events import ViewerCountChanged, ViewerLevelChanged
from server.rtc.hub import StreamHub
from server.rtc.layers import LayerChooser
from tests.media import HEIGHT, LAYER_SIZES, WIDTH, LossyLink
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


def record_sequence_numbers(viewer: TestViewer) -> list[tuple[int, int]]:
    """(SSRC, sequence number) of every RTP packet reaching the viewer's video receiver."""
    seen: list[tuple[int, int]] = []
    receiver = viewer.video_receiver
    original = receiver._handle_rtp_packet

    async def handle(packet, arrival_time_ms):  # type: ignore[no-untyped-def]
        seen.append((packet.ssrc, packet.sequence_number))
        await original(packet, arrival_time_ms)

    receiver._handle_rtp_packet = handle  # type: ignore[method-assign]
    return seen


def contiguous(seen: list[tuple[int, int]]) -> bool:
    """The media SSRC's sequence numbers have no hole (RTX packets have an SSRC of their own)."""
    media = max({s for s, _ in seen}, key=lambda ssrc: sum(s == ssrc for s, _ in seen))
    numbers = sorted({n for s, n in seen if s == media})
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


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
    sequence_numbers = record_sequence_numbers(viewer)
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
    assert contiguous(sequence_numbers), "sequence numbers go on across the switch"
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
    # packets lost before the move's keyframe are not resent (writer.RTX_SHARE, docs/rtc.md):
    # unlike a browser, aiortc's jitter buffer holds until it overflows (128 packets) first
    await wait_until(lambda: lossy.video_frames[-1] == LOW, 20, "low-layer frames")
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
    link = LossyLink(viewer.pc)
    link.loss = 0.25
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


async def test_a_move_to_a_layer_that_sends_no_keyframe_is_given_up_and_the_level_says_so(
    events: Events, peers: Peers
) -> None:
    hub = quick_hub(events, peers, up_after=600.0)
    publisher = SyntheticPublisher(layered=True)
    peers(publisher)
    low_sender = publisher.pc.getSenders()[2]
    assert low_sender.track is publisher.videos[1]
    # its low layer sends frames but ignores keyframe requests: a move there never completes
    aiortc_internals.intercept_keyframe_requests(low_sender, lambda: None)
    await publisher.publish(hub, "booth-1")
    viewer = TestViewer()
    peers(viewer)
    await viewer.view(hub, "booth-1", "viewer")
    await viewer.wait_for_video(10, timeout=20)
    link = LossyLink(viewer.pc)
    link.loss = 0.10

    await wait_until(lambda: levels_of(events, "viewer") == ["low", "high"], 40, "given up")
    link.loss = 0.0
    count = len(viewer.video_frames)
    await viewer.wait_for_video(count + 30, timeout=20)
    assert set(viewer.video_frames) == {HIGH}, "never a low frame: it stayed on the high layer"
    assert viewer.decode_errors == 0
    await asyncio.sleep(3.0)
    assert levels_of(events, "viewer") == ["low", "high"]


async def test_a_viewer_moved_while_the_stream_is_paused_starts_on_its_layer_at_a_keyframe(
    events: Events, peers: Peers
) -> None:
    hub = quick_hub(events, peers, up_after=600.0)
    await layered_stream(hub, peers)
    viewer = TestViewer()
    peers(viewer)
    sequence_numbers = record_sequence_numbers(viewer)
    await viewer.view(hub, "booth-1", "viewer")
    await viewer.wait_for_video(10, timeout=20)
    hub.pause("booth-1")
    await asyncio.sleep(0.5)
    count = len(viewer.video_frames)
    await hub.set_audio_only("booth-1", "viewer", True)
    await hub.set_audio_only("booth-1", "viewer", False)  # video again: the low layer
    assert levels_of(events, "viewer") == ["audio", "low"]
    await asyncio.sleep(1.0)
    assert len(viewer.video_frames) == count, "nothing while paused"
    hub.resume("booth-1")
    await viewer.wait_for_video(count + 20, timeout=20)
    # the last frame before the pause comes out of the viewer's jitter buffer only now
    assert set(viewer.video_frames[count + 1 :]) == {LOW}
    assert switches(viewer) == [(LOW, True)], "one switch, at a keyframe"
    assert viewer.decode_errors == 0
    assert forward_steps(viewer)
    assert contiguous(sequence_numbers)


async def test_a_hand_over_to_a_single_layer_publisher_brings_every_viewer_to_its_layer(
    events: Events, peers: Peers
) -> None:
    hub = quick_hub(events, peers, up_after=600.0)
    presenting, next_up = SyntheticPublisher(layered=True), SyntheticPublisher()
    high, low = TestViewer(), TestViewer()
    for peer in (presenting, next_up, high, low):
        peers(peer)
    await presenting.publish(hub, "stage")
    await high.view(hub, "stage", "high")
    await low.view(hub, "stage", "low", audio_only=True)
    await hub.set_audio_only("stage", "low", False)
    for viewer in (high, low):
        await viewer.wait_for_video(10, timeout=20)
    assert low.video_frames[-1] == LOW and high.video_frames[-1] == HIGH
    counts = [len(v.video_frames) for v in (high, low)]

    await next_up.pc.setLocalDescription(await next_up.pc.createOffer())
    answer = await hub.hand_over("stage", next_up.pc.localDescription.sdp)
    await next_up.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    await wait_until(lambda: presenting.pc.connectionState == "closed", 20, "old one closed")
    await wait_until(lambda: levels_of(events, "low")[-1] == "high", 20, "its one layer")
    for viewer, count in zip((high, low), counts, strict=True):
        await viewer.wait_for_video(len(viewer.video_frames) + 30, timeout=20)
        assert viewer.video_frames[-1] == (WIDTH, HEIGHT)
        assert max(b - a for a, b in itertools.pairwise(viewer.decoded_at[count - 1 :])) < 1.0
        assert viewer.decode_errors == 0
        assert forward_steps(viewer)
    assert levels_of(events, "high") == []
