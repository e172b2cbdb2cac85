"""Frames reach viewers still encoded, decodable, and starting at a keyframe."""

from server.rtc.frames import H264
from server.rtc.hub import StreamHub
from tests.media import HEIGHT, WIDTH
from tests.rtc.conftest import Peers, SyntheticPublisher, TestViewer


async def test_three_viewers_decode_the_publishers_video_and_audio(
    hub: StreamHub, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    viewers = [TestViewer() for _ in range(3)]
    for number, viewer in enumerate(viewers):
        peers(viewer)
        await viewer.view(hub, "booth-1", f"viewer-{number}")

    for viewer in viewers:
        await viewer.wait_for_video(30)
        await viewer.wait_for_audio(50)

    for viewer in viewers:
        assert set(viewer.video_frames) == {(WIDTH, HEIGHT)}
        assert viewer.decode_errors == 0
        assert viewer.keyframes[0]
        assert viewer.audio_peak > 4000  # the tone, not silence
    assert hub.stats().viewers == 3


async def test_a_late_viewer_starts_at_a_requested_keyframe(hub: StreamHub, peers: Peers) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    early = TestViewer()
    peers(early)
    await early.view(hub, "booth-1", "early")
    await early.wait_for_video(45)  # 1.5 s: the last keyframe is long past
    plis_before = publisher.plis

    late = TestViewer()
    peers(late)
    await late.view(hub, "booth-1", "late")
    await late.wait_for_video(5, timeout=3)

    assert late.keyframes[0], "the first frame a late viewer gets must be a keyframe"
    assert late.decode_errors == 0
    assert publisher.plis > plis_before, "the keyframe was asked for, not waited for"
    assert sum(early.keyframes) < len(early.keyframes) / 2  # delta frames do flow in between


async def test_viewers_get_h264_when_that_is_what_the_publisher_sends(
    hub: StreamHub, peers: Peers
) -> None:
    publisher = SyntheticPublisher(video_codec=H264)
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    viewer = TestViewer()  # offers VP8 first, and H.264
    peers(viewer)
    await viewer.view(hub, "booth-1", "viewer")

    await viewer.wait_for_video(15)
    assert viewer.codecs == {H264}
    assert viewer.keyframes[0]
    assert viewer.decode_errors == 0
    assert set(viewer.video_frames) == {(WIDTH, HEIGHT)}
