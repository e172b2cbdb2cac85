"""The one module that reaches into aiortc's (and aioice's) private internals.

aiortc has no encoded-frame API (aiortc issues #55, #449): its receiver always decodes, and its
sender only turns a viewer's keyframe request into a flag for an encoder that passthrough never
runs. Its sender also costs ~40 µs of Python per packet and viewer (a task wakeup per frame, an
RtpPacket object, header-extension serialisation and four awaits per packet), twice Janus's whole
cost: passthrough writes viewers' RTP itself (writer.py), through the sender's own SRTP session and
selected ICE pair, while aiortc keeps running the sender's RTCP (sender reports, NACK, PLI).
Forwarding therefore needs the few hooks below. Each names the private attribute it relies on; the
version is pinned so that an upgrade fails at import, and tests/rtc/test_aiortc_internals.py names
the attribute that moved, instead of the server silently decoding again or sending nothing.
"""

import asyncio
import logging
import queue
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aiortc
import pylibsrtp
from aioice.candidate import Candidate, candidate_foundation, candidate_priority
from aioice.ice import Connection, StunProtocol
from aioice.turn import UDP_SOCKET_BUFFER_SIZE
from aiortc import RTCDtlsTransport, RTCIceTransport, RTCRtpReceiver, RTCRtpSender
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpSendParameters
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RtcpPsfbPacket,
    RtcpRrPacket,
    RtcpSrPacket,
    RtpPacket,
    pack_remb_fci,
    unpack_remb_fci,
)

logger = logging.getLogger(__name__)

SUPPORTED_AIORTC_VERSION = "1.16.0"

if aiortc.__version__ != SUPPORTED_AIORTC_VERSION:
    raise ImportError(
        f"server.rtc needs aiortc=={SUPPORTED_AIORTC_VERSION} (found {aiortc.__version__}): "
        "server/rtc/aiortc_internals.py relies on its private attributes; check them against the "
        "new version, then update SUPPORTED_AIORTC_VERSION and the pin in pyproject.toml"
    )

# RTCRtpReceiver: the queue.Queue its decoder thread reads (codec, JitterFrame) tuples from; the
# receiver put()s each complete frame there and put()s None on stop, then joins the thread.
_RECEIVER_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
# RTCRtpReceiver: the object whose add(packet) -> (pli_flag, frame | None) reassembles frames.
_RECEIVER_JITTER_BUFFER = "_RTCRtpReceiver__jitter_buffer"
# RTCRtpReceiver: True once receive() has started the decoder thread (too late to divert).
_RECEIVER_STARTED = "_RTCRtpReceiver__started"
# RTCRtpReceiver: coroutine method sending an RTCP PLI for a media SSRC.
_RECEIVER_SEND_PLI = "_send_rtcp_pli"
# RTCRtpReceiver: coroutine methods the DTLS transport awaits, looked up on the receiver, for each
# RTP packet and each RTCP packet (sender reports included) routed to it; wrapped per instance.
_RECEIVER_HANDLE_RTP = "_handle_rtp_packet"
_RECEIVER_HANDLE_RTCP = "_handle_rtcp_packet"
# RTCRtpReceiver: the SSRC its own RTCP is sent under (its transceiver's sender's, set when the
# connection starts), and the coroutine method that sends one RTCP packet on its transport.
_RECEIVER_RTCP_SSRC = "_RTCRtpReceiver__rtcp_ssrc"
_RECEIVER_SEND_RTCP = "_send_rtcp"
# RTCRtpSender: method its RTCP handler calls on a PLI or FIR from the remote peer.
_SENDER_KEYFRAME_HOOK = "_send_keyframe"
# RtpPacket: depayloaded codec data, set by the receiver before the jitter buffer sees the packet.
_PACKET_DATA = "_data"

# Writing a viewer's RTP ourselves (writer.py) while aiortc keeps the sender's RTCP:
# RTCRtpSender: public, but wrapped per instance: RTCPeerConnection awaits `sender.send(parameters)`
# once DTLS is connected, which is when (and how) the negotiated payload types, MID and header
# extension ids become known.
_SENDER_SEND = "send"
# RTCRtpSender: its media SSRC and RTX SSRC, drawn at construction and announced in the SDP.
_SENDER_SSRC = "_ssrc"
_SENDER_RTX_SSRC = "_rtx_ssrc"
# RTCRtpSender: coroutine method its RTCP handler awaits for each sequence number a NACK lists; it
# reads a packet history that only aiortc's own RTP loop fills, so it is replaced.
_SENDER_RETRANSMIT = "_retransmit"
# RTCRtpSender: what its RTCP task puts in each sender report (RFC 3550 6.4.1) and uses for the
# receiver-report stats; aiortc's RTP loop sets them after each packet, the writer after each frame.
_SENDER_NTP_TIMESTAMP = "_RTCRtpSender__ntp_timestamp"
_SENDER_RTP_TIMESTAMP = "_RTCRtpSender__rtp_timestamp"
_SENDER_PACKET_COUNT = "_RTCRtpSender__packet_count"
_SENDER_OCTET_COUNT = "_RTCRtpSender__octet_count"
# RTCRtpSender: coroutine method the DTLS transport awaits for each RTCP packet routed to it
# (receiver reports, NACK, PLI/FIR, REMB); wrapped per instance to read the viewer's receiver
# reports (layers.py), then passed on.
_SENDER_HANDLE_RTCP = "_handle_rtcp_packet"
# RTCRtpSender: the middle 32 bits of the NTP time of its last sender report, and the time.time()
# it was sent at (set by its RTCP task): a report's LSR/DLSR give the round-trip time from them.
_SENDER_LSR = "_RTCRtpSender__lsr"
_SENDER_LSR_TIME = "_RTCRtpSender__lsr_time"
# RTCDtlsTransport: the pylibsrtp Session that protects outgoing RTP and RTCP, set once DTLS is up.
_DTLS_TX_SRTP = "_tx_srtp"
# RTCIceTransport: its aioice Connection.
_ICE_CONNECTION = "_connection"
# aioice Connection: {component: nominated CandidatePair}; its public `protocol` is a StunProtocol
# whose `send_data(data, addr)` is `self.transport.sendto(data, addr)` (a datagram transport, or
# aioice's TurnTransport for a relayed candidate), where `addr` is the pair's `remote_addr`.
_ICE_NOMINATED = "_nominated"
_RTP_COMPONENT = 1
# pylibsrtp Session (aiortc's SRTP binding): the cffi `srtp_t *` of the libsrtp session.
# `Session.protect` allocates and checks in Python around the C call, costing about as much as the
# AES-GCM itself; the writer calls libsrtp's `srtp_protect(srtp_t, void *, int *)` (the cffi `lib`
# and `ffi` that pylibsrtp imports from its `_binding`) on a buffer of its own instead.
_SRTP_SESSION = "_srtp"
_SRTP_BINDING = ("ffi", "lib")
_SRTP_BUFFER = 1500  # pylibsrtp's own buffer size: an RTP packet plus its SRTP trailer must fit
# Candidates (candidates.py's policy): aioice binds port 0 on every host address and announces
# those addresses only, which a server behind a 1:1 NAT or a firewall cannot use.
# aioice Connection: coroutine method `(component, addresses, timeout)` that gather_candidates()
# awaits once per component: it binds a StunProtocol per host address (port 0), then asks STUN and
# TURN servers, and returns the candidates; wrapped per connection.
_ICE_COMPONENT_CANDIDATES = "get_component_candidates"
# aioice Connection: the StunProtocols (one per bound socket) it pairs, reads and closes.
_ICE_PROTOCOLS = "_protocols"

RECEIVER_ATTRIBUTES = (
    _RECEIVER_DECODER_QUEUE,
    _RECEIVER_JITTER_BUFFER,
    _RECEIVER_STARTED,
    _RECEIVER_SEND_PLI,
    _RECEIVER_HANDLE_RTP,
    _RECEIVER_HANDLE_RTCP,
    _RECEIVER_RTCP_SSRC,
    _RECEIVER_SEND_RTCP,
)
SENDER_ATTRIBUTES = (
    _SENDER_KEYFRAME_HOOK,
    _SENDER_SEND,
    _SENDER_SSRC,
    _SENDER_RTX_SSRC,
    _SENDER_RETRANSMIT,
    _SENDER_NTP_TIMESTAMP,
    _SENDER_RTP_TIMESTAMP,
    _SENDER_PACKET_COUNT,
    _SENDER_OCTET_COUNT,
    _SENDER_HANDLE_RTCP,
    _SENDER_LSR,
    _SENDER_LSR_TIME,
)
DTLS_ATTRIBUTES = (_DTLS_TX_SRTP,)
SRTP_SESSION_ATTRIBUTES = (_SRTP_SESSION,)
ICE_TRANSPORT_ATTRIBUTES = (_ICE_CONNECTION,)
ICE_CONNECTION_ATTRIBUTES = (_ICE_NOMINATED, _ICE_COMPONENT_CANDIDATES, _ICE_PROTOCOLS)

FrameSink = Callable[[RTCRtpCodecParameters, JitterFrame], None]


class IncompatibleAiortc(RuntimeError):
    """aiortc no longer has a private attribute that passthrough relies on."""


class PacketReassembler(Protocol):
    """What the receiver calls on its jitter buffer, for each depayloaded RTP packet."""

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]: ...


def _require(obj: object, name: str) -> None:
    if not hasattr(obj, name):
        raise IncompatibleAiortc(f"{type(obj).__name__} has no attribute {name!r}")


def missing_attributes(receiver: RTCRtpReceiver, sender: RTCRtpSender) -> list[str]:
    """Names of the private attributes this module needs that the given objects (and the sender's
    transports) lack."""
    dtls = sender.transport
    ice = dtls.transport
    connection = getattr(ice, _ICE_CONNECTION, None)
    checks: list[tuple[str, object, tuple[str, ...]]] = [
        ("RTCRtpReceiver", receiver, RECEIVER_ATTRIBUTES),
        ("RTCRtpSender", sender, SENDER_ATTRIBUTES),
        ("RTCDtlsTransport", dtls, DTLS_ATTRIBUTES),
        ("RTCIceTransport", ice, ICE_TRANSPORT_ATTRIBUTES),
        ("aioice.Connection", connection, ICE_CONNECTION_ATTRIBUTES),
    ]
    return [
        f"{kind}.{name}" for kind, obj, names in checks for name in names if not hasattr(obj, name)
    ]


class _DivertedDecoderQueue:
    """Stands in for the receiver's decoder queue so frames stay encoded.

    The receiver put()s frames from the event loop: they go straight to the sink. The decoder thread
    still starts and blocks in get() without work; the None that the receiver put()s on stop reaches
    it, so the thread exits and the receiver's join() returns.
    """

    def __init__(self, sink: FrameSink) -> None:
        self._sink = sink
        self._stop: queue.SimpleQueue[None] = queue.SimpleQueue()

    def put(self, item: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None:
        if item is None:
            self._stop.put(None)
            return
        try:
            self._sink(*item)
        except Exception:
            # Raised inside aiortc's packet handler, it would end the whole connection.
            logger.exception("forwarding an encoded frame failed")

    def get(self) -> None:
        self._stop.get()


def divert_encoded_frames(receiver: RTCRtpReceiver, sink: FrameSink) -> None:
    """Hand every complete, still-encoded frame to `sink` (on the event loop) instead of decoding.

    Must run before the connection starts the receiver (e.g. right after addTransceiver), because
    the decoder thread captures the queue when it starts.
    """
    _require(receiver, _RECEIVER_DECODER_QUEUE)
    _require(receiver, _RECEIVER_STARTED)
    if getattr(receiver, _RECEIVER_STARTED):
        raise RuntimeError("receiver already started: its decoder thread holds the old queue")
    setattr(receiver, _RECEIVER_DECODER_QUEUE, _DivertedDecoderQueue(sink))


def replace_jitter_buffer(receiver: RTCRtpReceiver, reassembler: PacketReassembler) -> None:
    """Let `reassembler` turn the receiver's RTP packets into frames (for faster loss handling)."""
    _require(receiver, _RECEIVER_JITTER_BUFFER)
    setattr(receiver, _RECEIVER_JITTER_BUFFER, reassembler)


def depayloaded(packet: RtpPacket) -> bytes:
    """The codec payload of a packet the receiver has already depayloaded."""
    data: bytes = getattr(packet, _PACKET_DATA)
    return data


async def send_pli(receiver: RTCRtpReceiver, media_ssrc: int) -> None:
    """Ask the remote sender of `media_ssrc` for a keyframe (RTCP PLI, RFC 4585 6.3.1)."""
    await receiver._send_rtcp_pli(media_ssrc)


async def send_remb(receiver: RTCRtpReceiver, media_ssrc: int, bitrate: int) -> None:
    """Tell the remote sender of `media_ssrc` the most this receiver takes, in bits per second
    (RTCP REMB): a cascade leg says 0 for a layer none of its viewers is on (relay.py)."""
    for name in (_RECEIVER_RTCP_SSRC, _RECEIVER_SEND_RTCP):
        _require(receiver, name)
    rtcp_ssrc = getattr(receiver, _RECEIVER_RTCP_SSRC)
    if rtcp_ssrc is None:  # the connection has not started
        return
    packet = RtcpPsfbPacket(
        fmt=RTCP_PSFB_APP, ssrc=rtcp_ssrc, media_ssrc=0, fci=pack_remb_fci(bitrate, [media_ssrc])
    )
    await getattr(receiver, _RECEIVER_SEND_RTCP)(packet)


def on_remb(sender: RTCRtpSender, callback: Callable[[int], None]) -> None:
    """Call `callback(bitrate)` for each REMB the remote peer sends naming this sender's SSRC
    (then aiortc handles the packet as before)."""
    _require(sender, _SENDER_HANDLE_RTCP)
    original: Callable[[Any], Any] = getattr(sender, _SENDER_HANDLE_RTCP)

    async def handle(packet: Any) -> None:
        if isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
            try:
                bitrate, ssrcs = unpack_remb_fci(packet.fci)
            except ValueError:
                ssrcs = []
            if getattr(sender, _SENDER_SSRC) in ssrcs:
                try:
                    callback(bitrate)
                except Exception:  # raised in aiortc's DTLS receive loop, it would end it
                    logger.exception("handling a REMB failed")
        await original(packet)

    setattr(sender, _SENDER_HANDLE_RTCP, handle)


def on_packet_received(receiver: RTCRtpReceiver, callback: Callable[[], None]) -> None:
    """Call `callback` for every RTP or RTCP packet routed to `receiver`, before aiortc handles
    it: a cascade leg's heartbeat (the remote sender's reports come even while it sends no RTP)."""
    for name in (_RECEIVER_HANDLE_RTP, _RECEIVER_HANDLE_RTCP):
        _require(receiver, name)
        original: Callable[..., Any] = getattr(receiver, name)

        async def handle(*args: Any, _original: Callable[..., Any] = original, **kw: Any) -> None:
            callback()
            await _original(*args, **kw)

        setattr(receiver, name, handle)


def intercept_keyframe_requests(
    sender: RTCRtpSender, callback: Callable[[], None], *, keep_default: bool = False
) -> None:
    """Call `callback` when the remote peer sends a PLI or FIR for this sender.

    In passthrough the default only sets a flag for an encoder that never runs, so it is replaced;
    `keep_default` keeps it (for a sender that does encode, e.g. a test publisher counting PLIs).
    """
    _require(sender, _SENDER_KEYFRAME_HOOK)
    default: Callable[[], None] = getattr(sender, _SENDER_KEYFRAME_HOOK)

    def hook() -> None:
        callback()
        if keep_default:
            default()

    setattr(sender, _SENDER_KEYFRAME_HOOK, hook)


DatagramSend = Callable[[bytes, tuple[str, int]], None]


@dataclass(frozen=True, slots=True)
class SenderLink:
    """What writing RTP for a started `RTCRtpSender` takes: its SSRCs and negotiated parameters,
    its SRTP session, and the datagram transport and address of its selected ICE pair.

    `sendto(data, remote_addr)` is exactly what aiortc's send path ends in (through
    `StunProtocol.send_data`), minus the four awaits on the way.
    """

    sender: RTCRtpSender
    parameters: RTCRtpSendParameters
    ssrc: int
    rtx_ssrc: int
    protect: Callable[[bytes], bytes]  # SRTP, with the sender's session
    sendto: DatagramSend
    remote_addr: tuple[str, int]
    backlog: Callable[[], int]  # bytes the transport holds back (0 for a TURN relay)
    socket: socket.socket | None  # the transport's socket (None for a TURN relay)
    dtls: RTCDtlsTransport

    def report(self, packets: int, octets: int, rtp_timestamp: int, ntp_timestamp: int) -> None:
        """Give the sender's RTCP task the counts and RTP/NTP timestamp pair of what was sent."""
        state = self.sender.__dict__  # per frame and viewer: plain stores, not setattr calls
        state[_SENDER_PACKET_COUNT] = packets
        state[_SENDER_OCTET_COUNT] = octets
        state[_SENDER_RTP_TIMESTAMP] = rtp_timestamp
        state[_SENDER_NTP_TIMESTAMP] = ntp_timestamp


def on_sender_started(sender: RTCRtpSender, callback: Callable[[SenderLink], None]) -> None:
    """Call `callback` once with the sender's link when its connection starts it (DTLS is up).

    Must be set up before the connection starts (e.g. right after addTransceiver). aiortc's own RTP
    loop still starts and waits in `track.recv()`: give the sender a track that never yields.
    """
    _require(sender, _SENDER_SEND)
    original: Callable[[RTCRtpSendParameters], Any] = getattr(sender, _SENDER_SEND)
    linked = False

    async def send(parameters: RTCRtpSendParameters) -> None:
        nonlocal linked
        await original(parameters)
        if not linked:
            linked = True
            link = _link(sender, parameters)
            if link is not None:
                callback(link)

    setattr(sender, _SENDER_SEND, send)


def _link(sender: RTCRtpSender, parameters: RTCRtpSendParameters) -> SenderLink | None:
    for name in SENDER_ATTRIBUTES:
        _require(sender, name)
    dtls = sender.transport
    _require(dtls, _DTLS_TX_SRTP)
    _require(dtls.transport, _ICE_CONNECTION)
    connection = getattr(dtls.transport, _ICE_CONNECTION)
    _require(connection, _ICE_NOMINATED)
    srtp = getattr(dtls, _DTLS_TX_SRTP)
    pair = getattr(connection, _ICE_NOMINATED).get(_RTP_COMPONENT)
    if srtp is None or pair is None:
        # The connection closed while the sender was starting.
        logger.info("sender started without a connected transport: it sends nothing")
        return None
    protocol = pair.protocol
    if not isinstance(protocol, StunProtocol):
        raise IncompatibleAiortc(f"the selected ICE pair's protocol is a {type(protocol).__name__}")
    transport = protocol.transport
    backlog: Callable[[], int] = getattr(transport, "get_write_buffer_size", lambda: 0)
    return SenderLink(
        sender=sender,
        parameters=parameters,
        ssrc=getattr(sender, _SENDER_SSRC),
        rtx_ssrc=getattr(sender, _SENDER_RTX_SSRC),
        protect=srtp_protector(srtp),
        sendto=transport.sendto,
        remote_addr=pair.remote_addr,
        backlog=backlog,
        socket=transport.get_extra_info("socket"),
        dtls=dtls,
    )


def answer_nacks(sender: RTCRtpSender, retransmit: Callable[[int], None]) -> None:
    """Call `retransmit(sequence_number)` for each packet a NACK from the remote peer lists."""
    _require(sender, _SENDER_RETRANSMIT)

    async def hook(sequence_number: int) -> None:
        retransmit(sequence_number)

    setattr(sender, _SENDER_RETRANSMIT, hook)


@dataclass(frozen=True, slots=True)
class ReceiverReport:
    """One report block about a sender's stream (RFC 3550 6.4.1), read when it arrives."""

    fraction_lost: float  # 0..1, since the previous report
    jitter: int  # interarrival jitter, in RTP timestamp units
    rtt: float | None  # seconds, if the report answers the sender's last sender report
    lost: int  # cumulative packets lost (may fall: duplicates count as received)
    highest: int  # extended highest sequence number received


def on_receiver_reports(sender: RTCRtpSender, callback: Callable[[ReceiverReport], None]) -> None:
    """Call `callback` with each receiver report block the remote peer sends about this sender's
    stream (then aiortc handles the packet as before)."""
    _require(sender, _SENDER_HANDLE_RTCP)
    original: Callable[[Any], Any] = getattr(sender, _SENDER_HANDLE_RTCP)
    state = sender.__dict__

    async def handle(packet: Any) -> None:
        if isinstance(packet, RtcpRrPacket | RtcpSrPacket):
            ssrc = getattr(sender, _SENDER_SSRC)
            lsr, lsr_time = state.get(_SENDER_LSR), state.get(_SENDER_LSR_TIME)
            for block in packet.reports:
                if block.ssrc != ssrc:
                    continue
                rtt = None
                if lsr is not None and lsr_time is not None and block.lsr == lsr and block.dlsr:
                    rtt = max(0.0, time.time() - lsr_time - block.dlsr / 65536)
                try:
                    callback(
                        ReceiverReport(
                            block.fraction_lost / 256,
                            block.jitter,
                            rtt,
                            block.packets_lost,
                            block.highest_sequence,
                        )
                    )
                except Exception:
                    # Raised inside aiortc's DTLS receive loop, it would end the whole connection.
                    logger.exception("handling a receiver report failed")
        await original(packet)

    setattr(sender, _SENDER_HANDLE_RTCP, handle)


def srtp_protector(session: pylibsrtp.Session) -> Callable[[bytes], bytes]:
    """`session.protect`, with one buffer of its own instead of allocations on every call.

    Same result as `session.protect` (the session keeps the SRTP state, e.g. the rollover
    counter); the returned bytes are a copy, the buffer is reused.
    """
    _require(session, _SRTP_SESSION)
    for name in _SRTP_BINDING:
        _require(pylibsrtp, name)
    ffi, lib = (getattr(pylibsrtp, name) for name in _SRTP_BINDING)
    # The cffi handle frees the libsrtp session when collected: hold it, not just its value.
    handle = getattr(session, _SRTP_SESSION)
    srtp = handle[0]
    buffer = ffi.new("char[]", _SRTP_BUFFER)
    view = ffi.buffer(buffer)
    length = ffi.new("int *")
    protect = lib.srtp_protect
    limit = _SRTP_BUFFER - pylibsrtp.SRTP_MAX_TRAILER_LEN

    def run(packet: bytes, _owner: object = handle) -> bytes:  # _owner: kept alive with run
        size = len(packet)
        if size > limit:
            raise ValueError("packet is too long")
        view[0:size] = packet
        length[0] = size
        status = protect(srtp, buffer, length)
        if status:
            raise pylibsrtp.Error(f"srtp_protect failed with status {status}")
        protected: bytes = view[0 : length[0]]
        return protected

    return run


@dataclass(frozen=True, slots=True)
class CandidatePolicy:
    """Which UDP ports a connection's host candidates bind and which public address it announces.

    `public_ip` is where a 1:1 NAT forwards to this machine: each IPv4 host candidate gets a
    server-reflexive twin on that address and the same port, as a STUN server would have told.
    """

    public_ip: str | None = None
    ports: tuple[int, int] | None = None  # first and last port, inclusive

    @property
    def is_default(self) -> bool:
        return self.public_ip is None and self.ports is None


def apply_candidate_policy(ice: RTCIceTransport, policy: CandidatePolicy) -> None:
    """Make the ICE transport's candidates follow `policy`; call before gathering starts
    (e.g. after setRemoteDescription, before setLocalDescription)."""
    if policy.is_default:
        return
    _require(ice, _ICE_CONNECTION)
    connection: Connection = getattr(ice, _ICE_CONNECTION)
    _require(connection, _ICE_COMPONENT_CANDIDATES)
    _require(connection, _ICE_PROTOCOLS)
    original = getattr(connection, _ICE_COMPONENT_CANDIDATES)

    async def gather(component: int, addresses: list[str], timeout: int = 5) -> list[Candidate]:
        hosts: list[Candidate] = []
        if policy.ports is not None:
            for address in addresses:
                candidate = await _bind_host(connection, component, address, policy.ports)
                if candidate is not None:
                    hosts.append(candidate)
            addresses = []  # bound here; aioice still asks its STUN and TURN servers
        candidates = hosts + list(await original(component, addresses, timeout))
        if policy.public_ip is not None:
            candidates += [
                _announced(host, policy.public_ip)
                for host in candidates
                if host.type == "host" and ":" not in host.host
            ]
        return candidates

    setattr(connection, _ICE_COMPONENT_CANDIDATES, gather)


async def _bind_host(
    connection: Connection, component: int, address: str, ports: tuple[int, int]
) -> Candidate | None:
    """A host candidate on a free port of the range (tried from a random start), or None when
    every port is taken."""
    loop = asyncio.get_running_loop()
    first, last = ports
    start = random.randint(first, last)
    for offset in range(last - first + 1):
        port = first + (start - first + offset) % (last - first + 1)
        try:
            transport, protocol = await loop.create_datagram_endpoint(
                lambda: StunProtocol(connection), local_addr=(address, port)
            )
        except OSError:
            continue
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_SOCKET_BUFFER_SIZE)
        protocol.local_candidate = Candidate(
            foundation=candidate_foundation("host", "udp", address),
            component=component,
            transport="udp",
            priority=candidate_priority(component, "host"),
            host=address,
            port=port,
            type="host",
        )
        getattr(connection, _ICE_PROTOCOLS).append(protocol)
        return protocol.local_candidate
    logger.warning("no free UDP port in %s-%s on %s: no candidate there", first, last, address)
    return None


def _announced(host: Candidate, public_ip: str) -> Candidate:
    return Candidate(
        foundation=candidate_foundation("srflx", "udp", host.host),
        component=host.component,
        transport="udp",
        priority=candidate_priority(host.component, "srflx"),
        host=public_ip,
        port=host.port,
        type="srflx",
        related_address=host.host,
        related_port=host.port,
    )
