"""Offers the server cannot forward are refused up front and leave nothing behind."""

import pytest

from server.rtc.errors import UnknownViewer, UnsupportedOffer
from server.rtc.hub import StreamHub

VP9_ONLY = (
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 98\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:98 VP9/90000\r\n"
)


@pytest.mark.parametrize("sdp", ["", "garbage", "v=0\r\nm=video x\r\n", VP9_ONLY])
async def test_an_unusable_offer_is_refused_and_leaves_no_stream(hub: StreamHub, sdp: str) -> None:
    with pytest.raises(UnsupportedOffer):
        await hub.publish("booth-1", sdp)
    with pytest.raises(UnsupportedOffer):
        await hub.view("booth-1", "viewer", sdp)
    assert hub.stats().streams == 0


async def test_unknown_viewers_cannot_switch_to_audio_only_but_may_leave(hub: StreamHub) -> None:
    with pytest.raises(UnknownViewer):
        await hub.set_audio_only("booth-1", "nobody", True)
    await hub.leave("booth-1", "nobody")
    await hub.stop("booth-1")
