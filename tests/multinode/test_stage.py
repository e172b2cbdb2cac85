"""The fair's main stage on two `jobfair serve` nodes: one more stream of the fair, held and
routed like a booth's; handed to an invited booth's recruiter and back without viewers
reconnecting; refused (translated code) to a browser that cannot send its codec."""

from __future__ import annotations

from aiortc import RTCPeerConnection
from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.models import BoothInput
from rooms.people import People
from rooms.store.scripts import Scripts
from rooms.streams import Streams
from server.rtc.frames import H264
from tests.clients import Fixture, Frames, Session
from tests.peers import Publisher, Viewer
from tests.procs import Node


async def socket(fx: Fixture, who: object, node: Node | None = None) -> Frames:
    base = fx.base if node is None else node.url
    session = Session(base)
    fx.opened.append(session)
    await session.signin(fx.link(who).replace(fx.base, base))  # type: ignore[arg-type]
    ws = await session.ws(fx.fair.id)
    assert (await ws.recv())["type"] == "welcome"
    return ws


def connected(pc: RTCPeerConnection) -> bool:
    return pc.connectionState == "connected"


async def test_3_booths_and_the_stage_live_on_two_nodes_a_viewer_on_b_sees_the_stage_held_on_a(
    fx: Fixture, fairs: Fairs, people: People, node_b: Node, redis: Redis
) -> None:
    booth_c = await fairs.create_booth(fx.fair.id, BoothInput(employer="Công ty C"))
    recruiter_c = await people.add_recruiter(fx.fair.id, booth_c.id, "Recruiter C")
    moderator = await socket(fx, fx.moderator)  # node A: it holds the stage
    booths = [
        Publisher(await socket(fx, fx.recruiter_a), fx.booth_a.id),  # A
        Publisher(await socket(fx, fx.recruiter_b, node_b), fx.booth_b.id),  # B
        Publisher(await socket(fx, recruiter_c, node_b), booth_c.id),  # B
    ]
    stage = Publisher(moderator, "", message="stage.publish")
    worker = await socket(fx, fx.worker, node_b)
    viewer = Viewer(worker, "stage")
    try:
        for publisher in (stage, *booths):
            assert (await publisher.go_live())["type"] == "ack"
        live = set()
        while len(live) < 4:
            live.add((await worker.event("stream.live", timeout=20))["data"]["booth_id"])
        snapshot = await worker.request("fair.snapshot", {})
        held = await Streams(redis, Scripts(redis)).live(fx.fair.id)
        assert (await viewer.watch())["type"] == "ack"
        await viewer.frames(video=10)
    finally:
        await viewer.close()
        for publisher in (stage, *booths):
            await publisher.close()
    assert live == {"stage", fx.booth_a.id, fx.booth_b.id, booth_c.id}
    assert set(snapshot["data"]["streams"]) == live
    assert snapshot["data"]["streams"]["stage"]["presenting"] is None
    nodes = {booth: state.node for booth, state in held.items()}
    assert nodes["stage"] == nodes[fx.booth_a.id] != nodes[fx.booth_b.id] == nodes[booth_c.id]


async def test_the_stage_is_handed_to_an_invited_booths_recruiter_and_back_without_reconnecting(
    fx: Fixture, node_b: Node
) -> None:
    moderator = await socket(fx, fx.moderator)  # node A holds the stage
    recruiter = await socket(fx, fx.recruiter_a, node_b)  # presents through node B
    worker = await socket(fx, fx.worker, node_b)
    stage = Publisher(moderator, "", message="stage.publish")
    uninvited = Publisher(recruiter, fx.booth_a.id, message="stage.present")
    viewer = Viewer(worker, "stage")
    guest = Publisher(recruiter, fx.booth_a.id, message="stage.present")
    back = Publisher(moderator, "", message="stage.publish")
    try:
        assert (await stage.go_live())["type"] == "ack"
        await worker.event("stream.live", timeout=20)
        assert (await viewer.watch())["type"] == "ack"
        await viewer.frames(video=5)
        refused = await uninvited.go_live()
        invited = await moderator.request("stage.invite", {"booth_id": fx.booth_a.id})
        await worker.event("stage.guest", timeout=10)
        assert (await guest.go_live())["type"] == "ack"
        handed = await worker.event("stream.handed_over", timeout=20)
        await viewer.frames(video=10)
        assert (await back.go_live())["type"] == "ack"
        taken_back = await worker.event("stream.handed_over", timeout=20)
        await viewer.frames(video=10)
        still_connected = connected(viewer.pc)
    finally:
        for peer in (viewer, stage, uninvited, guest, back):
            await peer.close()
    assert refused["code"] == "forbidden"
    assert invited["data"] == {"booth_id": fx.booth_a.id}
    assert handed["data"]["booth_id"] == "stage" and handed["data"]["presenting"] == fx.booth_a.id
    assert taken_back["data"]["presenting"] is None
    assert still_connected  # one connection throughout: nobody reconnected


async def test_a_presenter_whose_browser_cannot_send_the_stages_codec_is_refused(
    fx: Fixture, node_b: Node
) -> None:
    moderator = await socket(fx, fx.moderator)
    recruiter = await socket(fx, fx.recruiter_a, node_b)
    stage = Publisher(moderator, "", message="stage.publish")
    h264_only = Publisher(recruiter, fx.booth_a.id, message="stage.present", video_codec=H264)
    try:
        assert (await stage.go_live())["type"] == "ack"
        await moderator.event("stream.live", timeout=20)
        await moderator.request("stage.invite", {"booth_id": fx.booth_a.id})
        refused = await h264_only.go_live()
    finally:
        await h264_only.close()
        await stage.close()
    assert refused["type"] == "error" and refused["code"] == "codec_mismatch"
