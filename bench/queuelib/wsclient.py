"""A lean websocket client on a raw asyncio protocol, for thousands of clients in one process.

The `websockets` library costs ~22 µs per received message; this costs a few: no per-message
objects beyond the decoded text, and a callback instead of a queue. Text frames only (what the
fair websocket sends), no compression, no fragmentation; pings are answered.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
from collections.abc import Callable
from typing import Any


def _mask(payload: bytes) -> bytes:
    key = os.urandom(4)
    n = len(payload)
    masked = int.from_bytes(payload, "big") ^ int.from_bytes((key * (n // 4 + 1))[:n], "big")
    return key + masked.to_bytes(n, "big")


def _frame(opcode: int, payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    return head + _mask(payload)


class Client(asyncio.Protocol):
    """One websocket; `on_text(client, text)` gets each text message."""

    def __init__(self, on_text: Callable[[Client, str], None]) -> None:
        self.on_text = on_text
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.upgraded: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.ids = 0
        self.acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.state: dict[str, Any] = {}  # whatever the benchmark keeps per client

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)
        for waiter in self.acks.values():  # these will never be answered on this socket
            if not waiter.done():
                waiter.set_exception(ConnectionError("closed before the answer"))
        self.acks.clear()
        if not self.upgraded.done():
            self.upgraded.set_exception(ConnectionError("closed before the upgrade"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded.done():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = self.buffer[: self.buffer.find(b"\r\n")]
            self.buffer = self.buffer[end + 4 :]
            if b" 101 " not in status:
                self.upgraded.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.upgraded.set_result(None)
        self._frames()

    def _frames(self) -> None:
        buf = self.buffer
        while len(buf) >= 2:
            opcode, n = buf[0] & 0x0F, buf[1] & 0x7F
            start = 2
            if n == 126:
                if len(buf) < 4:
                    break
                n, start = struct.unpack_from("!H", buf, 2)[0], 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n, start = struct.unpack_from("!Q", buf, 2)[0], 10
            if len(buf) < start + n:
                break
            payload, buf = buf[start : start + n], buf[start + n :]
            if opcode == 1:
                self._text(payload.decode())
            elif opcode == 9 and self.transport is not None:
                self.transport.write(_frame(10, payload))
            elif opcode == 8 and self.transport is not None:
                self.transport.close()
        self.buffer = buf

    def _text(self, text: str) -> None:
        if text.startswith('{"type":"ack"') or text.startswith('{"type":"error"'):
            frame = json.loads(text)
            waiter = self.acks.pop(frame.get("id") or "", None)
            if waiter is not None and not waiter.done():
                waiter.set_result(frame)
                return
        self.on_text(self, text)

    def send(self, type_: str, data: dict[str, Any]) -> asyncio.Future[dict[str, Any]]:
        """Send a message; the future gets its ack or error frame."""
        assert self.transport is not None
        self.ids += 1
        msg_id = f"b{self.ids}"
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        if self.closed.done():
            waiter.set_exception(ConnectionError("closed"))
            return waiter
        self.acks[msg_id] = waiter
        body = json.dumps({"id": msg_id, "type": type_, "data": data}, separators=(",", ":"))
        self.transport.write(_frame(1, body.encode()))
        return waiter

    async def request(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        """Send and await the answer; `unavailable` (storage busy: the outcome is unknown) is
        sent again as it was, as a page does: the same `op` has one effect."""
        while True:
            answer = await self.send(type_, data)
            if answer.get("code") != "unavailable":
                return answer

    def send_text(self, text: str) -> None:
        """Send one text frame as it is (no id, no answer awaited)."""
        assert self.transport is not None
        self.transport.write(_frame(1, text.encode()))

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(_frame(8, struct.pack("!H", 1000)))
            self.transport.close()


async def connect(
    host: str, port: int, path: str, cookie: str, on_text: Callable[[Client, str], None]
) -> Client:
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(lambda: Client(on_text), host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: http://{host}:{port}\r\nCookie: {cookie}\r\n\r\n"
    )
    assert client.transport is not None
    client.transport.write(request.encode())
    try:
        await client.upgraded
    except BaseException:
        client.transport.close()
        raise
    return client
