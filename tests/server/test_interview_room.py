"""The interview room through a real node: after a call is accepted, worker and recruiter see and
hear each other through the server, chat, get more time, and the outcome is recorded; no one
else may join."""

from __future__ import annotations

import asyncio

from tests.clients import Fixture, Frames, connect, ok, op
from tests.peers import Publisher, Viewer


async def accepted_interview(fx: Fixture) -> tuple[Frames, Frames, str]:
    worker, recruiter = await connect(fx, fx.worker), await connect(fx, fx.recruiter_a)
    entry = await ok(worker, "queue.join", {"booth_id": fx.booth_a.id})
    await ok(recruiter, "queue.call_next", {"booth_id": fx.booth_a.id})
    accepted = await ok(worker, "queue.accept", {"entry_id": entry["id"]})
    return worker, recruiter, accepted["interview_id"]


async def test_worker_and_recruiter_each_receive_the_others_decoded_video(fx: Fixture) -> None:
    worker, recruiter, interview_id = await accepted_interview(fx)
    peers = [
        Publisher(worker, "", "interview.publish", interview_id=interview_id),
        Publisher(recruiter, "", "interview.publish", interview_id=interview_id),
    ]
    watchers = [
        Viewer(recruiter, "", "interview.view", interview_id=interview_id),
        Viewer(worker, "", "interview.view", interview_id=interview_id),
    ]
    try:
        for peer in peers:
            assert (await peer.go_live())["type"] == "ack"
        for watcher in watchers:
            assert (await watcher.watch())["type"] == "ack"
        for watcher in watchers:
            await watcher.frames(video=10)
            assert watcher.audio_frames > 0
        told = await recruiter.event("interview.media", timeout=10)
        assert told["data"] == {"interview_id": interview_id, "side": "worker", "live": True}
    finally:
        for closable in (*peers, *watchers):
            await closable.close()


async def test_no_one_but_the_two_participants_may_join(fx: Fixture) -> None:
    _, _, interview_id = await accepted_interview(fx)
    for outsider in (fx.recruiter_b, fx.moderator):
        ws = await connect(fx, outsider)
        intruder = Publisher(ws, "", "interview.publish", interview_id=interview_id)
        try:
            refused = await intruder.go_live()
        finally:
            await intruder.close()
        assert (refused["type"], refused["code"]) == ("error", "forbidden")
        said = await ws.request(
            "interview.say", {"interview_id": interview_id, "text": "hi", "op": op()}
        )
        assert said["code"] == "forbidden"


async def test_chat_time_and_outcome(fx: Fixture) -> None:
    worker, recruiter, interview_id = await accepted_interview(fx)
    room = await ok(worker, "interview.open", {"interview_id": interview_id})
    assert room["side"] == "worker" and room["slot_seconds"] == 15 * 60 and "notes" not in room

    await ok(worker, "interview.say", {"interview_id": interview_id, "text": "<b>Xin chào</b>"})
    heard = await recruiter.event("interview.said")
    assert heard["data"]["message"]["text"] == "<b>Xin chào</b>"
    assert heard["data"]["message"]["from"] == "worker"

    extended = await ok(recruiter, "interview.extend", {"interview_id": interview_id, "minutes": 5})
    assert extended == {"extra_seconds": 300}
    assert (await worker.event("interview.extended"))["data"]["extra_seconds"] == 300
    refused = await worker.request(
        "interview.extend", {"interview_id": interview_id, "minutes": 5, "op": op()}
    )
    assert refused["code"] == "forbidden"

    noted = {"interview_id": interview_id, "outcome": "on_site", "notes": "Hàn tốt, mời phỏng vấn"}
    assert (await ok(recruiter, "interview.record", noted))["outcome"] == "on_site"
    assert (await worker.request("interview.record", noted))["code"] == "forbidden"
    bad = await recruiter.request("interview.record", {**noted, "outcome": "maybe"})
    assert bad["code"] == "invalid_input"

    history = await ok(worker, "interview.history", {})
    assert [(i["id"], i["outcome"]) for i in history["interviews"]] == [(interview_id, "on_site")]
    assert "notes" not in history["interviews"][0]

    moderator = await connect(fx, fx.moderator)
    record = await ok(moderator, "interview.get", {"interview_id": interview_id})
    assert record["notes"]["notes"] == "Hàn tốt, mời phỏng vấn"
    report = await ok(moderator, "interview.report", {})
    assert report["booths"][fx.booth_a.id] == {
        "interviewed": 1,
        "passed": 1,
        "not_suitable": 0,
        "no_show": 0,
    }
    assert (await recruiter.request("interview.report", {}))["code"] == "forbidden"


async def test_both_rooms_learn_that_the_interview_ended(fx: Fixture) -> None:
    worker, recruiter, interview_id = await accepted_interview(fx)
    console = await connect(fx, fx.recruiter_a)  # the recruiter ends it from another tab
    await ok(console, "queue.finish", {"interview_id": interview_id})
    for room in (worker, recruiter):
        while True:
            ended = await room.event("queue.entry")
            if ended["data"]["state"] not in ("called", "interviewing"):
                break
        assert (ended["data"]["state"], ended["data"]["interview_id"]) == ("done", interview_id)


async def test_a_retried_chat_message_or_extension_takes_effect_once(fx: Fixture) -> None:
    worker, recruiter, interview_id = await accepted_interview(fx)
    message = {"interview_id": interview_id, "text": "Em chào anh", "op": op()}
    first = await worker.request("interview.say", message)
    again = await worker.request("interview.say", message)  # the ack was lost: sent again
    assert first["data"] == again["data"]
    more = {"interview_id": interview_id, "minutes": 5, "op": op()}
    assert (await recruiter.request("interview.extend", more))["data"]["extra_seconds"] == 300
    assert (await recruiter.request("interview.extend", more))["data"]["extra_seconds"] == 300
    room = await ok(worker, "interview.open", {"interview_id": interview_id})
    assert [m["text"] for m in room["chat"]] == ["Em chào anh"]
    assert room["extra_seconds"] == 300


async def test_closing_one_of_a_workers_tabs_leaves_the_others_camera_on(fx: Fixture) -> None:
    worker, recruiter, interview_id = await accepted_interview(fx)
    ids = {"interview_id": interview_id}
    camera = Publisher(worker, "", "interview.publish", **ids)
    watching = Viewer(recruiter, "", "interview.view", **ids)
    tab = await connect(fx, fx.worker)  # the room open twice; this one only watches
    second = Viewer(tab, "", "interview.view", **ids)
    try:
        assert (await camera.go_live())["type"] == "ack"
        for viewer in (watching, second):
            assert (await viewer.watch())["type"] == "ack"
        await watching.frames(video=10)

        await tab.close()
        await asyncio.sleep(1.0)  # its media ends with it
        await watching.frames(video=30)  # the worker's camera still reaches the recruiter
    finally:
        for closable in (camera, watching, second):
            await closable.close()


async def test_a_reloaded_interview_page_still_hears_how_its_link_fares(fx: Fixture) -> None:
    """A reload views from its new connection before the old one closes: the old one's leave
    must not silence `interview.link` for the new one."""
    worker, recruiter, interview_id = await accepted_interview(fx)
    before = Viewer(worker, "", "interview.view", interview_id=interview_id)
    reloaded_ws = await connect(fx, fx.worker)
    reloaded = Viewer(reloaded_ws, "", "interview.view", interview_id=interview_id)
    try:
        assert (await before.watch())["type"] == "ack"
        assert (await reloaded.watch())["type"] == "ack"
        await before.close()
        await worker.close()  # the old page's websocket: its views are left
        await asyncio.sleep(1.0)
        await ok(reloaded_ws, "interview.audio_only", {"interview_id": interview_id, "on": True})
        for ws in (reloaded_ws, recruiter):
            told = await ws.event("interview.link", timeout=10)
            assert (told["data"]["side"], told["data"]["level"]) == ("worker", "audio")
    finally:
        await reloaded.close()
