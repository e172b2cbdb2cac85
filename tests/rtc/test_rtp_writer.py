"""The server writes viewers' RTP itself; aiortc's RTCP for those senders must still be right.

Each test watches, at a real aiortc viewer, what arrives (RTP and RTCP as the viewer's receiver sees
them after SRTP) and checks it against what RFC 3550 and RFC 4588 ask of the sender.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiortc.rtp import RtcpSrPacket, RtpPacket

from server.rtc.hub import StreamHub
from tests.rtc.conftest import Peers, SyntheticPublisher, TestViewer, wait_until

NTP_EPOCH = 2_208_988_800


class Watched:
    """Records the video RTP and RTCP a test viewer's receiver handles, before aiortc does."""

    def __init__(self, viewer: TestViewer) -> None:
        self.packets: list[tuple[RtpPacket, float]] = []  # as received, with wall-clock arrival
        self.reports: list[tuple[RtcpSrPacket, list[tuple[RtpPacket, float]]]] = []
        self.drop: Callable[[RtpPacket], bool] = lambda packet: False
        receiver: Any = viewer.video_receiver
        handle_rtp: Callable[..., Awaitable[None]] = receiver._handle_rtp_packet
        handle_rtcp: Callable[..., Awaitable[None]] = receiver._handle_rtcp_packet

        async def on_rtp(packet: RtpPacket, arrival_time_ms: int) -> None:
            if self.drop(packet):
                return
            self.packets.append((packet, time.time()))
            await handle_rtp(packet, arrival_time_ms)

        async def on_rtcp(packet: Any) -> None:
            if isinstance(packet, RtcpSrPacket):
                self.reports.append((packet, list(self.packets)))
            await handle_rtcp(packet)

        receiver._handle_rtp_packet = on_rtp
        receiver._handle_rtcp_packet = on_rtcp


async def test_sender_reports_count_what_was_sent_and_map_rtp_time_to_wall_clock(
    hub: StreamHub, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    viewer = TestViewer()
    peers(viewer)
    watched = Watched(viewer)
    await viewer.view(hub, "booth-1", "viewer")
    await wait_until(lambda: len(watched.reports) >= 3, 10, "three sender reports")

    for report, received in watched.reports[1:]:  # the first may precede any media
        info = report.sender_info
        media = [packet for packet, _ in received if packet.ssrc == report.ssrc]
        # Loopback loses nothing: the report counts the first packets the viewer got, exactly
        # (RFC 3550 6.4.1: octets are payload bytes, without header or padding).
        assert 0 < info.packet_count <= len(media)
        assert info.octet_count == sum(len(p.payload) for p in media[: info.packet_count])
        # Its RTP timestamp is the last packet's, at the NTP time it was sent.
        last = media[info.packet_count - 1]
        assert last.timestamp == info.rtp_timestamp
        sent_at = info.ntp_timestamp / 2**32 - NTP_EPOCH
        arrived_at = next(at for packet, at in received if packet is last)
        assert abs(arrived_at - sent_at) < 0.1


async def test_a_packet_lost_on_the_way_to_a_viewer_is_retransmitted_over_rtx(
    hub: StreamHub, peers: Peers
) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    viewer = TestViewer()
    peers(viewer)
    watched = Watched(viewer)
    await viewer.view(hub, "booth-1", "viewer")
    await viewer.wait_for_video(10)

    media_ssrc = watched.packets[-1][0].ssrc
    lost: list[int] = []

    def drop_one(packet: RtpPacket) -> bool:
        if not lost and packet.ssrc == media_ssrc:
            lost.append(packet.sequence_number)
            return True
        return False

    watched.drop = drop_one
    frames, plis = len(viewer.video_frames), publisher.plis
    await wait_until(
        lambda: any(p.ssrc != media_ssrc for p, _ in watched.packets), 5, "a retransmission"
    )
    retransmitted = next(p for p, _ in watched.packets if p.ssrc != media_ssrc)
    # RFC 4588 4: the RTX payload starts with the original sequence number.
    assert int.from_bytes(retransmitted.payload[:2], "big") == lost[0]
    await viewer.wait_for_video(frames + 10)
    assert viewer.decode_errors == 0
    await asyncio.sleep(0.2)
    assert publisher.plis == plis, "the loss was repaired without a keyframe"


async def test_after_switching_to_audio_only_lost_video_is_not_resent(
    hub: StreamHub, peers: Peers
) -> None:
    """On a lossy link a viewer keeps asking for lost video; once it chose audio only, resending
    it would only crowd out the audio it asked for (docs/weak-links.md)."""
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    viewer = TestViewer()
    peers(viewer)
    watched = Watched(viewer)
    await viewer.view(hub, "booth-1", "viewer")
    await viewer.wait_for_video(10)
    media_ssrc = watched.packets[-1][0].ssrc
    lost: list[int] = []
    deliver_rtx = False

    def lose(packet: RtpPacket) -> bool:
        if packet.ssrc != media_ssrc:
            return not deliver_rtx  # the link loses the resends too, for now
        if not lost:
            lost.append(packet.sequence_number)
            return True
        return False

    watched.drop = lose
    await wait_until(lambda: bool(lost), 5, "a lost packet")
    await hub.set_audio_only("booth-1", "viewer", True)
    await asyncio.sleep(0.05)  # resends already on the way are let go
    deliver_rtx = True
    receiver: Any = viewer.video_receiver
    await receiver._send_rtcp_nack(media_ssrc, lost)  # the viewer asks again, as browsers do
    await asyncio.sleep(0.5)
    resent = [p for p, _ in watched.packets if p.ssrc != media_ssrc]
    assert resent == []
