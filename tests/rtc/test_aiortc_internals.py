"""Fails loudly when an aiortc upgrade moves a private attribute that passthrough relies on."""

import importlib
import inspect
import os

import aiortc
import pytest
from aioice.ice import StunProtocol
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.rtp import RtpPacket
from pylibsrtp import Policy, Session

from server.rtc import aiortc_internals
from server.rtc.hub import StreamHub
from tests.rtc.conftest import Peers, SyntheticPublisher, TestViewer


async def test_the_private_attributes_passthrough_relies_on_exist() -> None:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    transceiver = pc.addTransceiver("video")
    try:
        assert aiortc_internals.missing_attributes(transceiver.receiver, transceiver.sender) == []
    finally:
        await pc.close()


async def test_an_other_aiortc_version_is_refused_at_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(aiortc, "__version__", "1.17.0")
    with pytest.raises(ImportError, match=r"needs aiortc==1\.16\.0"):
        importlib.reload(aiortc_internals)
    monkeypatch.undo()
    importlib.reload(aiortc_internals)


async def test_a_started_receiver_cannot_be_diverted(hub: StreamHub, peers: Peers) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    viewer = TestViewer()
    peers(viewer)
    await publisher.publish(hub, "booth-1")
    await viewer.view(hub, "booth-1", "viewer")
    await viewer.wait_for_video(1)
    with pytest.raises(RuntimeError, match="already started"):
        aiortc_internals.divert_encoded_frames(viewer.video_receiver, lambda codec, frame: None)


async def test_an_ice_pairs_protocol_sends_datagrams_through_its_transports_sendto() -> None:
    """The writer calls `protocol.transport.sendto(data, pair.remote_addr)` itself: that must stay
    what aioice's `StunProtocol.send_data` (aiortc's last step) does."""
    sent: list[tuple[bytes, tuple[str, int]]] = []

    class Transport:
        def sendto(self, data: bytes, addr: tuple[str, int]) -> None:
            sent.append((data, addr))

    protocol = StunProtocol(receiver=None)
    protocol.transport = Transport()  # type: ignore[assignment]
    await protocol.send_data(b"datagram", ("127.0.0.1", 9))
    assert sent == [(b"datagram", ("127.0.0.1", 9))]


def test_the_srtp_protector_protects_as_pylibsrtp_does() -> None:
    key = os.urandom(44)

    def session() -> Session:
        policy = Policy(
            key=key,
            ssrc_type=Policy.SSRC_ANY_OUTBOUND,
            srtp_profile=Policy.SRTP_PROFILE_AEAD_AES_256_GCM,
        )
        return Session(policy)

    packets = [
        RtpPacket(payload_type=96, sequence_number=100 + n, timestamp=n, ssrc=7).serialize()
        + os.urandom(1200)
        for n in range(10)
    ]
    protect = aiortc_internals.srtp_protector(session())
    reference = session()
    assert [protect(p) for p in packets] == [reference.protect(p) for p in packets]
    with pytest.raises(ValueError):
        protect(bytes(1500))


async def test_aioice_gathers_per_component_through_a_method_the_policy_can_wrap() -> None:
    """CandidatePolicy replaces `get_component_candidates(component, addresses, timeout)` per
    connection and appends its own sockets to `_protocols`, which aioice pairs and closes."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    transceiver = pc.addTransceiver("video")
    try:
        connection = transceiver.sender.transport.transport._connection
        method = connection.get_component_candidates
        assert list(inspect.signature(method).parameters) == ["component", "addresses", "timeout"]
        assert connection._protocols == []
    finally:
        await pc.close()


async def test_a_policy_that_changes_nothing_leaves_aioice_alone() -> None:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    transceiver = pc.addTransceiver("video")
    ice = transceiver.sender.transport.transport
    connection = ice._connection
    try:
        aiortc_internals.apply_candidate_policy(ice, aiortc_internals.CandidatePolicy())
        assert "get_component_candidates" not in vars(connection)
        aiortc_internals.apply_candidate_policy(
            ice, aiortc_internals.CandidatePolicy(ports=(40000, 40010))
        )
        assert "get_component_candidates" in vars(connection)
    finally:
        await pc.close()
