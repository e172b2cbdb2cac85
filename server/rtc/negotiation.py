"""SDP offers in, codec choices out: one video codec per connection so frames pass through as-is.

Publisher and viewers must use the same codec, since nothing is transcoded. A publisher gets VP8
when its offer has it (every WebRTC browser's does), else H.264; a viewer gets the codec of the
stream's current publisher when it offers that, else the same preference. Audio is Opus.
"""

from dataclasses import dataclass

from aiortc import RTCRtpReceiver, RTCRtpTransceiver, RTCSessionDescription
from aiortc.rtcrtpparameters import RTCRtpCodecCapability
from aiortc.sdp import SessionDescription

from server.rtc.errors import UnsupportedOffer
from server.rtc.frames import H264, OPUS, VP8

_RTX = "video/rtx"
_PREFERENCE = {"audio": (OPUS,), "video": (VP8, H264)}


@dataclass(frozen=True, slots=True)
class Offer:
    """A parsed offer, the codecs (lower-case MIME types) it lists per kind, and how many video
    media sections it has (a publisher's second one is its low layer, docs/rtc.md)."""

    description: RTCSessionDescription
    offered: dict[str, frozenset[str]]
    sections: tuple[str, ...] = ("audio", "video")  # kinds of its media sections, in order

    @property
    def video_sections(self) -> int:
        return self.sections.count("video")

    def codecs(self, prefer: str | None = None) -> dict[str, str | None]:
        """The codec to use per kind, `prefer` first (None: the kind has no usable codec)."""
        return {
            kind: next((c for c in (prefer, *_PREFERENCE[kind]) if c in codecs), None)
            for kind, codecs in self.offered.items()
        }


def parse_offer(sdp: str) -> Offer:
    try:
        parsed = SessionDescription.parse(sdp)
    except (AssertionError, IndexError, KeyError, ValueError) as exc:
        raise UnsupportedOffer(f"unreadable SDP offer: {exc}") from exc
    offered: dict[str, set[str]] = {"audio": set(), "video": set()}
    for media in parsed.media:
        if media.kind in offered:
            offered[media.kind].update(c.mimeType.lower() for c in media.rtp.codecs)
    offer = Offer(
        RTCSessionDescription(sdp=sdp, type="offer"),
        {kind: frozenset(codecs) for kind, codecs in offered.items()},
        tuple(media.kind for media in parsed.media if media.kind in offered),
    )
    if not any(offer.codecs().values()):
        raise UnsupportedOffer("the offer has neither Opus audio nor VP8/H.264 video")
    return offer


def in_offer_order(offer: Offer, wanted: dict[str, int]) -> list[tuple[str, int]]:
    """(kind, index among that kind) of the media sections to answer, in the offer's order: at
    most `wanted[kind]` of each kind.

    The transceivers must be added in this order: with max-bundle (peer.py) every one shares the
    first one's transport, which aiortc's answer then treats as the bundle's (the offer's first
    section); a first transceiver of another kind would have that transport discarded."""
    taken = dict.fromkeys(wanted, 0)
    chosen = []
    for kind in offer.sections:
        if taken.get(kind, 0) < wanted.get(kind, 0):
            chosen.append((kind, taken[kind]))
            taken[kind] += 1
    return chosen


def prefer_codec(transceiver: RTCRtpTransceiver, codec: str) -> None:
    """Negotiate only `codec` (and its retransmission format) on this transceiver."""
    capabilities = RTCRtpReceiver.getCapabilities(transceiver.kind)
    assert capabilities is not None
    chosen: list[RTCRtpCodecCapability] = [
        c for c in capabilities.codecs if c.mimeType.lower() in (codec, _RTX)
    ]
    transceiver.setCodecPreferences(chosen)
