"""A cascade leg: this node views a stream held by another node, once, and forwards it to its own
viewers (docs/rtc.md "Cascade legs"). The origin sees one ordinary viewer whatever the audience
here: its PLIs, NACKs and sender reports are those of any viewer's connection."""

import time
from collections.abc import Callable
from functools import partial

from aiortc import RTCRtpReceiver

from server.rtc.aiortc_internals import on_packet_received
from server.rtc.frames import EncodedFrame
from server.rtc.negotiation import parse_offer
from server.rtc.peer import PeerConnection, PeerSetup
from server.rtc.receiving import EncodedReceiving

KINDS = ("audio", "video")


class RelayFeed:
    """A feed (source.py) whose frames come from another node's stream: the offerer of a
    connection with recvonly audio and video, received exactly as a publisher's is.

    `heard_at` is when the last RTP or RTCP packet arrived (monotonic): the origin's sender
    reports come about once a second per kind even while it sends no RTP (a pause), so a leg
    silent for longer is dead, whatever ICE says.
    """

    def __init__(
        self,
        setup: PeerSetup,
        *,
        epoch: int,
        on_frame: Callable[["RelayFeed", str, EncodedFrame, int], None],
        on_loss: Callable[["RelayFeed", int], None],
        on_ended: Callable[["RelayFeed"], None],
    ) -> None:
        self.epoch = epoch
        self._peer = PeerConnection(setup, on_ended=partial(on_ended, self))
        self._receiving = EncodedReceiving(
            setup.counters, on_frame=partial(on_frame, self), on_loss=partial(on_loss, self)
        )
        self._receivers: dict[str, RTCRtpReceiver] = {}
        self.video_codec: str | None = None
        self.heard_at = time.monotonic()

    async def offer(self) -> str:
        """The offer the origin answers like a viewer's."""
        for kind in KINDS:
            transceiver = self._peer.pc.addTransceiver(kind, direction="recvonly")
            self._receiving.divert(kind, transceiver.receiver)
            on_packet_received(transceiver.receiver, self._heard)
            self._receivers[kind] = transceiver.receiver
        return await self._peer.offer()

    async def accept(self, answer_sdp: str) -> None:
        """The origin's answer names the stream's video codec: reassemble that one."""
        codec = parse_offer(answer_sdp).codecs()["video"]
        if codec is not None:
            self.video_codec = codec
            self._receiving.reassemble_video(self._receivers["video"], codec)
        await self._peer.accept(answer_sdp)
        self.heard_at = time.monotonic()

    async def send_pli(self) -> None:
        await self._receiving.send_pli()

    def _heard(self) -> None:
        self.heard_at = time.monotonic()

    async def close(self) -> None:
        """Idempotent."""
        self._receiving.close()
        await self._peer.close()
