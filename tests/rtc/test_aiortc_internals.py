"""Fails loudly when an aiortc upgrade moves a private attribute that passthrough relies on."""

import importlib

import aiortc
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection

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
