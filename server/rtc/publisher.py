"""The recruiter's connection: its receivers hand over still-encoded frames instead of decoding."""

import logging
from collections.abc import Callable
from functools import partial

from server.rtc.frames import EncodedFrame
from server.rtc.negotiation import Offer, prefer_codec
from server.rtc.peer import PeerConnection, PeerSetup
from server.rtc.receiving import EncodedReceiving

logger = logging.getLogger(__name__)


class Publisher:
    """A feed (source.py): hands each of its frames to `on_frame`, its stream's switch, which
    decides whether viewers get it.

    Frames arrive on the event loop from inside aiortc's packet handler; `epoch` tells the fan-outs'
    timelines that a new publisher has begun.
    """

    def __init__(
        self,
        setup: PeerSetup,
        *,
        epoch: int,
        on_frame: Callable[["Publisher", str, EncodedFrame], None],
        on_loss: Callable[["Publisher"], None],
        on_media: Callable[["Publisher"], None],
        on_ended: Callable[["Publisher"], None],
    ) -> None:
        self.epoch = epoch
        self._peer = PeerConnection(setup, on_ended=partial(on_ended, self))
        self._receiving = EncodedReceiving(
            setup.counters,
            on_frame=partial(on_frame, self),
            on_loss=partial(on_loss, self),
            on_media=partial(on_media, self),
        )
        self.video_codec: str | None = None

    async def negotiate(self, offer: Offer, video_codec: str | None = None) -> str:
        """Answer with `video_codec` if given (a hand-over keeps the stream's codec), else the
        preferred one the offer has."""
        ours = []
        for kind, codec in offer.codecs(prefer=video_codec).items():
            if codec is None:
                continue
            transceiver = self._peer.pc.addTransceiver(kind, direction="recvonly")
            prefer_codec(transceiver, codec)
            if kind == "video":
                self.video_codec = codec
                self._receiving.reassemble_video(transceiver.receiver, codec)
            self._receiving.divert(kind, transceiver.receiver)
            ours.append(transceiver)
        return await self._peer.answer(offer, ours)

    async def send_pli(self) -> None:
        await self._receiving.send_pli()

    async def close(self) -> None:
        """Idempotent."""
        self._receiving.close()
        await self._peer.close()
