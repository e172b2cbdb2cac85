"""Booth streams through a real node: the recruiter publishes over the fair websocket, workers
watch, everyone sees the booth go live and offline; only the booth's recruiter may publish."""

from __future__ import annotations

from tests.clients import Fixture
from tests.peers import Publisher, Viewer


async def test_a_recruiter_goes_live_and_workers_watch_decoded_video(fx: Fixture) -> None:
    lobby = await (await fx.session(fx.moderator)).ws(fx.fair.id)
    await lobby.recv()
    recruiter_ws = await (await fx.session(fx.recruiter_a)).ws(fx.fair.id)
    await recruiter_ws.recv()
    publisher = Publisher(recruiter_ws, fx.booth_a.id)
    viewers: list[Viewer] = []
    try:
        assert (await publisher.go_live())["type"] == "ack"
        live = await lobby.event("stream.live", timeout=15)
        assert live["data"]["booth_id"] == fx.booth_a.id
        for _ in range(2):
            worker_ws = await (await fx.session(fx.worker)).ws(fx.fair.id)
            welcome = await worker_ws.recv()
            assert fx.booth_a.id in welcome["state"]["streams"]
            viewer = Viewer(worker_ws, fx.booth_a.id)
            viewers.append(viewer)
            assert (await viewer.watch())["type"] == "ack"
        for viewer in viewers:
            await viewer.frames(video=10)
            assert viewer.audio_frames > 0
        counted = await lobby.event("stream.viewers", timeout=5)
        assert counted["data"]["viewers"] >= 1

        await recruiter_ws.close()  # the recruiter's page closes: the booth goes offline
        offline = await lobby.event("stream.offline", timeout=15)
        assert offline["data"]["booth_id"] == fx.booth_a.id
        snapshot = await lobby.request("fair.snapshot")
        assert snapshot["data"]["streams"] == {}
    finally:
        for viewer in viewers:
            await viewer.close()
        await publisher.close()


async def test_a_moderator_stops_a_booths_stream(fx: Fixture) -> None:
    recruiter_ws = await (await fx.session(fx.recruiter_a)).ws(fx.fair.id)
    await recruiter_ws.recv()
    publisher = Publisher(recruiter_ws, fx.booth_a.id)
    moderator = await (await fx.session(fx.moderator)).ws(fx.fair.id)
    await moderator.recv()
    try:
        await publisher.go_live()
        await moderator.event("stream.live", timeout=15)
        stopped = await moderator.request("stream.stop", {"booth_id": fx.booth_a.id})
        assert stopped["type"] == "ack"
        offline = await moderator.event("stream.offline", timeout=10)
        assert offline["data"]["reason"] == "stopped_by_moderator"
    finally:
        await publisher.close()


async def test_only_the_booths_recruiter_may_publish_or_stop(fx: Fixture) -> None:
    worker_ws = await (await fx.session(fx.worker)).ws(fx.fair.id)
    other_recruiter = await (await fx.session(fx.recruiter_b)).ws(fx.fair.id)
    for ws in (worker_ws, other_recruiter):
        await ws.recv()
        publisher = Publisher(ws, fx.booth_a.id)
        try:
            refused = await publisher.go_live()
        finally:
            await publisher.close()
        assert (refused["type"], refused["code"]) == ("error", "forbidden")
        stop = await ws.request("stream.stop", {"booth_id": fx.booth_a.id})
        assert stop["code"] == "forbidden"


async def test_viewing_an_offline_booth_or_a_bad_offer_is_a_clear_error(fx: Fixture) -> None:
    worker_ws = await (await fx.session(fx.worker)).ws(fx.fair.id)
    await worker_ws.recv()
    offline = await worker_ws.request("stream.view", {"booth_id": fx.booth_b.id, "sdp": "v=0"})
    assert (offline["code"], offline["message"]) == ("invalid_state", "the booth is offline")
    recruiter_ws = await (await fx.session(fx.recruiter_a)).ws(fx.fair.id)
    await recruiter_ws.recv()
    garbage = await recruiter_ws.request(
        "stream.publish", {"booth_id": fx.booth_a.id, "sdp": "not sdp"}
    )
    missing = await recruiter_ws.request("stream.publish", {"booth_id": fx.booth_a.id})
    assert [garbage["code"], missing["code"]] == ["invalid_input", "invalid_input"]
