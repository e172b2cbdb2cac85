"""What the server resends when a viewer NACKs: on a weak link, resending without a bound floods
the very link that lost the packets (docs/rtc.md, "Layers per viewer"). A packet is resent at most
once per round trip, retransmissions add at most writer.RTX_SHARE to the media bytes, and nothing
the viewer got before a move to another layer is resent once that layer's keyframe went out."""

from types import SimpleNamespace

from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpSendParameters

from server.rtc.aiortc_internals import SenderLink
from server.rtc.encoded import EncodedTrack
from server.rtc.fanout import Fanout
from server.rtc.frames import VP8
from server.rtc.packetizer import Packetizer
from server.rtc.writer import RTX_BURST, RTX_SHARE, RtpWriter
from tests.rtc.test_slow_viewer import KEYFRAME_EVERY, Connected, Network, vp8_frame


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def writer_to(network: Network, clock: Clock) -> RtpWriter:
    """A video writer sending to `network` (no SRTP, no RTX payload type: resent as sent)."""
    link = SenderLink(
        sender=SimpleNamespace(),  # type: ignore[arg-type]  # only its attributes are set
        parameters=RTCRtpSendParameters(
            codecs=[RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90_000, payloadType=96)]
        ),
        ssrc=1234,
        rtx_ssrc=5678,
        protect=lambda packet: packet,
        sendto=network.sendto,
        remote_addr=("127.0.0.1", 9),
        backlog=network.get_write_buffer_size,
        socket=None,
        dtls=Connected(),  # type: ignore[arg-type]  # only its state and events are used
    )
    return RtpWriter(link, clock=clock)


def write_frames(writer: RtpWriter, count: int) -> None:
    packetizer = Packetizer(VP8, 90_000)
    for number in range(count):
        frame = vp8_frame(number)
        writer.write(packetizer.packetize(frame, frame.timestamp))


def test_a_packet_is_resent_once_per_round_trip_and_counts_as_lost_once() -> None:
    network, clock = Network(), Clock()
    writer = writer_to(network, clock)
    write_frames(writer, 10)  # 30 KB: the budget has room for both copies
    sequence = network.sent[1].sequence_number
    sent = len(network.sent)
    writer.rtt = 0.3

    assert writer.retransmit(sequence) is True  # the first request: a loss
    clock.now += 0.1
    assert writer.retransmit(sequence) is False  # asked again before the copy could arrive
    assert len(network.sent) == sent + 1
    clock.now += 0.25
    assert writer.retransmit(sequence) is False  # a round trip later: resent, but no new loss
    assert len(network.sent) == sent + 2
    assert [p.sequence_number for p in network.sent[sent:]] == [sequence, sequence]


def test_retransmissions_add_at_most_their_share_to_what_was_sent() -> None:
    network, clock = Network(), Clock()
    writer = writer_to(network, clock)
    write_frames(writer, 40)  # ~3 KB each: 120 KB of media, more than the history holds
    media = sum(len(p.serialize()) for p in network.sent)
    sent = len(network.sent)
    held = [p.sequence_number for p in network.sent[-100:]]

    losses = [writer.retransmit(sequence) for sequence in held]  # the viewer lost them all
    resent = sum(len(p.serialize()) for p in network.sent[sent:])
    assert all(losses), "every first request counts, resent or not"
    assert 0 < resent <= min(RTX_BURST, media * RTX_SHARE)
    assert len(network.sent) - sent < len(held)


def test_a_move_to_another_layer_resends_only_the_last_packets_of_the_old_one() -> None:
    high, low = Fanout(request_keyframe=lambda: None), Fanout(request_keyframe=lambda: None)
    network, clock = Network(), Clock()
    writer = writer_to(network, clock)
    track = EncodedTrack("video", VP8)
    track.bind(writer)
    high.attach(track)
    for number in range(5):  # ~3 packets each
        high.publish(vp8_frame(number), number * 3000)
    first, last = network.sent[0].sequence_number, network.sent[-1].sequence_number

    low.join(track, lambda: high.detach(track))
    low.publish(vp8_frame(KEYFRAME_EVERY), 5 * 3000)  # the low layer's keyframe
    assert track.layer_changes == 1
    sent = len(network.sent)
    assert writer.retransmit(first) is False, "the old layer is not repaired"
    assert len(network.sent) == sent
    # lost just before the move, its NACK still on the way: a receiver that waits for every
    # sequence number would stall on it
    assert writer.retransmit(last) is True
    assert writer.retransmit(network.sent[sent - 1].sequence_number) is True  # the keyframe's
    assert [p.sequence_number for p in network.sent[sent:]] == [
        last,
        network.sent[sent - 1].sequence_number,
    ]
