"""The media path's counters (server/rtc/counters.py), which /metrics exports: every packet of a
frame is either sent to a viewer or counted as dropped; keyframe requests and PLIs are counted."""

from server.media_metrics import VIEWER_SERIES, MediaCollector
from server.rtc.counters import MediaCounters
from server.rtc.fanout import Fanout
from server.rtc.frames import VP8
from server.rtc.hub import StreamHub, ViewerLink
from server.rtc.layers import Level
from tests.rtc.conftest import Peers, SyntheticPublisher, TestViewer
from tests.rtc.test_slow_viewer import KEYFRAME_EVERY, Network, viewer_track, vp8_frame


def test_each_packet_is_counted_as_sent_or_as_dropped() -> None:
    counters = MediaCounters()
    fanout = Fanout(request_keyframe=lambda: None)
    healthy, stuck = Network(), Network()
    fanout.attach(viewer_track("video", VP8, healthy, counters))
    fanout.attach(viewer_track("video", VP8, stuck, counters))
    stuck.stuck = True
    for number in range(5 * KEYFRAME_EVERY):
        fanout.publish(vp8_frame(number), number * 3000)

    every_packet = len(healthy.sent)  # the healthy viewer got all of them
    assert counters.packets_dropped > 0
    assert counters.packets_sent + counters.packets_dropped == 2 * every_packet
    assert counters.packets_sent == every_packet + len(stuck.held)
    fanout.close()


async def test_a_hub_counts_frames_in_packets_out_and_keyframe_requests(
    hub: StreamHub, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    viewers = [TestViewer(), TestViewer()]
    for number, viewer in enumerate(viewers):
        peers(viewer)
        await viewer.view(hub, "booth-1", f"viewer-{number}")
    for viewer in viewers:
        await viewer.wait_for_video(10)

    counters = hub.counters
    received = [await viewer.video_packets_received() for viewer in viewers]
    assert counters.frames_received >= 10
    assert counters.packets_sent >= sum(received) > 0  # audio is counted too
    assert publisher.plis >= 1  # each viewer started at a keyframe it asked for
    assert counters.keyframe_requests >= counters.plis_sent >= 1


async def test_per_viewer_series_name_only_the_connection_and_only_the_lossiest_viewers() -> None:
    class Viewed(StreamHub):
        def viewer_links(self) -> list[ViewerLink]:
            return [
                ViewerLink("fair/booth", f"participant{n}:conn{n}", Level.HIGH, n / 1000)
                for n in range(VIEWER_SERIES + 20)
            ]

    hub = Viewed()
    metrics = {m.name: m.samples for m in MediaCollector({"booth": hub}).collect()}
    viewers = [s.labels["viewer"] for s in metrics["jobfair_rtc_viewer_loss_ratio"]]
    assert len(viewers) == VIEWER_SERIES
    assert set(viewers) == {f"conn{n}" for n in range(20, VIEWER_SERIES + 20)}
    assert len(metrics["jobfair_rtc_viewer_level"]) == VIEWER_SERIES
    await hub.close()
