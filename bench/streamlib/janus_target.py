"""Target: Janus VideoRoom (Debian ``janus`` 1.1.2) in its strongest setting, ``event_loops = 1``.

Janus runs from a private config directory holding only what the run needs (the HTTP transport
on a free port, the VideoRoom plugin), with all handles sharing one event-loop thread: with the
default thread per handle it spends about half its CPU on context switches. Janus skips
loopback interfaces for ICE, so it is given a veth pair (:mod:`veth`) and restricted to it.

Signalling follows the VideoRoom API: the orchestrator creates the room; the publisher joins
with its offer and a fixed feed id; each viewer attaches a handle, joins as a subscriber of that
feed, answers Janus's offer and sends ``start``. Each client process shares one Janus session.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

from aiortc import RTCPeerConnection, RTCSessionDescription

from .janus_api import JanusSession
from .target import Target, TargetEnv, free_port, spawn_server, wait_for_port
from .veth import VethPair

_PLUGIN = "janus.plugin.videoroom"
_ROOM = 4242
_FEED = 7
_LIB_DIRS = (
    Path("/usr/lib/x86_64-linux-gnu/janus"),
    Path("/usr/lib/janus"),
    Path("/usr/local/lib/janus"),
)

_CORE_CONFIG = """\
general: {{
    configs_folder = "{conf}"
    plugins_folder = "{conf}/plugins"
    transports_folder = "{conf}/transports"
    events_folder = "{conf}/events"
    loggers_folder = "{conf}/loggers"
    debug_level = 3
    server_name = "jobfair-bench"
    session_timeout = 0
    event_loops = 1
}}
media: {{
    ipv6 = false
    rtp_port_range = "{rtp_ports}"
}}
nat: {{
    nice_debug = false
    ignore_mdns = true
    ice_enforce_list = "{interface}"
}}
events: {{
    broadcast = false
}}
"""

_HTTP_CONFIG = """\
general: {{
    json = "plain"
    base_path = "/janus"
    http = true
    port = {port}
    ip = "127.0.0.1"
    https = false
}}
admin: {{
    admin_http = false
    admin_https = false
}}
"""


def _lib_dir() -> Path | None:
    for lib in _LIB_DIRS:
        if (lib / "plugins" / "libjanus_videoroom.so").exists():
            return lib
    return None


def _install() -> None:
    """``apt-get install -y janus``, refreshing the package lists once if that fails."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "janus"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        subprocess.run(install, env=env, capture_output=True)


class JanusTarget(Target):
    name: ClassVar[str] = "janus"
    local_attrs: ClassVar[tuple[str, ...]] = ("_veth", "_session")

    def __init__(self) -> None:
        super().__init__()
        self.url = ""
        self.version = ""
        self._veth: VethPair | None = None
        self._session: asyncio.Task[JanusSession] | None = None

    def unavailable(self) -> str | None:
        if os.geteuid() != 0:
            return "needs root (a veth pair for Janus's ICE, apt-get install janus)"
        if shutil.which("ip") is None:
            return "needs iproute2 (ip)"
        if shutil.which("janus") is None:
            _install()
        binary = shutil.which("janus")
        if binary is None or _lib_dir() is None:
            return "janus is not installed and apt-get install -y janus failed"
        out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
        self.version = next((line for line in out.splitlines() if "version" in line), "")
        return None

    async def start(self, env: TargetEnv) -> None:
        lib, binary = _lib_dir(), shutil.which("janus")
        assert lib is not None and binary is not None, "call unavailable() first"
        self._veth = VethPair()
        try:
            self._veth.create()
            conf = env.workdir / "janus"
            port = self._write_config(conf, lib, self._veth.host_if)
            self._server = spawn_server(
                [
                    binary,
                    "--config",
                    str(conf / "janus.jcfg"),
                    "--configs-folder",
                    str(conf),
                    "--disable-colors",
                ],
                env.workdir / "janus.log",
                env.server_core,
            )
            self.server_pid = self._server.pid
            await wait_for_port(port, self._server)
            self.url = f"http://127.0.0.1:{port}/janus"
            await self._create_room()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        await super().stop()
        if self._veth is not None:
            self._veth.delete()
            self._veth = None

    async def publish(self, offer_sdp: str) -> str:
        session = await self._client()
        handle = await session.attach(_PLUGIN)
        body = {"request": "joinandconfigure", "room": _ROOM, "ptype": "publisher", "id": _FEED}
        _, jsep = await session.message(handle, body, {"type": "offer", "sdp": offer_sdp})
        if jsep is None:
            raise RuntimeError("Janus sent no answer to the publisher")
        return str(jsep["sdp"])

    async def subscribe(self, pc: RTCPeerConnection) -> None:
        session = await self._client()
        handle = await session.attach(_PLUGIN)
        body = {
            "request": "join",
            "room": _ROOM,
            "ptype": "subscriber",
            "streams": [{"feed": _FEED}],
        }
        _, offer = await session.message(handle, body)
        if offer is None:
            raise RuntimeError("Janus sent no offer to the subscriber")
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        answer = {"type": "answer", "sdp": pc.localDescription.sdp}
        await session.message(handle, {"request": "start"}, answer)

    async def close_client(self) -> None:
        if self._session is not None:
            session = await self._session
            self._session = None
            await session.close()

    async def _client(self) -> JanusSession:
        """This process's session, opened once however many viewers ask at the same time."""
        if self._session is None:
            self._session = asyncio.ensure_future(self._open())
        return await self._session

    async def _open(self) -> JanusSession:
        session = JanusSession(self.url)
        await session.open()
        return session

    async def _create_room(self) -> None:
        admin = JanusSession(self.url)
        try:
            await admin.open()
            handle = await admin.attach(_PLUGIN)
            room = {
                "request": "create",
                "room": _ROOM,
                "publishers": 1,
                "bitrate": 0,
                "fir_freq": 0,
                "videocodec": "vp8",
                "notify_joining": False,
            }
            await admin.message(handle, room)
        finally:
            await admin.close()

    @staticmethod
    def _write_config(conf: Path, lib: Path, interface: str) -> int:
        """A config dir with only the HTTP transport and the VideoRoom; returns the HTTP port."""
        for sub in ("plugins", "transports", "events", "loggers"):
            (conf / sub).mkdir(parents=True, exist_ok=True)
        (conf / "plugins" / "libjanus_videoroom.so").symlink_to(
            lib / "plugins/libjanus_videoroom.so"
        )
        (conf / "transports" / "libjanus_http.so").symlink_to(lib / "transports/libjanus_http.so")
        port = free_port()
        rtp_base = 20000 + port % 20000
        (conf / "janus.jcfg").write_text(
            _CORE_CONFIG.format(
                conf=conf, interface=interface, rtp_ports=f"{rtp_base}-{rtp_base + 2000}"
            )
        )
        (conf / "janus.transport.http.jcfg").write_text(_HTTP_CONFIG.format(port=port))
        (conf / "janus.plugin.videoroom.jcfg").write_text("general: {\n}\n")
        return port
