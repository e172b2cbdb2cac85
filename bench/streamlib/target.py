"""The seam between the benchmark and a server under test.

A target is one small class deriving from :class:`Target`. Its life has two halves that run in
different processes, which is why the class must stay picklable:

* In the orchestrator (``bench/stream.py``): ``await target.start(env)`` launches the server
  (pinned to ``env.server_core``, logging under ``env.workdir``), sets ``target.server_pid``
  to the process whose CPU time and RSS are measured, and stores on ``self`` whatever plain
  data clients need to reach it (URL, room id...). ``await target.stop()`` ends the server by
  its PID and undoes what ``start`` set up; it is idempotent. Every measured point gets its own
  ``start``/``stop`` on the same instance, so no state or memory carries over between points.
* In the publisher and viewer processes, on a pickled copy:
  ``await target.publish(offer_sdp) -> answer_sdp`` for the one publisher, and
  ``await target.subscribe(pc)`` for each viewer. ``subscribe`` must leave ``pc`` with both
  descriptions set and a receiving video transceiver. The default implementation suits a server
  that answers viewers' offers (derive from :class:`AnswersViewers`): it offers recvonly VP8 and
  calls ``await target.view(offer_sdp) -> answer_sdp``. A server that offers to its subscribers
  (Janus) overrides ``subscribe`` instead and does the whole exchange on ``pc``.
  ``await target.close_client()`` releases per-process client state (HTTP sessions).

Attributes that only make sense in one process (a ``Popen``, an HTTP client) are listed in
``local_attrs`` and are not pickled. A new server is one subclass plus one line in
``stream.py``'s target table; ``unavailable()`` says why it cannot run here, if it cannot.
"""

from __future__ import annotations

import abc
import asyncio
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription

_STOP_GRACE_S = 5.0


@dataclass(frozen=True)
class TargetEnv:
    """What the orchestrator gives a target to start in."""

    workdir: Path  # private scratch directory of this run (configs, logs)
    server_core: int  # the core the server process must be pinned to


class Target(abc.ABC):
    """A media server under test; see the module docstring for the contract."""

    name: ClassVar[str]
    local_attrs: ClassVar[tuple[str, ...]] = ("_server",)

    def __init__(self) -> None:
        self.server_pid: int | None = None
        self.edge_pid: int | None = None  # a second node whose CPU is measured too (cascade)
        self._server: subprocess.Popen[bytes] | None = None

    def unavailable(self) -> str | None:
        """Why this target cannot run on this machine, or None if it can."""
        return None

    @abc.abstractmethod
    async def start(self, env: TargetEnv) -> None: ...

    async def stop(self) -> None:
        if self._server is not None:
            terminate(self._server)
            self._server = None
        self.server_pid = None

    @abc.abstractmethod
    async def publish(self, offer_sdp: str) -> str: ...

    @abc.abstractmethod
    async def subscribe(self, pc: RTCPeerConnection) -> None: ...

    async def close_client(self) -> None:
        return None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for cls in type(self).__mro__:
            for attr in getattr(cls, "local_attrs", ()):
                state.pop(attr, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for cls in type(self).__mro__:
            for attr in getattr(cls, "local_attrs", ()):
                setattr(self, attr, None)
        self.__dict__.update(state)


class AnswersViewers(Target):
    """A server that answers viewers' offers: offer recvonly VP8, let `view` get the answer."""

    @abc.abstractmethod
    async def view(self, offer_sdp: str) -> str: ...

    async def subscribe(self, pc: RTCPeerConnection) -> None:
        transceiver = pc.addTransceiver("video", direction="recvonly")
        prefer_vp8(transceiver)
        await pc.setLocalDescription(await pc.createOffer())
        answer = await self.view(pc.localDescription.sdp)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))


def prefer_vp8(transceiver: Any) -> None:
    """Negotiate VP8 only (plus RTX), the codec the clip is encoded in."""
    codecs = RTCRtpSender.getCapabilities("video").codecs
    transceiver.setCodecPreferences([c for c in codecs if c.mimeType in ("video/VP8", "video/rtx")])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn_server(
    argv: list[str], log: Path, core: int, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a server pinned to ``core`` from its first instruction, output to ``log``.

    ``taskset`` rather than setting the affinity afterwards: threads a server creates at
    startup would otherwise escape the pin. Output goes to a file because an unread pipe
    blocks a chatty server (Janus).
    """
    with log.open("wb") as out:
        return subprocess.Popen(
            ["taskset", "-c", str(core), *argv],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=None if env is None else {**os.environ, **env},
        )


def terminate(proc: subprocess.Popen[bytes]) -> None:
    """End one server process by its PID: SIGTERM, then SIGKILL after a grace period."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(_STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


async def wait_for_port(port: int, proc: subprocess.Popen[bytes], wait_s: float = 15.0) -> None:
    """Return once something listens on 127.0.0.1:``port``; fail early if ``proc`` died."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} during start")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"server did not listen on port {port} within {wait_s:.0f} s")
