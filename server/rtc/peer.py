"""What publisher, viewer and cascade-leg connections share: answering an offer (or, for a leg,
making one), and noticing their own end."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceTransport,
    RTCPeerConnection,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.exceptions import InternalError, InvalidAccessError, OperationError

from server.rtc.aiortc_internals import CandidatePolicy, apply_candidate_policy
from server.rtc.counters import MediaCounters
from server.rtc.errors import UnsupportedOffer
from server.rtc.negotiation import Offer

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PeerSetup:
    """What every connection of a hub is made with: its ICE servers, the ports and public
    address of its own candidates (JOBFAIR_RTC_PORTS, JOBFAIR_RTC_PUBLIC_IP), and the counters
    its media path adds to."""

    configuration: RTCConfiguration = field(default_factory=RTCConfiguration)
    candidates: CandidatePolicy = field(default_factory=CandidatePolicy)
    counters: MediaCounters = field(default_factory=MediaCounters)


class PeerConnection:
    """An aiortc connection that answers one offer, with "I closed" kept apart from "it ended".

    `close()` is idempotent; `on_ended` runs once if the connection fails or the remote peer closes
    it first, so that the owner can drop it (and then call `close()`).
    """

    def __init__(
        self, setup: PeerSetup, on_ended: Callable[[], None], *, max_bundle: bool = False
    ) -> None:
        """`max_bundle`: every media section on one transport from the start. Needed for two
        video sections (a publisher's layers): with aiortc's default (balanced) policy the
        second video transceiver keeps a transport of its own that never connects. Not the
        default: the answer then takes the remote candidates of the offer's *last* section,
        which only a browser's bundled offer repeats in every section."""
        configuration = setup.configuration
        if max_bundle:
            configuration = RTCConfiguration(
                iceServers=configuration.iceServers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE
            )
        self.pc = RTCPeerConnection(configuration)
        self._candidates = setup.candidates
        self._on_ended = on_ended
        self._ended = False
        self.pc.on("connectionstatechange", self._state_changed)

    async def answer(self, offer: Offer, ours: Iterable[RTCRtpTransceiver]) -> str:
        """Answer the offer; media sections beyond `ours` (e.g. a second camera) are declined."""
        try:
            await self.pc.setRemoteDescription(offer.description)
            self._apply_candidate_policy()
            kept = set(ours)
            for transceiver in self.pc.getTransceivers():
                if transceiver not in kept:
                    transceiver.direction = "inactive"
            await self.pc.setLocalDescription(await self.pc.createAnswer())
        except (ValueError, InternalError, InvalidAccessError, OperationError) as exc:
            raise UnsupportedOffer(str(exc)) from exc
        description = self.pc.localDescription
        assert description is not None
        return description.sdp

    async def offer(self) -> str:
        """Offer the transceivers added so far (a cascade leg: this node views another)."""
        self._apply_candidate_policy()
        await self.pc.setLocalDescription(await self.pc.createOffer())
        description = self.pc.localDescription
        assert description is not None
        return description.sdp

    async def accept(self, answer_sdp: str) -> None:
        """Apply the answer to `offer()`; the connection then starts."""
        answer = RTCSessionDescription(sdp=answer_sdp, type="answer")
        try:
            await self.pc.setRemoteDescription(answer)
        except (ValueError, InternalError, InvalidAccessError, OperationError) as exc:
            raise UnsupportedOffer(str(exc)) from exc

    def _apply_candidate_policy(self) -> None:
        """Before gathering: the transports exist once the offer is set, candidates come later."""
        transports: dict[int, RTCIceTransport] = {}
        for transceiver in self.pc.getTransceivers():
            ice = transceiver.sender.transport.transport
            transports[id(ice)] = ice
        for ice in transports.values():
            apply_candidate_policy(ice, self._candidates)

    def _state_changed(self) -> None:
        if self.pc.connectionState in ("failed", "closed") and not self._ended:
            self._ended = True
            self._on_ended()

    async def close(self) -> None:
        self._ended = True
        await self.pc.close()
