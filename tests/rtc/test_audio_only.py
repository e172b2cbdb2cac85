"""An audio-only viewer gets no video RTP, without renegotiation, and can switch back."""

import asyncio

from server.rtc.hub import StreamHub
from tests.rtc.conftest import Peers, SyntheticPublisher, TestViewer


async def test_an_audio_only_viewer_gets_audio_but_no_video_rtp_until_it_switches_back(
    hub: StreamHub, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    viewer = TestViewer()
    peers(viewer)
    await viewer.view(hub, "booth-1", "listener", audio_only=True)

    await viewer.wait_for_audio(40)
    assert await viewer.video_packets_received() == 0

    await hub.set_audio_only("booth-1", "listener", False)
    await viewer.wait_for_video(10, timeout=3)
    assert viewer.keyframes[0]
    assert viewer.decode_errors == 0

    await hub.set_audio_only("booth-1", "listener", True)
    await asyncio.sleep(0.3)  # frames already handed to the sender may still go out
    packets = await viewer.video_packets_received()
    audio = viewer.audio_frames
    await asyncio.sleep(1)
    assert await viewer.video_packets_received() == packets
    assert viewer.audio_frames > audio + 30
