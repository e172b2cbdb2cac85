"""A viewer's connection: one track per kind, whose RTP the fan-out writes directly, and the
level (video layer, audio only) its link can carry, chosen from its receiver reports."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from server.rtc.aiortc_internals import (
    ReceiverReport,
    SenderLink,
    answer_nacks,
    intercept_keyframe_requests,
    on_receiver_reports,
    on_remb,
    on_sender_started,
)
from server.rtc.encoded import EncodedTrack
from server.rtc.layers import LayerChooser, Level, LinkReport
from server.rtc.negotiation import Offer, in_offer_order, prefer_codec
from server.rtc.peer import PeerConnection, PeerSetup
from server.rtc.writer import RtpWriter

# A node relaying a stream to its own viewers (docs/rtc.md, cascade legs) views it under this
# prefix: its audience's links are not its own, so no chooser moves it. It gets each layer on a
# video track of its own (as many as its offer has sections and the stream has layers); the low
# one only while it asks for it (a PLI) and until it says it takes none of it (a REMB of 0).
RELAY_PREFIX = "relay:"

# A browser sends a receiver report with every NACK (a compound RTCP packet), on a lossy link
# every 15-100 ms, each about a few packets: the chooser is fed one measurement per kind over at
# least this long, from the reports' cumulative counts (docs/rtc.md, "Layers per viewer").
MEASURE_EVERY = 0.8  # seconds
# After a move between layers took effect (its keyframe went out), reports are not measured for
# this long: the link's queue still drains the old layer's packets.
SETTLE = 1.0  # seconds


@dataclass(slots=True)
class _Sent:
    """What went out on one sender since its measurement began, and what the viewer's reports
    said then."""

    writer: RtpWriter
    clock_rate: int
    since: float = 0.0  # when the measurement began (or may begin, after a move)
    started: bool = False  # the counts below were taken (at the first report after `since`)
    packets: int = 0  # the writer's count then
    highest: int = 0  # the report's extended highest sequence number then
    lost: int = 0  # the report's cumulative loss then
    nacked: int = 0  # first requests for packets sent (NACKs) since
    rtt: float | None = None  # the last one reported since

    def begin(self, at: float, report: ReceiverReport | None = None) -> None:
        """Measure from `at`: from this report's counts, or the first one at or after `at`."""
        self.since, self.started, self.nacked, self.rtt = at, report is not None, 0, None
        if report is not None:
            self.packets, self.highest, self.lost = self.writer.packets, report.highest, report.lost


class Viewer:
    def __init__(
        self,
        viewer_id: str,
        setup: PeerSetup,
        *,
        request_keyframe: Callable[[EncodedTrack], None],
        move: Callable[[EncodedTrack, int], None],
        settle: Callable[[EncodedTrack], int | None],
        layers: Callable[[], int],  # the stream's video layers now; 0: it has no feed
        chooser: LayerChooser,
        on_level: Callable[["Viewer"], None],
        on_ended: Callable[["Viewer"], None],
        layered: bool = False,
    ) -> None:
        """`layered`: a relay's offer with a video section per layer (max-bundle, peer.py)."""
        self.viewer_id = viewer_id
        self._request_keyframe = request_keyframe
        self._move = move
        self._settle = settle
        self._layers = layers
        self._relay = viewer_id.startswith(RELAY_PREFIX)
        self._chooser = None if self._relay else chooser
        self._on_level = on_level
        self._peer = PeerConnection(setup, partial(on_ended, self), max_bundle=layered)
        self._counters = setup.counters
        self._sent: dict[str, _Sent] = {}  # per key of `tracks`
        # "audio", "video" and, for a relay's low layer, "video1"
        self._layer_changes = 0  # the video track's, when last measured
        self.tracks: dict[str, EncodedTrack] = {}
        self.pinned: dict[EncodedTrack, int] = {}  # a relay's video tracks -> their layers

    @property
    def level(self) -> Level:
        if self._chooser is not None:
            return self._chooser.level
        video = self.tracks.get("video")
        return Level.AUDIO if video is None or video.paused else Level.HIGH

    @property
    def loss(self) -> float:
        """The share of packets lost lately (0..1), as the level was chosen on."""
        return 0.0 if self._chooser is None else self._chooser.loss

    async def negotiate(
        self, offer: Offer, audio_only: bool, video_codec: str | None, video_layers: int = 1
    ) -> str:
        """Answer with the publisher's `video_codec` if the viewer has it (frames are not
        transcoded: a viewer left with another codec gets no video from this publisher). A
        relay gets up to `video_layers` video sections answered, the stream's layers now; a
        second one it offered beyond those is declined (its leg is then single-layer)."""
        ours = []
        codecs = offer.codecs(prefer=video_codec)
        sections = {k: video_layers if k == "video" and self._relay else 1 for k in codecs}
        for kind, layer in in_offer_order(offer, {k: n for k, n in sections.items() if codecs[k]}):
            codec = codecs[kind]
            assert codec is not None
            key = f"{kind}{layer or ''}"
            track = EncodedTrack(kind, codec, self._counters)
            transceiver = self._peer.pc.addTransceiver(track, direction="sendonly")
            prefer_codec(transceiver, codec)
            if kind == "video":
                # The viewer's PLI/FIR would only set a flag for an encoder that never runs.
                asked = self._request_keyframe if layer == 0 else self._low_asked
                intercept_keyframe_requests(transceiver.sender, partial(asked, track))
                if self._relay:
                    self.pinned[track] = layer
                if layer:
                    track.pause()  # until the relay asks for it
                    on_remb(transceiver.sender, partial(self._low_capped, track))
            on_sender_started(transceiver.sender, partial(self._sender_started, key, track))
            on_receiver_reports(transceiver.sender, partial(self._reported, key))
            self.tracks[key] = track
            ours.append(transceiver)
        answer = await self._peer.answer(offer, ours)
        if audio_only:
            self.set_audio_only(True)
        elif "video" not in self.tracks and self._chooser is not None:
            self._chooser.hold_audio()  # no video to choose a layer of: its audio is judged
        return answer

    def _low_asked(self, track: EncodedTrack) -> None:
        """A relay asks for a keyframe of its low layer: a viewer there is on it (again)."""
        if track.paused:
            track.resume()
        self._request_keyframe(track)

    @staticmethod
    def _low_capped(track: EncodedTrack, bitrate: int) -> None:
        """A relay takes none of its low layer: no viewer there is on it."""
        if bitrate == 0 and not track.paused:
            track.pause()

    def _sender_started(self, key: str, track: EncodedTrack, link: SenderLink) -> None:
        """The connection is up: the track's frames go out through this sender's transport."""
        writer = RtpWriter(link, self._counters)
        sent = self._sent[key] = _Sent(writer, link.parameters.codecs[0].clockRate)
        answer_nacks(link.sender, partial(self._nacked, sent))
        track.bind(writer)
        if track.waiting_for_keyframe:
            self._request_keyframe(track)

    @staticmethod
    def _nacked(sent: _Sent, sequence: int) -> None:
        if sent.writer.retransmit(sequence):
            sent.nacked += 1

    def _reported(self, kind: str, report: ReceiverReport) -> None:
        """A receiver report (one a second per kind, or one with each NACK): maybe another
        level, once per `MEASURE_EVERY`."""
        sent = self._sent.get(kind)
        if sent is None:
            return
        if report.rtt is not None:
            sent.rtt = sent.writer.rtt = report.rtt
        if self._chooser is None:
            return
        now = time.monotonic()
        video = self.tracks.get("video")
        if kind == "video" and video is not None:
            stayed = self._settle(video)
            if stayed is not None:  # its move failed: the level it is still on
                self._chooser.stayed(Level.of_layer(stayed))
                self._on_level(self)
                sent.begin(now, report)
                return
            if video.layer_changes != self._layer_changes:  # a move took effect
                self._layer_changes = video.layer_changes
                self._chooser.moved()
                sent.begin(now + SETTLE)
                return
        if not sent.started:
            if now >= sent.since:
                sent.begin(now, report)
            return
        if now - sent.since < MEASURE_EVERY:
            return
        count = sent.writer.packets - sent.packets
        layers = self._layers()
        if count <= 0 or layers == 0:
            # nothing went out since the last measurement (paused, audio only), or no
            # publisher: no news, and what came before the gap says nothing about what after
            self._chooser.idle(kind)
            sent.begin(now, report)
            return
        loss = self._loss(sent, report, count)
        link = LinkReport(loss, report.jitter / sent.clock_rate, sent.rtt)
        sent.begin(now, report)
        level = self._chooser.report(kind, link, layers)
        if level is not None:
            self._apply(level)
            self._on_level(self)

    @staticmethod
    def _loss(sent: _Sent, report: ReceiverReport, count: int) -> float:
        """The share of packets lost over the measurement: as the viewer counted them (its
        cumulative loss over the sequence numbers it expected), or the share it NACKed for the
        first time, whichever is higher (some receivers count a packet recovered by a
        retransmission as received)."""
        expected = (report.highest - sent.highest) & 0xFFFFFFFF
        if 0 < expected < 0x80000000:
            counted = min(1.0, max(0.0, (report.lost - sent.lost) / expected))
        else:  # it received nothing new: its latest fraction says what it can
            counted = report.fraction_lost
        return max(counted, min(1.0, sent.nacked / count))

    def set_audio_only(self, audio_only: bool) -> bool:
        """By hand: stop video (the chooser never brings it back), or try video again, from the
        low layer, letting the chooser move it up. True if the level changed."""
        before = self.level
        chooser = self._chooser
        if audio_only:
            if chooser is not None:
                chooser.hold_audio()
            self._apply(Level.AUDIO if chooser is None else chooser.level)
        elif chooser is None:
            self._apply(Level.HIGH)
        elif chooser.manual or chooser.level.layer is None:
            self._apply(chooser.restart(self._layers()))
        return self.level is not before

    def _apply(self, level: Level) -> None:
        """Video from the level's layer (switched at its keyframe), or none."""
        video = self.tracks.get("video")
        if video is None:
            return
        layer = level.layer
        if layer is None:
            if not video.paused:
                video.pause()
            return
        if level is Level.LOW:  # down from high: repairing it only crowds the link it failed on
            video.forget_before_move()
        self._move(video, layer)
        if video.paused:
            video.resume()
            self._request_keyframe(video)

    async def close(self) -> None:
        """Idempotent."""
        for track in self.tracks.values():
            track.stop()
        await self._peer.close()
