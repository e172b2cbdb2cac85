"""Sending one viewer's packets of a frame with as few system calls as Linux allows.

`sendto` is the largest single cost of forwarding (about half of the server's CPU per packet). A
frame's packets to one viewer are mostly of one size (the packetizer fills all but the last), which
is what UDP generic segmentation offload (GSO, Linux 4.18+) takes: one `sendmsg` with the
`UDP_SEGMENT` size carries the whole run and the kernel splits it into the same datagrams, halving
the kernel's work per packet. Anything else (a TURN relay, an older kernel, a transport with
queued data) goes through the transport's own `sendto`, one packet at a time, in order.
"""

import logging
import os
import socket
import struct
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

UDP_SEGMENT = 103  # linux/udp.h; not in Python's socket module
_SEGMENT_SIZE = struct.Struct("=H")
_MAX_SEGMENTS = 64  # UDP_MAX_SEGMENTS
_MAX_BYTES = 60_000  # one sendmsg stays under the 64 KiB of a UDP datagram with its headers

SendTo = Callable[[bytes, tuple[str, int]], None]


class Datagrams:
    """Sends datagrams to one address through a transport, batching equal-sized runs with GSO.

    `transport_socket` is the transport's socket (`get_extra_info("socket")`), or None: GSO is then
    never tried. A duplicate of its descriptor is used, so the transport keeps its own; `close()`
    releases it.
    """

    def __init__(
        self,
        sendto: SendTo,
        addr: tuple[str, int],
        backlog: Callable[[], int],
        transport_socket: socket.socket | None,
    ) -> None:
        self._sendto = sendto
        self._addr = addr
        self._backlog = backlog
        self._socket: socket.socket | None = None
        if transport_socket is not None and transport_socket.type == socket.SOCK_DGRAM:
            self._socket = socket.socket(
                transport_socket.family, socket.SOCK_DGRAM, fileno=os.dup(transport_socket.fileno())
            )

    def send(self, packet: bytes) -> None:
        self._sendto(packet, self._addr)

    def send_all(self, packets: Sequence[bytes]) -> None:
        """Send `packets` in order."""
        sock = self._socket
        if sock is None or len(packets) < 2 or self._backlog():
            for packet in packets:
                self._sendto(packet, self._addr)
            return
        start = 0
        count = len(packets)
        while start < count:
            size = len(packets[start])
            end = start + 1
            total = size
            while end < count and end - start < _MAX_SEGMENTS:
                length = len(packets[end])
                if length > size or total + length > _MAX_BYTES:
                    break
                total += length
                end += 1
                if length < size:
                    break  # a shorter datagram can only end a run
            if end - start == 1:
                self._sendto(packets[start], self._addr)
            else:
                try:
                    sock.sendmsg(
                        [b"".join(packets[start:end])],
                        [(socket.SOL_UDP, UDP_SEGMENT, _SEGMENT_SIZE.pack(size))],
                        0,
                        self._addr,
                    )
                except BlockingIOError:
                    # The socket is full: the transport queues the rest, in order.
                    break
                except OSError as exc:
                    logger.info(
                        "UDP segmentation offload unavailable (%s): sending one by one", exc
                    )
                    self.close()
                    break
            start = end
        for packet in packets[start:]:
            self._sendto(packet, self._addr)

    def close(self) -> None:
        """Idempotent."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None
