"""Keyframe requests from many viewers reach the publisher merged and rate-limited."""

import asyncio
import time

from server.rtc.hub import StreamHub
from server.rtc.keyframes import MIN_INTERVAL, KeyframeRequester
from tests.rtc.conftest import Peers, SyntheticPublisher, TestViewer


async def test_plis_from_ten_viewers_become_at_most_two_upstream_per_second(
    hub: StreamHub, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    viewers = [TestViewer() for _ in range(10)]
    for number, viewer in enumerate(viewers):
        peers(viewer)
        await viewer.view(hub, "booth-1", f"viewer-{number}")
    for viewer in viewers:
        await viewer.wait_for_video(3)
    await asyncio.sleep(MIN_INTERVAL)

    plis_before, started = publisher.plis, time.monotonic()
    sent = 0
    while time.monotonic() - started < 2.0:
        await asyncio.gather(*(viewer.send_pli() for viewer in viewers))
        sent += len(viewers)
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # let the last PLIs arrive
    upstream = publisher.plis - plis_before

    assert sent >= 150
    assert 2 <= upstream <= 2.2 / MIN_INTERVAL + 1
    assert all(viewer.decode_errors == 0 for viewer in viewers)


async def test_a_request_inside_the_window_is_sent_when_it_ends_unless_a_keyframe_came() -> None:
    sent: list[float] = []

    async def send() -> None:
        sent.append(time.monotonic())

    requester = KeyframeRequester(min_interval=0.2)
    requester.attach(send)
    requester.request()
    requester.request()
    await asyncio.sleep(0.3)
    assert len(sent) == 2
    assert sent[1] - sent[0] >= 0.19

    requester.request()  # inside the window again
    requester.keyframe_arrived()
    await asyncio.sleep(0.3)
    assert len(sent) == 2
    await requester.close()
    await requester.close()
    requester.request()
    assert len(sent) == 2
