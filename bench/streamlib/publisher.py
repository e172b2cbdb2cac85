"""The publisher worker: sends the pre-encoded clip at 30 fps, whatever the server asks.

It hands aiortc ``av.Packet`` objects, so the sender only packetizes: REMB and PLI change
nothing, and every server gets the same ~1 Mbps stream with a keyframe every 2 s. Each frame's
send time is logged by index for the delay measurement (see :mod:`frameid`).
"""

from __future__ import annotations

import asyncio
import time
import traceback
from fractions import Fraction
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import av
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription

from . import clip, frameid, ipc
from .loop import run_loop
from .procstat import pin_to_core
from .target import Target, prefer_vp8

_CONNECT_TIMEOUT_S = 30.0
_TIME_BASE = Fraction(1, frameid.CLOCK_RATE)


class ClipTrack(MediaStreamTrack):
    """A video track yielding encoded frames of a looping clip, paced to real time."""

    kind = "video"

    def __init__(self, frames: list[bytes]) -> None:
        super().__init__()
        self._frames = frames
        self._start: float | None = None
        self.sent: list[float] = []  # monotonic send time of frame i

    async def recv(self) -> av.Packet[Any]:
        index = len(self.sent)
        now = time.monotonic()
        if self._start is None:
            self._start = now
        wait = self._start + index / frameid.FPS - now
        if wait > 0:
            await asyncio.sleep(wait)
        packet = av.Packet(self._frames[index % len(self._frames)])
        packet.pts = frameid.frame_pts(index)
        packet.time_base = _TIME_BASE
        self.sent.append(time.monotonic())
        return packet


async def _connected(pc: RTCPeerConnection, wait_s: float) -> None:
    done = asyncio.Event()

    @pc.on("connectionstatechange")
    def on_state() -> None:
        if pc.connectionState in ("connected", "failed", "closed"):
            done.set()

    if pc.connectionState != "connected":
        await asyncio.wait_for(done.wait(), wait_s)
    if pc.connectionState != "connected":
        raise RuntimeError(f"publisher connection {pc.connectionState}")


async def _publish(target: Target, clip_path: Path, conn: Connection) -> None:
    track = ClipTrack(clip.load(clip_path).frames)
    pc = RTCPeerConnection()
    try:
        try:
            prefer_vp8(pc.addTransceiver(track, direction="sendonly"))
            await pc.setLocalDescription(await pc.createOffer())
            answer = await target.publish(pc.localDescription.sdp)
            await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
            await _connected(pc, _CONNECT_TIMEOUT_S)
        except Exception:
            conn.send(("error", f"publisher: {traceback.format_exc(limit=3)}"))
            return
        conn.send(("ready", None))
        while await ipc.next_command(conn) == "report":
            conn.send(("report", list(track.sent)))
    finally:
        await pc.close()
        await target.close_client()


def run(target: Target, clip_path: Path, core: int, conn: Connection) -> None:
    """Process entry point (``multiprocessing`` spawn)."""
    pin_to_core(0, core)
    run_loop(_publish(target, clip_path, conn))
