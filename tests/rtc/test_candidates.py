"""A node behind a 1:1 NAT or a firewall: its candidates bind within JOBFAIR_RTC_PORTS and
announce JOBFAIR_RTC_PUBLIC_IP (a made-up "public" address here), and media still flows."""

import random
import re
from collections.abc import AsyncIterator

import pytest
from aiortc import RTCSessionDescription

from server.rtc.aiortc_internals import CandidatePolicy
from server.rtc.hub import StreamHub
from tests.rtc.conftest import Events, Peers, SyntheticPublisher, TestViewer

PUBLIC_IP = "203.0.113.7"  # TEST-NET-3: not on this machine
CANDIDATE = re.compile(
    r"a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ (\w+)(?: raddr (\S+) rport (\d+))?"
)


@pytest.fixture
def ports() -> tuple[int, int]:
    first = random.randrange(42000, 60000, 20)
    return first, first + 19


@pytest.fixture
async def nat_hub(events: Events, ports: tuple[int, int]) -> AsyncIterator[StreamHub]:
    hub = StreamHub(on_event=events, candidates=CandidatePolicy(PUBLIC_IP, ports))
    yield hub
    await hub.close()


def candidates(description: RTCSessionDescription | None) -> list[tuple[str, ...]]:
    assert description is not None
    return [m.groups() for m in CANDIDATE.finditer(description.sdp)]


async def test_candidates_bind_in_the_port_range_and_announce_the_public_address(
    nat_hub: StreamHub, peers: Peers, ports: tuple[int, int]
) -> None:
    publisher, viewer = SyntheticPublisher(), TestViewer()
    peers(publisher)
    peers(viewer)
    await publisher.publish(nat_hub, "booth-1")
    await viewer.view(nat_hub, "booth-1", "viewer")
    await viewer.wait_for_video(5)

    for answer in (publisher.pc.remoteDescription, viewer.pc.remoteDescription):
        found = candidates(answer)
        hosts = [(host, int(port)) for host, port, kind, *_ in found if kind == "host"]
        announced = [c for c in found if c[2] == "srflx"]
        assert hosts, found
        assert all(ports[0] <= port <= ports[1] for _, port in hosts), hosts
        ipv4_hosts = [(h, p) for h, p in hosts if ":" not in h]
        # each IPv4 host socket is announced on the public address, same port, as a NAT maps it
        assert sorted((raddr, int(rport)) for _, _, _, raddr, rport in announced) == sorted(
            ipv4_hosts
        )
        assert {(ip, int(port)) for ip, port, *_ in announced} == {
            (PUBLIC_IP, p) for _, p in ipv4_hosts
        }


async def test_without_a_policy_candidates_are_aioices_own(hub: StreamHub, peers: Peers) -> None:
    publisher = SyntheticPublisher()
    peers(publisher)
    await publisher.publish(hub, "booth-1")
    kinds = {kind for _, _, kind, *_ in candidates(publisher.pc.remoteDescription)}
    assert kinds == {"host"}
