"""Interview queues over the fair websocket of a real node: join, live positions, the call
prompt, accept and finish, staff views, refusals as error frames, retries, server-side timeouts
and the grace period of a dropped worker."""

from __future__ import annotations

import asyncio
from typing import Any

from rooms.models import Participant
from rooms.people import People
from tests.clients import Fixture, Frames, connect, ok, op


async def frames_for(ws: Frames, seconds: float) -> list[dict[str, Any]]:
    out = []
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while (left := end - loop.time()) > 0:
        try:
            out.append(await ws.recv(timeout=left))
        except TimeoutError:
            break
    return out


async def workers(fx: Fixture, people: People, n: int) -> list[Participant]:
    return [
        await people.register_worker(fx.fair.id, {"name": f"Worker {i}", "contact": "0912345678"})
        for i in range(n)
    ]


async def test_a_called_worker_gets_the_prompt_and_the_next_one_moves_up(
    fx: Fixture, people: People
) -> None:
    first, second = await workers(fx, people, 2)
    ws1, ws2 = await connect(fx, first), await connect(fx, second)
    booth = fx.booth_a.id
    joined = await ok(ws1, "queue.join", {"booth_id": booth})
    assert (await ok(ws2, "queue.join", {"booth_id": booth}))["position"] == 2
    recruiter = await connect(fx, fx.recruiter_a)
    called = await ok(recruiter, "queue.call_next", {"booth_id": booth})
    assert called["id"] == joined["id"]
    prompt = await ws1.event("queue.entry")
    assert prompt["data"]["state"] == "called" and prompt["data"]["seconds"] == 60
    moved = await ws2.event("queue.position")
    while moved["data"]["position"] == 2:  # the join's own update may still be on its way
        moved = await ws2.event("queue.position")
    assert moved["data"]["position"] == 1 and moved["data"]["size"] == 1
    assert moved["data"]["eta"][0] == 0 and moved["data"]["eta"][1] > 0

    accepted = await ok(ws1, "queue.accept", {"entry_id": joined["id"]})
    assert accepted["state"] == "interviewing"
    done = await ok(recruiter, "queue.finish", {"interview_id": accepted["interview_id"]})
    assert done["state"] == "done"
    assert (await ws1.event("queue.entry"))["data"]["state"] == "interviewing"
    assert (await ws1.event("queue.entry"))["data"]["state"] == "done"


async def test_staff_see_the_line_live_with_short_profiles(fx: Fixture, people: People) -> None:
    (worker,) = await workers(fx, people, 1)
    recruiter = await connect(fx, fx.recruiter_a)
    view = await ok(recruiter, "queue.view", {"booth_id": fx.booth_a.id})
    assert view["size"] == 0 and view["state"] == "open"
    ws = await connect(fx, worker)
    await ok(ws, "queue.join", {"booth_id": fx.booth_a.id})
    pushed = await recruiter.event("queue.line")
    assert pushed["data"]["size"] == 1
    assert pushed["data"]["line"][0]["name"] == "Worker 0"
    assert pushed["data"]["line"][0]["contact"] == "0912345678"


async def test_refusals_are_error_frames_and_identity_comes_from_the_session(
    fx: Fixture,
) -> None:
    worker = await connect(fx, fx.worker)
    no_op = await worker.request("queue.join", {"booth_id": fx.booth_a.id})
    assert no_op["code"] == "invalid_input"
    as_staff = await worker.request("queue.call_next", {"booth_id": fx.booth_a.id, "op": op()})
    assert as_staff["code"] == "forbidden"
    other = await connect(fx, fx.recruiter_b)
    foreign = await other.request("queue.view", {"booth_id": fx.booth_a.id})
    assert foreign["code"] == "forbidden"
    claim = {"booth_id": fx.booth_a.id, "worker_id": "someone", "op": op()}
    claimed = await worker.request("queue.join", claim)
    assert claimed["code"] == "invalid_input"  # no field names who acts
    joined = await ok(worker, "queue.join", {"booth_id": fx.booth_a.id})
    assert joined["worker_id"] == fx.worker.id
    moderator = await connect(fx, fx.moderator)
    await ok(moderator, "queue.pause", {"booth_id": fx.booth_a.id})
    paused = await (await connect(fx, fx.recruiter_a)).request(
        "queue.call_next", {"booth_id": fx.booth_a.id, "op": op()}
    )
    assert (paused["code"], paused["message"]) == (
        "invalid_state",
        "this line is paused; resume it to call",
    )


async def test_a_message_resent_after_a_reconnect_has_one_effect(fx: Fixture) -> None:
    same = {"booth_id": fx.booth_a.id, "op": "join-1"}
    first = await (await connect(fx, fx.worker)).request("queue.join", same)
    again = await (await connect(fx, fx.worker)).request("queue.join", same)
    assert first["data"] == again["data"]
    mine = await ok(await connect(fx, fx.worker), "queue.mine", {})
    assert [e["id"] for e in mine["entries"]] == [first["data"]["id"]]
    assert mine["settings"]["lines_per_worker"] == 3


async def test_one_call_sends_each_waiting_worker_one_small_frame(
    fx: Fixture, people: People
) -> None:
    crowd = await workers(fx, people, 12)
    sockets = [await connect(fx, w) for w in crowd]
    for ws in sockets:
        await ok(ws, "queue.join", {"booth_id": fx.booth_a.id})
    await asyncio.sleep(0.3)  # let the joins' position frames go by
    await asyncio.gather(*(frames_for(ws, 0.05) for ws in sockets))
    recruiter = await connect(fx, fx.recruiter_a)
    await ok(recruiter, "queue.call_next", {"booth_id": fx.booth_a.id})
    received = await asyncio.gather(*(frames_for(ws, 0.5) for ws in sockets[1:]))
    for i, frames in enumerate(received, 1):
        positions = [f for f in frames if f.get("event") == "queue.position"]
        assert len(positions) == 1 and positions[0]["data"]["position"] == i
        assert len(str(positions[0])) < 300
    other_booth = await connect(fx, fx.recruiter_b)
    walk_in = {"booth_id": fx.booth_b.id, "name": "Khách", "phone": "0987654321"}
    await ok(await connect(fx, fx.moderator), "queue.walk_in", walk_in)
    await ok(other_booth, "queue.call_next", {"booth_id": fx.booth_b.id})
    assert await frames_for(sockets[1], 0.4) == []  # another line changed: nothing to send


async def test_a_burst_of_changes_is_coalesced(fx: Fixture, people: People) -> None:
    crowd = await workers(fx, people, 15)
    head = await connect(fx, crowd[0])
    await ok(head, "queue.join", {"booth_id": fx.booth_a.id})
    others = [await connect(fx, w) for w in crowd[1:]]
    await frames_for(head, 0.3)
    await asyncio.gather(*(ok(ws, "queue.join", {"booth_id": fx.booth_a.id}) for ws in others))
    frames = [f for f in await frames_for(head, 0.6) if f.get("event") == "queue.position"]
    assert 1 <= len(frames) < 8  # 14 joins, far fewer pushes
    assert frames[-1]["data"]["size"] == 15


async def test_an_unanswered_call_becomes_a_no_show_on_the_server(fx: Fixture) -> None:
    moderator = await connect(fx, fx.moderator)
    await ok(moderator, "queue.configure", {"call_seconds": 1})
    worker = await connect(fx, fx.worker)
    joined = await ok(worker, "queue.join", {"booth_id": fx.booth_a.id})
    await worker.close()  # the browser is gone: the countdown still runs
    recruiter = await connect(fx, fx.recruiter_a)
    await ok(recruiter, "queue.view", {"booth_id": fx.booth_a.id})
    await ok(recruiter, "queue.call_next", {"booth_id": fx.booth_a.id})
    for _ in range(10):
        view = (await recruiter.event("queue.line", timeout=3))["data"]
        if view["recent"]:
            break
    assert [(e["id"], e["state"]) for e in view["recent"]] == [(joined["id"], "no_show")]
    late = await (await connect(fx, fx.worker)).request(
        "queue.accept", {"entry_id": joined["id"], "op": op()}
    )
    assert (late["code"], late["message"]) == ("invalid_state", "the call has expired")
    audit = await ok(moderator, "queue.audit", {"booth_id": fx.booth_a.id})
    assert [r["action"] for r in audit["records"]][:3] == ["expire", "call", "join"]
    assert audit["records"][0]["actor"] == "system"


async def test_a_reload_keeps_the_place_and_a_worker_gone_past_grace_loses_it(
    fx: Fixture, people: People
) -> None:
    stays, goes = await workers(fx, people, 2)
    moderator = await connect(fx, fx.moderator)
    await ok(moderator, "queue.configure", {"grace_seconds": 1})
    ws = await connect(fx, stays)
    kept = await ok(ws, "queue.join", {"booth_id": fx.booth_a.id})
    gone = await connect(fx, goes)
    lost = await ok(gone, "queue.join", {"booth_id": fx.booth_a.id})
    await ws.close()
    ws = await connect(fx, stays)  # a reload
    await ok(ws, "queue.mine", {})
    await gone.close()
    recruiter = await connect(fx, fx.recruiter_a)
    await ok(recruiter, "queue.view", {"booth_id": fx.booth_a.id})
    view: dict[str, Any] = {"size": 2}
    for _ in range(12):  # the lease (6 s) runs out, then the grace period (1 s)
        view = (await recruiter.event("queue.line", timeout=10))["data"]
        if view["size"] == 1:
            break
    assert [e["id"] for e in view["line"]] == [kept["id"]]
    records = (await ok(moderator, "queue.audit", {"booth_id": fx.booth_a.id}))["records"]
    assert (records[0]["action"], records[0]["entry"]) == ("drop", lost["id"])
