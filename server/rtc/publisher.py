"""The recruiter's connection: its receivers hand over still-encoded frames instead of decoding."""

import logging
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

from server.rtc.frames import EncodedFrame
from server.rtc.layers import LAYERS
from server.rtc.negotiation import Offer, in_offer_order, prefer_codec
from server.rtc.peer import PeerConnection, PeerSetup
from server.rtc.receiving import EncodedReceiving

logger = logging.getLogger(__name__)


class Publisher:
    """A feed (source.py): hands each of its frames to `on_frame`, its stream's switch, which
    decides whether viewers get it.

    An offer with two video sections sends two layers of one camera (aiortc receives no
    simulcast): the first is the high layer (0), the second the low one (1); both share the
    publisher's audio. Frames arrive on the event loop from inside aiortc's packet handler;
    `epoch` tells the switch's timelines that a new publisher has begun.
    """

    def __init__(
        self,
        setup: PeerSetup,
        *,
        epoch: int,
        on_frame: Callable[["Publisher", str, EncodedFrame, int], None],
        on_loss: Callable[["Publisher", int], None],
        on_media: Callable[["Publisher"], None],
        on_ended: Callable[["Publisher"], None],
        layered: bool = False,
    ) -> None:
        """`layered`: its offer has more than one video section."""
        self.epoch = epoch
        self._peer = PeerConnection(setup, partial(on_ended, self), max_bundle=layered)
        self._receiving = EncodedReceiving(
            setup.counters,
            on_frame=partial(on_frame, self),
            on_loss=partial(on_loss, self),
            on_media=partial(on_media, self),
        )
        self.video_codec: str | None = None

    @property
    def layer_count(self) -> int:
        return self._receiving.layer_count

    async def negotiate(self, offer: Offer, video_codec: str | None = None) -> str:
        """Answer with `video_codec` if given (a hand-over keeps the stream's codec), else the
        preferred one the offer has; up to `LAYERS` video sections are received."""
        ours = []
        codecs = offer.codecs(prefer=video_codec)
        wanted = {kind: LAYERS if kind == "video" else 1 for kind, c in codecs.items() if c}
        for kind, _ in in_offer_order(offer, wanted):
            codec = codecs[kind]
            assert codec is not None
            transceiver = self._peer.pc.addTransceiver(kind, direction="recvonly")
            prefer_codec(transceiver, codec)
            layer = 0
            if kind == "video":
                self.video_codec = codec
                layer = self._receiving.reassemble_video(transceiver.receiver, codec)
            self._receiving.divert(kind, transceiver.receiver, layer)
            ours.append(transceiver)
        return await self._peer.answer(offer, ours)

    async def send_pli(self) -> None:
        """A keyframe of the high layer (the feed's one layer, for code that knows no layers)."""
        await self._receiving.send_pli()

    def layer_pli(self, layer: int) -> Callable[[], Coroutine[Any, Any, None]]:
        return partial(self._receiving.send_pli, layer)

    async def close(self) -> None:
        """Idempotent."""
        self._receiving.close()
        await self._peer.close()
