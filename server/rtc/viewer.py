"""A viewer's connection: one track per kind, whose RTP the fan-out writes directly."""

from collections.abc import Callable
from functools import partial

from server.rtc.aiortc_internals import (
    SenderLink,
    answer_nacks,
    intercept_keyframe_requests,
    on_sender_started,
)
from server.rtc.encoded import EncodedTrack
from server.rtc.negotiation import Offer, prefer_codec
from server.rtc.peer import PeerConnection, PeerSetup
from server.rtc.writer import RtpWriter


class Viewer:
    def __init__(
        self,
        viewer_id: str,
        setup: PeerSetup,
        *,
        request_keyframe: Callable[[], None],
        on_ended: Callable[["Viewer"], None],
    ) -> None:
        self.viewer_id = viewer_id
        self._request_keyframe = request_keyframe
        self._peer = PeerConnection(setup, on_ended=partial(on_ended, self))
        self._counters = setup.counters
        self.tracks: dict[str, EncodedTrack] = {}

    async def negotiate(self, offer: Offer, audio_only: bool, video_codec: str | None) -> str:
        """Answer with the publisher's `video_codec` if the viewer has it (frames are not
        transcoded: a viewer left with another codec gets no video from this publisher)."""
        ours = []
        for kind, codec in offer.codecs(prefer=video_codec).items():
            if codec is None:
                continue
            track = EncodedTrack(kind, codec, self._counters)
            transceiver = self._peer.pc.addTransceiver(track, direction="sendonly")
            prefer_codec(transceiver, codec)
            if kind == "video":
                # The viewer's PLI/FIR would only set a flag for an encoder that never runs.
                intercept_keyframe_requests(transceiver.sender, self._request_keyframe)
            on_sender_started(transceiver.sender, partial(self._sender_started, track))
            self.tracks[kind] = track
            ours.append(transceiver)
        answer = await self._peer.answer(offer, ours)
        self.set_audio_only(audio_only)
        return answer

    def _sender_started(self, track: EncodedTrack, link: SenderLink) -> None:
        """The connection is up: the track's frames go out through this sender's transport."""
        writer = RtpWriter(link, self._counters)
        answer_nacks(link.sender, writer.retransmit)
        track.bind(writer)
        if track.waiting_for_keyframe:
            self._request_keyframe()

    def set_audio_only(self, audio_only: bool) -> None:
        """Stop or restart video frames; the video sender stays negotiated but sends no RTP."""
        video = self.tracks.get("video")
        if video is None or video.paused == audio_only:
            return
        if audio_only:
            video.pause()
        else:
            video.resume()
            self._request_keyframe()

    async def close(self) -> None:
        """Idempotent."""
        for track in self.tracks.values():
            track.stop()
        await self._peer.close()
