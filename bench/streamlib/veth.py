"""A veth pair in the root namespace, to give Janus a non-loopback address.

Janus 1.1.2 skips loopback interfaces when gathering ICE candidates, so on one machine it needs
another interface. Both ends stay in the root namespace: packets between local addresses still
travel through the kernel's loopback path, so clients need no routes and no namespace, and Janus
is restricted to the host end with ``ice_enforce_list``. Needs root and iproute2.
"""

from __future__ import annotations

import atexit
import os
import subprocess

_SUBNET = "10.214"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def _used_subnets() -> set[int]:
    out = subprocess.run(["ip", "-4", "-o", "addr"], check=True, capture_output=True, text=True)
    used = set()
    for word in out.stdout.split():
        if word.startswith(f"{_SUBNET}."):
            used.add(int(word.split(".")[2]))
    return used


class VethPair:
    """``jfb<N>h`` (10.214.N.1) paired with ``jfb<N>c`` (10.214.N.2); removed by ``delete``."""

    def __init__(self) -> None:
        used = _used_subnets()
        start = os.getpid() % 250 + 1
        n = next(n for n in (*range(start, 255), *range(1, start)) if n not in used)
        self.host_if, self.peer_if = f"jfb{n}h", f"jfb{n}c"
        self.host_ip, self.peer_ip = f"{_SUBNET}.{n}.1", f"{_SUBNET}.{n}.2"
        self._created = False

    def create(self) -> None:
        _ip("link", "add", self.host_if, "type", "veth", "peer", "name", self.peer_if)
        self._created = True
        atexit.register(self.delete)  # also on an unexpected exit of the orchestrator
        _ip("addr", "add", f"{self.host_ip}/30", "dev", self.host_if)
        _ip("addr", "add", f"{self.peer_ip}/30", "dev", self.peer_if)
        _ip("link", "set", self.host_if, "up")
        _ip("link", "set", self.peer_if, "up")

    def delete(self) -> None:
        """Remove both ends (deleting one end of a veth pair removes the other); idempotent."""
        if self._created:
            self._created = False
            subprocess.run(["ip", "link", "del", self.host_if], check=False, capture_output=True)
            atexit.unregister(self.delete)
