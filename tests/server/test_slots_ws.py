"""Booked interview slots over the fair websocket of a real node: publishing, booking with live
counts, refusals as error frames, and the node's sweeper placing the booked worker at the head of
the line when the slot begins, once, while a second sweeper races it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.people import People
from rooms.queue import Queue
from rooms.slots import Slots
from rooms.store.scripts import Scripts
from server.sweeper import Sweeper
from server.ws.hub import Hub
from tests.clients import Fixture, connect, ok, op


async def open_now(fx: Fixture, fairs: Fairs) -> None:
    """The fixture's fair is some days ahead: open it now, for slots a few seconds away."""
    now = datetime.now(UTC)
    window = {"starts_at": (now - timedelta(hours=1)).isoformat()}
    window["ends_at"] = (now + timedelta(hours=4)).isoformat()
    await fairs.update_fair(fx.fair.id, window)


async def test_a_booked_worker_is_put_at_the_head_of_the_line_when_the_slot_begins(
    fx: Fixture, fairs: Fairs, people: People, redis: Redis
) -> None:
    await open_now(fx, fairs)
    booth = fx.booth_a.id
    walk_up = await people.register_worker(
        fx.fair.id, {"name": "Đến trước", "contact": "0911111111"}
    )
    early = await connect(fx, walk_up)
    await ok(early, "queue.join", {"booth_id": booth})
    recruiter, worker = await connect(fx, fx.recruiter_a), await connect(fx, fx.worker)
    starts = int(time.time()) + 3  # 2-3 s away
    form = {"booth_id": booth, "starts_at": starts, "minutes": 15, "capacity": 2}
    (slot,) = (await ok(recruiter, "slots.publish", form))["slots"]
    announced = await worker.event("slots.changed")
    assert announced["data"]["slots"][0]["id"] == slot["id"]
    listed = await ok(worker, "slots.list", {"booth_id": booth})
    assert [(s["id"], s["left"], s["mine"]) for s in listed["slots"]] == [(slot["id"], 2, False)]
    booked = await ok(worker, "slots.book", {"slot_id": slot["id"]})
    assert (booked["left"], booked["mine"]) == (1, True)
    confirmed = await worker.event("slots.booking")
    assert confirmed["data"]["state"] == "booked"
    counts = [(await early.event("slots.changed"))["data"]["slots"][0]["left"] for _ in "ab"]
    assert counts == [2, 1]  # published, then booked: everyone in the fair sees the places left
    staff_list = await ok(recruiter, "slots.list", {"booth_id": booth})
    assert [b["name"] for b in staff_list["slots"][0]["bookings"]] == [fx.worker.name]
    assert [s["id"] for s in (await ok(worker, "slots.mine", {}))["slots"]] == [slot["id"]]
    await ok(recruiter, "queue.view", {"booth_id": booth})

    # a second sweeper (as another node would run) races the node's own
    scripts = Scripts(redis)
    twin = Sweeper(Queue(redis, scripts), Hub(_nothing, _nothing), Slots(redis, scripts))

    async def sweep_often() -> None:
        while True:
            await twin.sweep()
            await asyncio.sleep(0.05)

    racing = asyncio.create_task(sweep_often())
    try:
        placed = await worker.event("queue.entry", timeout=10)
        assert (placed["data"]["state"], placed["data"]["slot_id"]) == ("waiting", slot["id"])
        for _ in range(10):
            view = (await recruiter.event("queue.line", timeout=5))["data"]
            if view["size"] == 2:
                break
        assert [e["worker_id"] for e in view["line"]] == [fx.worker.id, walk_up.id]
        await asyncio.sleep(1.0)  # both sweepers have passed the slot's start several times
    finally:
        racing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await racing
    mine = (await ok(worker, "queue.mine", {}))["entries"]
    assert [(e["booth_id"], e["position"]) for e in mine] == [(booth, 1)]
    audit = await ok(await connect(fx, fx.moderator), "queue.audit", {"booth_id": booth})
    actions = [r["action"] for r in audit["records"]]
    assert actions.count("slot") == 1 and actions[:3] == ["slot", "slot_book", "slots_publish"]


async def test_refusals_are_error_frames(fx: Fixture, fairs: Fairs, people: People) -> None:
    await open_now(fx, fairs)
    starts = int(time.time()) + 1800
    recruiter, worker = await connect(fx, fx.recruiter_a), await connect(fx, fx.worker)
    form = {"booth_id": fx.booth_a.id, "starts_at": starts, "minutes": 30, "capacity": 1}
    refused = await worker.request("slots.publish", {**form, "op": op()})
    assert refused["code"] == "forbidden"
    (slot,) = (await ok(recruiter, "slots.publish", form))["slots"]
    again = await recruiter.request("slots.publish", {**form, "op": op()})
    assert again["code"] == "conflict"
    no_op = await worker.request("slots.book", {"slot_id": slot["id"]})
    assert no_op["code"] == "invalid_input"
    await ok(worker, "slots.book", {"slot_id": slot["id"]})
    other = await people.register_worker(fx.fair.id, {"name": "Khác", "contact": "0922222222"})
    full = await (await connect(fx, other)).request(
        "slots.book", {"slot_id": slot["id"], "op": op()}
    )
    assert (full["code"], full["message"]) == ("limit_reached", "this time is fully booked")
    b_form = {**form, "booth_id": fx.booth_b.id, "starts_at": starts + 600}
    (overlapping,) = (await ok(await connect(fx, fx.recruiter_b), "slots.publish", b_form))["slots"]
    double = await worker.request("slots.book", {"slot_id": overlapping["id"], "op": op()})
    assert double["code"] == "conflict"
    foreign = await ok(await connect(fx, fx.recruiter_b), "slots.list", {"booth_id": fx.booth_a.id})
    assert "bookings" not in foreign["slots"][0]
    removed = await ok(recruiter, "slots.remove", {"slot_id": slot["id"]})
    assert removed["told"] == 1
    told = [(await worker.event("slots.booking"))["data"] for _ in "ab"]
    assert [(t["state"], t["slot"]["id"]) for t in told] == [
        ("booked", slot["id"]),
        ("removed", slot["id"]),
    ]


async def _nothing(fair_id: str) -> None:
    """The test's sweeper delivers nothing itself: the node's pub/sub does."""
