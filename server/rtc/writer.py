"""One viewer's outgoing RTP stream for one sender, written synchronously from the fan-out.

aiortc's sender spends ~40 µs of Python per packet and viewer on top of SRTP and `sendto`. Here a
packet costs one header `pack`, one join with the shared payload and the SRTP protection (C), in
one loop over the frame's packets without awaiting; the frame's packets then leave in as few system
calls as the kernel allows (datagrams.py). What aiortc's RTP loop did besides
sending is kept: a history of the last packets to answer NACKs (through RTX when negotiated, RFC
4588), and the counts and timestamps its RTCP task puts in sender reports.
"""

import os
import struct
import time
from collections.abc import Callable

from aiortc.codecs import is_rtx
from aiortc.rtcrtpparameters import RTCRtpSendParameters
from aiortc.rtp import RTP_HISTORY_SIZE, HeaderExtensions, HeaderExtensionsMap

from server.rtc.aiortc_internals import SenderLink
from server.rtc.counters import MediaCounters
from server.rtc.datagrams import Datagrams
from server.rtc.packetizer import PacketizedFrame

# Retransmissions may add at most this share to the media bytes a viewer is sent, with at most
# `RTX_BURST` bytes saved up: on a link already losing packets to its own rate limit, resending
# without a bound floods it (docs/rtc.md, "Layers per viewer": after a move to the low layer,
# NACKs for the high layer's lost packets, answered from the history, took 1.1 Mbit/s of a
# 400 kbit/s link and the low layer's keyframe never got through).
RTX_SHARE = 0.25
RTX_BURST = 32 * 1024
# A packet is resent again only after the round-trip time (this at least): a NACK repeated
# before the first copy could arrive asks for nothing new.
RESEND_AFTER = 0.1

# Bytes a viewer's transport may hold back (it could not send them yet) before its frames are
# dropped: about 2 s of 1 Mbps video, so a stalled viewer's memory stays bounded.
MAX_BACKLOG = 256 * 1024

_HEADER = struct.Struct("!BBHLL")
_HEADER_SIZE = _HEADER.size
_VERSION = 0x80
_EXTENSION = 0x10
_MARKER = 0x80
_NTP_EPOCH = 2_208_988_800  # seconds from 1900 (NTP) to 1970 (Unix)


def _sequence_start() -> int:
    """A random first sequence number in the lower half, as aiortc does, so it does not wrap
    early (a wrap right at the start breaks SRTP decryption in some browsers)."""
    return int.from_bytes(os.urandom(2), "big") % 0x8000


def _header_extensions(parameters: RTCRtpSendParameters) -> bytes:
    """The header-extension block of every packet (profile, length, elements), built with aiortc's
    serializer: only the MID, if negotiated.

    aiortc's sender also sends abs-send-time, for the viewer's bandwidth estimate; the estimate
    comes back as REMB, which passthrough ignores (it cannot change the publisher's bitrate per
    viewer). Without the extension an aiortc viewer sends no REMB at all instead of ~10 a second,
    each costing the server an SRTCP unprotect and an RTCP parse in Python; browsers estimate from
    RTP timestamps instead.
    """
    extensions = HeaderExtensionsMap()
    extensions.configure(parameters)
    profile, value = extensions.set(HeaderExtensions(mid=parameters.muxId))
    return struct.pack("!HH", profile, len(value) // 4) + value if value else b""


class RtpWriter:
    """Writes RTP for one started aiortc sender (see `aiortc_internals.SenderLink`)."""

    def __init__(
        self,
        link: SenderLink,
        counters: MediaCounters | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._link = link
        self._counters = counters or MediaCounters()
        self._clock = clock
        codecs = link.parameters.codecs
        payload_type = codecs[0].payloadType
        assert payload_type is not None, "negotiated codecs have payload types"
        self._payload_type = payload_type
        self._rtx_payload_type = next(
            (
                c.payloadType
                for c in codecs
                if is_rtx(c) and c.parameters.get("apt") == self._payload_type
            ),
            None,
        )
        self._extensions = _header_extensions(link.parameters)
        self._first_byte = _VERSION | (_EXTENSION if self._extensions else 0)
        self._sequence = _sequence_start()
        self._rtx_sequence = _sequence_start()
        self._timestamp_origin = int.from_bytes(os.urandom(4), "big")
        self._timestamp: int | None = None  # of the last frame written
        self._history: list[bytes | None] = [None] * RTP_HISTORY_SIZE
        # per history slot: the sequence number last resent from it, and when
        self._resent: list[tuple[int, float]] = [(-1, 0.0)] * RTP_HISTORY_SIZE
        self._rtx_budget = 0.0  # bytes
        self._budgeted = 0  # media octets already counted into the budget
        self.rtt = RESEND_AFTER  # seconds, as the viewer's receiver reports last said
        self._packets = 0
        self._octets = 0
        self._datagrams = Datagrams(link.sendto, link.remote_addr, link.backlog, link.socket)
        self._open = True
        link.dtls.on("statechange", self._dtls_state_changed)

    @property
    def congested(self) -> bool:
        """The transport holds back more than `MAX_BACKLOG`: this viewer cannot keep up."""
        return self._link.backlog() > MAX_BACKLOG

    def write(self, frame: PacketizedFrame) -> None:
        if not self._open:
            return
        link = self._link
        protect, history, pack, ssrc = link.protect, self._history, _HEADER.pack, link.ssrc
        first_byte, payload_type, extensions = (
            self._first_byte,
            self._payload_type,
            self._extensions,
        )
        timestamp = (self._timestamp_origin + frame.timestamp) & 0xFFFFFFFF
        sequence = self._sequence
        last = len(frame.payloads) - 1
        packets = []
        for index, payload in enumerate(frame.payloads):
            marked = payload_type | _MARKER if index == last else payload_type
            data = b"".join(
                (pack(first_byte, marked, sequence, timestamp, ssrc), extensions, payload)
            )
            history[sequence % RTP_HISTORY_SIZE] = data
            packets.append(protect(data))
            sequence = (sequence + 1) & 0xFFFF
        self._datagrams.send_all(packets)
        self._sequence = sequence
        self._packets += last + 1
        self._counters.packets_sent += last + 1
        self._octets += frame.octets
        self._timestamp = timestamp
        ntp_timestamp = int((self._clock() + _NTP_EPOCH) * 2**32)
        link.report(self._packets & 0xFFFFFFFF, self._octets & 0xFFFFFFFF, timestamp, ntp_timestamp)

    @property
    def packets(self) -> int:
        """RTP packets written so far (retransmissions not included)."""
        return self._packets

    def continue_from(self, timestamp: int) -> None:
        """The next frame, at `timestamp` on the stream's timeline, may come from another layer
        (a keyframe after a move, or after audio only), whose frames line up with the last one's
        only within their arrival jitter: its RTP timestamp must still come after the last one
        sent (one tick after, at least)."""
        if self._timestamp is None:
            return
        step = (self._timestamp_origin + timestamp - self._timestamp) & 0xFFFFFFFF
        if step == 0 or step >= 0x80000000:
            self._timestamp_origin = (self._timestamp_origin - step + 1) & 0xFFFFFFFF

    def forget(self, keep: int = 0) -> None:
        """Drop the retransmission history but for the last `keep` packets: NACKs for what was
        sent before get nothing."""
        slots = [(self._sequence - n) % RTP_HISTORY_SIZE for n in range(1, keep + 1)]
        recent = [(slot, self._history[slot]) for slot in slots]
        self._history = [None] * RTP_HISTORY_SIZE
        for slot, data in recent:
            self._history[slot] = data

    def retransmit(self, sequence: int) -> bool:
        """Resend a packet a NACK asked for, if still in the history: wrapped in RTX (RFC 4588:
        its own SSRC and sequence numbers, the original sequence number before the payload) when
        negotiated, else as it was. Not again within the round-trip time, and not beyond the
        budget (`RTX_SHARE`). True if this is the first request for a packet in the history: a
        loss the viewer's link caused (repeated NACKs and NACKs for forgotten packets are not)."""
        slot = sequence % RTP_HISTORY_SIZE
        data = self._history[slot]
        if data is None or not self._open:
            return False
        first_byte, marked, original, timestamp, _ = _HEADER.unpack_from(data)
        if original != sequence:
            return False
        now = self._clock()
        last, resent_at = self._resent[slot]
        first = last != sequence
        if not first and now - resent_at < max(self.rtt, RESEND_AFTER):
            return False
        self._resent[slot] = (sequence, now)  # an attempt, even if the budget says no
        octets = self._octets
        self._rtx_budget = min(RTX_BURST, self._rtx_budget + (octets - self._budgeted) * RTX_SHARE)
        self._budgeted = octets
        if self._rtx_budget < len(data):
            return first
        self._rtx_budget -= len(data)
        self._counters.retransmissions += 1
        if self._rtx_payload_type is not None:
            header_end = _HEADER_SIZE + len(self._extensions)
            rtx_header = _HEADER.pack(
                first_byte,
                (marked & _MARKER) | self._rtx_payload_type,
                self._rtx_sequence,
                timestamp,
                self._link.rtx_ssrc,
            )
            self._rtx_sequence = (self._rtx_sequence + 1) & 0xFFFF
            data = b"".join(
                (rtx_header, data[_HEADER_SIZE:header_end], data[2:4], data[header_end:])
            )
        self._datagrams.send(self._link.protect(data))
        return first

    def _dtls_state_changed(self) -> None:
        if self._link.dtls.state != "connected":
            self._open = False
            self._datagrams.close()
