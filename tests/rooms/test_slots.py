"""Booked interview slots on a real Redis: publishing within the fair's hours without overlaps,
booking under concurrency (capacity, no double booking of a worker across booths), cancelling,
removing, and the start of a slot placing its workers at the head of the line exactly once."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from redis.asyncio import Redis

from rooms.commands import admit
from rooms.errors import Conflict, Forbidden, InvalidInput, InvalidState, LimitReached, NotFound
from rooms.fairs import Fairs
from rooms.models import Booth, BoothInput, Fair, FairInput, Participant
from rooms.people import People
from rooms.queue import Queue
from rooms.slots import SlotLimits, Slots, SlotsInput
from rooms.store import keys
from rooms.store.scripts import Scripts
from tests.procs import RedisProcess

_ops = itertools.count(1)
HOUR = 3600


def op() -> str:
    return f"s{next(_ops)}"


@dataclass
class Booths:
    """A fair open from an hour ago for six hours, three booths, their recruiters, a moderator
    and workers."""

    slots: Slots
    queue: Queue
    fair: Fair
    booths: list[Booth]
    recruiters: list[Participant]
    moderator: Participant
    workers: list[Participant]
    redis: Redis

    @property
    def f(self) -> str:
        return self.fair.id

    def b(self, i: int = 0) -> str:
        return self.booths[i].id

    async def publish(self, booth: int, starts_at: Any, **form: Any) -> list[dict[str, Any]]:
        data = {"minutes": 30, "capacity": 5, **form, "starts_at": starts_at}
        form = SlotsInput.model_validate(data)
        published = await self.slots.publish(
            self.f, self.recruiters[booth], self.b(booth), form, op()
        )
        found: list[dict[str, Any]] = published["slots"]
        return found

    async def book(self, worker: int, slot: dict[str, Any]) -> dict[str, Any]:
        return await self.slots.book(self.f, self.workers[worker], slot["id"], op())

    async def line(self, booth: int = 0) -> list[str]:
        """Worker ids of the booth's line, in order."""
        ids = await self.redis.zrange(keys.queue_line(self.f, self.b(booth)), 0, -1)
        raws = await self.redis.hmget(keys.queue_entries(self.f), ids) if ids else []
        return [json.loads(r)["worker_id"] for r in raws]

    async def audit(self, action: str) -> list[dict[str, str]]:
        records = await self.redis.xrange(keys.queue_audit(self.f))
        return [fields for _, fields in records if fields["action"] == action]


async def build(
    redis: Redis, fairs: Fairs, people: People, workers: int = 4, limits: SlotLimits | None = None
) -> Booths:
    scripts = Scripts(redis)
    now = datetime.now(UTC)
    fair = await fairs.create_fair(
        FairInput(
            title="Phiên giao dịch việc làm",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=6),
        )
    )
    booths = [await fairs.create_booth(fair.id, BoothInput(employer=f"Công ty {c}")) for c in "ABC"]
    return Booths(
        slots=Slots(redis, scripts, limits),
        queue=Queue(redis, scripts),
        fair=fair,
        booths=booths,
        recruiters=[await people.add_recruiter(fair.id, b.id, "Tuyển dụng") for b in booths],
        moderator=await people.add_moderator(fair.id, "Điều hành"),
        workers=[
            await people.register_worker(fair.id, {"name": f"Người {i}", "contact": "0912345678"})
            for i in range(workers)
        ],
        redis=redis,
    )


@pytest.fixture
async def fair(redis: Redis, fairs: Fairs, people: People) -> Booths:
    return await build(redis, fairs, people)


def at(hours: float) -> int:
    """A whole-second Unix time this many hours from now."""
    return int(time.time() + hours * HOUR)


async def until_due(slots: Slots, fair_id: str, item: str, within: float = 6.0) -> None:
    """Waits (polling Redis time, generously for a loaded machine) until `item` is due."""
    end = time.monotonic() + within
    while item not in await slots.due(fair_id):
        assert time.monotonic() < end, f"{item} never came due"
        await asyncio.sleep(0.1)


async def test_staff_publish_slots_and_workers_see_the_places_left(fair: Booths) -> None:
    start = at(1)
    published = await fair.publish(0, start, minutes=15, capacity=2, count=3)
    assert [(s["starts_at"], s["ends_at"], s["left"]) for s in published] == [
        (start + i * 900, start + (i + 1) * 900, 2) for i in range(3)
    ]
    iso = datetime.fromtimestamp(at(2), UTC).astimezone(timezone(timedelta(hours=7))).isoformat()
    form = SlotsInput(starts_at=datetime.fromisoformat(iso), minutes=20, capacity=1)
    by_moderator = await fair.slots.publish(fair.f, fair.moderator, fair.b(0), form, op())
    await fair.book(0, published[1])
    seen = (await fair.slots.of_booth(fair.f, fair.workers[0], fair.b(0)))["slots"]
    assert [(s["left"], s["mine"], "bookings" in s) for s in seen] == [
        (2, False, False),
        (1, True, False),
        (2, False, False),
        (1, False, False),
    ]
    assert seen[3]["id"] == by_moderator["slots"][0]["id"]
    staff = (await fair.slots.of_booth(fair.f, fair.recruiters[0], fair.b(0)))["slots"]
    assert [b["name"] for b in staff[1]["bookings"]] == [fair.workers[0].name]
    other_booth = (await fair.slots.of_booth(fair.f, fair.recruiters[1], fair.b(0)))["slots"]
    assert "bookings" not in other_booth[1]  # another booth's recruiter sees no names
    mine = await fair.slots.mine(fair.f, fair.workers[0])
    assert [s["id"] for s in mine["slots"]] == [published[1]["id"]]


async def test_overlapping_slots_at_one_booth_are_refused_and_nothing_is_stored(
    fair: Booths,
) -> None:
    start = at(2)
    await fair.publish(0, start, minutes=30)
    with pytest.raises(Conflict, match="overlaps"):
        await fair.publish(0, start + 15 * 60, minutes=30)
    with pytest.raises(Conflict, match="overlaps"):  # a batch whose last slot overlaps
        await fair.publish(0, start - 3 * 20 * 60, minutes=20, count=4)
    assert len((await fair.slots.of_booth(fair.f, fair.moderator, fair.b(0)))["slots"]) == 1
    assert len(await fair.publish(0, start - 3 * 20 * 60, minutes=20, count=3)) == 3  # adjacent
    assert len(await fair.publish(1, start, minutes=30)) == 1  # another booth, same time


async def test_malformed_input_is_refused_at_the_door_and_nothing_is_stored(fair: Booths) -> None:
    recruiter, booth = fair.recruiters[0], fair.b(0)
    good = {"booth_id": booth, "starts_at": at(1), "minutes": 15, "capacity": 3, "op": op()}
    assert admit(recruiter, fair.f, "slots.publish", good).booth() == booth
    for bad in (
        {**good, "minutes": 4},
        {**good, "minutes": 121},
        {**good, "capacity": 0},
        {**good, "capacity": 51},
        {**good, "count": 0},
        {**good, "starts_at": "2026-11-26T09:00"},  # no time zone
        {**good, "starts_at": "soon"},
        {**good, "room": "B2"},
        {**good, "op": "bad op"},
        {**good, "op": None},
        {**good, "booth_id": {"$ne": 1}},
        "not an object",
    ):
        with pytest.raises(InvalidInput):
            admit(recruiter, fair.f, "slots.publish", bad)
    with pytest.raises(Forbidden):  # another booth's recruiter, refused before anything is read
        admit(fair.recruiters[1], fair.f, "slots.publish", good)
    with pytest.raises(Forbidden):
        admit(fair.workers[0], fair.f, "slots.publish", good)
    worker = fair.workers[0]
    for bad_slot in ({"slot_id": "s1", "op": None}, {"slot_id": {"$ne": 1}, "op": op()}):
        with pytest.raises(InvalidInput):
            admit(worker, fair.f, "slots.book", bad_slot)
        with pytest.raises(InvalidInput):
            admit(worker, fair.f, "slots.cancel", bad_slot)
    with pytest.raises(Forbidden):  # staff do not book, moderators neither
        admit(recruiter, fair.f, "slots.book", {"slot_id": "s1", "op": op()})
    with pytest.raises(Forbidden):
        admit(fair.moderator, fair.f, "slots.book", {"slot_id": "s1", "op": op()})
    for key in (keys.slots(fair.f), keys.slots_due(fair.f), keys.queue_audit(fair.f)):
        assert await fair.redis.exists(key) == 0


async def test_slots_outside_the_fair_or_in_the_past_are_refused_and_nothing_is_stored(
    fair: Booths,
) -> None:
    recruiter, booth = fair.recruiters[0], fair.b(0)
    good = {"starts_at": at(1), "minutes": 15, "capacity": 3}
    for bad in (
        {**good, "starts_at": at(-2)},  # before the fair opens
        {**good, "starts_at": at(5.9)},  # ends after the fair closes
        {**good, "starts_at": at(5), "count": 5},  # the last one does
    ):
        with pytest.raises(InvalidInput, match="fair's hours"):
            await fair.slots.publish(fair.f, recruiter, booth, SlotsInput.model_validate(bad), op())
    past = SlotsInput.model_validate({**good, "starts_at": at(-0.5)})
    with pytest.raises(InvalidInput, match="future"):
        await fair.slots.publish(fair.f, recruiter, booth, past, op())
    form = SlotsInput.model_validate(good)
    with pytest.raises(NotFound):
        await fair.slots.publish(fair.f, fair.moderator, "nosuchbooth", form, op())
    with pytest.raises(Forbidden):  # another booth's recruiter
        await fair.slots.publish(fair.f, fair.recruiters[1], booth, form, op())
    with pytest.raises(Forbidden):
        await fair.slots.publish(fair.f, fair.workers[0], booth, form, op())
    for key in (keys.slots(fair.f), keys.slots_due(fair.f), keys.queue_audit(fair.f)):
        assert await fair.redis.exists(key) == 0
    (slot,) = await fair.publish(0, at(1))
    with pytest.raises(Forbidden):
        await fair.slots.book(fair.f, fair.recruiters[0], slot["id"], op())
    with pytest.raises(Forbidden):
        await fair.slots.book(fair.f, fair.moderator, slot["id"], op())
    with pytest.raises(NotFound):
        await fair.slots.book(fair.f, fair.workers[0], "nosuchslot", op())
    assert await fair.redis.exists(keys.slot_bookings(fair.f, slot["id"])) == 0


async def test_twenty_concurrent_bookings_of_five_places_book_exactly_five(
    redis: Redis, fairs: Fairs, people: People
) -> None:
    fair = await build(redis, fairs, people, workers=20)
    (slot,) = await fair.publish(0, at(1), capacity=5)
    results = await asyncio.gather(*(fair.book(w, slot) for w in range(20)), return_exceptions=True)
    booked = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, LimitReached)]
    assert (len(booked), len(refused)) == (5, 15)
    assert sorted(r["booked"] for r in booked) == [1, 2, 3, 4, 5]
    assert await redis.hlen(keys.slot_bookings(fair.f, slot["id"])) == 5
    listed = (await fair.slots.of_booth(fair.f, fair.workers[0], fair.b(0)))["slots"]
    assert (listed[0]["booked"], listed[0]["left"]) == (5, 0)


async def test_a_worker_cannot_hold_two_bookings_at_the_same_time_at_any_booth(
    fair: Booths,
) -> None:
    start = at(1)
    (a,) = await fair.publish(0, start, minutes=30)
    (b,) = await fair.publish(1, start + 15 * 60, minutes=30)  # overlaps a
    (c,) = await fair.publish(2, start + 30 * 60, minutes=30)  # right after a
    (d,) = await fair.publish(2, start - 10 * 60, minutes=15)  # overlaps a's start
    await fair.book(0, a)
    with pytest.raises(Conflict, match="Công ty A"):
        await fair.book(0, b)
    with pytest.raises(Conflict):
        await fair.book(0, d)
    with pytest.raises(Conflict, match="already booked this time"):
        await fair.book(0, a)
    assert (await fair.book(0, c))["mine"] is True
    assert (await fair.book(1, b))["booked"] == 1  # someone else may
    # the check and the booking are one step: two overlapping bookings at once, one wins
    results = await asyncio.gather(fair.book(2, b), fair.book(2, c), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "dict"]
    mine = await fair.slots.mine(fair.f, fair.workers[2])
    assert len(mine["slots"]) == 1


async def test_cancelling_frees_the_place(fair: Booths) -> None:
    (slot,) = await fair.publish(0, at(1), capacity=1)
    await fair.book(0, slot)
    with pytest.raises(LimitReached, match="fully booked"):
        await fair.book(1, slot)
    cancelled = await fair.slots.cancel(fair.f, fair.workers[0], slot["id"], op())
    assert (cancelled["left"], cancelled["mine"]) == (1, False)
    with pytest.raises(NotFound, match="not booked"):
        await fair.slots.cancel(fair.f, fair.workers[0], slot["id"], op())
    assert (await fair.book(1, slot))["left"] == 0
    assert (await fair.slots.mine(fair.f, fair.workers[0]))["slots"] == []


async def test_a_retried_booking_has_exactly_one_effect(fair: Booths) -> None:
    (slot,) = await fair.publish(0, at(1))
    same = op()
    first = await fair.slots.book(fair.f, fair.workers[0], slot["id"], same)
    again = await fair.slots.book(fair.f, fair.workers[0], slot["id"], same)
    assert again == first
    assert await fair.redis.hlen(keys.slot_bookings(fair.f, slot["id"])) == 1
    assert len(await fair.audit("slot_book")) == 1


async def test_at_its_time_the_booked_workers_go_to_the_head_of_the_line_once(
    fair: Booths, redis_server: RedisProcess
) -> None:
    walk_up = await fair.queue.join(fair.f, fair.workers[2], fair.b(0), "", op())
    already = await fair.queue.join(fair.f, fair.workers[1], fair.b(0), "", op())
    await fair.queue.join(fair.f, fair.workers[3], fair.b(0), "", op())
    w = [p.id for p in fair.workers]
    assert await fair.line() == [w[2], w[1], w[3]]
    (slot,) = await fair.publish(0, int(time.time()) + 2, minutes=15)  # begins in 1-2 s
    await fair.book(0, slot)
    await fair.book(1, slot)
    await until_due(fair.slots, fair.f, f"start:{slot['id']}")
    # two nodes sweeping at the same moment, each with its own connection
    other = Redis.from_url(redis_server.url.rsplit("/", 1)[0] + "/1", decode_responses=True)
    twin = Slots(other, Scripts(other))
    results = await asyncio.gather(
        fair.slots.start(fair.f, slot["id"]), twin.start(fair.f, slot["id"])
    )
    await other.aclose()
    acted = [r for r in results if "placed" in r]
    assert len(acted) == 1 and len(acted[0]["placed"]) == 2
    assert [r.get("noop") for r in results].count("done") == 1
    assert await fair.line() == [w[0], w[1], w[2], w[3]]  # booked first, in booking order
    moved = await fair.queue.entry(fair.f, already["id"])  # moved, not a second entry
    assert moved["slot_id"] == slot["id"] and moved["state"] == "waiting"
    assert (await fair.queue.entry(fair.f, walk_up["id"]))["state"] == "waiting"
    assert [a["worker"] for a in await fair.audit("slot")] == [w[0], w[1]]
    assert (await fair.slots.start(fair.f, slot["id"]))["noop"] == "done"
    assert f"start:{slot['id']}" not in await fair.slots.due(fair.f)
    with pytest.raises(InvalidState, match="begun"):
        await fair.book(2, slot)
    with pytest.raises(InvalidState, match="begun"):
        await fair.slots.cancel(fair.f, fair.workers[0], slot["id"], op())
    called = await fair.queue.call_next(fair.f, fair.recruiters[0], fair.b(0), op())
    assert called["worker_id"] == w[0]


async def test_a_booked_worker_busy_elsewhere_is_placed_held_behind_earlier_bookings(
    fair: Booths,
) -> None:
    w = [p.id for p in fair.workers]
    await fair.queue.join(fair.f, fair.workers[3], fair.b(0), "", op())
    first = await fair.publish(0, int(time.time()) + 2, minutes=5)
    later = await fair.publish(0, at(1))
    await fair.book(0, first[0])
    await fair.book(1, later[0])
    await until_due(fair.slots, fair.f, f"start:{first[0]['id']}")
    await fair.slots.start(fair.f, first[0]["id"])
    await fair.queue.join(fair.f, fair.workers[1], fair.b(1), "", op())
    await fair.queue.call_next(fair.f, fair.recruiters[1], fair.b(1), op())  # worker 1 is busy
    # the later slot's time, brought forward: its worker goes behind the earlier slot's, who
    # still waits, and ahead of the walk-up
    await fair.redis.zadd(keys.slots_due(fair.f), {f"start:{later[0]['id']}": 0})
    placed = await fair.slots.start(fair.f, later[0]["id"])
    assert await fair.line() == [w[0], w[1], w[3]]
    assert (await fair.queue.entry(fair.f, placed["placed"][0]))["state"] == "held"


async def test_removing_a_slot_cancels_its_bookings_and_tells_the_workers(fair: Booths) -> None:
    (slot,) = await fair.publish(0, at(1))
    await fair.book(0, slot)
    await fair.book(1, slot)
    pubsub = fair.redis.pubsub()
    await pubsub.subscribe(keys.events(fair.f))
    await pubsub.get_message(timeout=1)
    with pytest.raises(Forbidden):
        await fair.slots.remove(fair.f, fair.recruiters[1], slot["id"], op())
    same = op()
    removed = await fair.slots.remove(fair.f, fair.recruiters[0], slot["id"], same)
    assert removed == {"id": slot["id"], "booth_id": fair.b(0), "removed": True, "told": 2}
    assert await fair.slots.remove(fair.f, fair.recruiters[0], slot["id"], same) == removed
    seen = []
    while (m := await pubsub.get_message(timeout=0.5)) is not None:
        seen.append(json.loads(m["data"])["e"])
    await pubsub.aclose()
    told = sorted(e["to"]["user_id"] for e in seen if e["type"] == "slots.booking")
    assert told == sorted(p.id for p in fair.workers[:2])
    changed = [e for e in seen if e["type"] == "slots.changed"]
    assert changed[0]["data"] == {"booth_id": fair.b(0), "removed": [slot["id"]]}
    assert (await fair.slots.of_booth(fair.f, fair.workers[0], fair.b(0)))["slots"] == []
    assert (await fair.slots.mine(fair.f, fair.workers[0]))["slots"] == []
    assert (
        await fair.slots.due(fair.f) == [] and await fair.redis.zcard(keys.slots_due(fair.f)) == 0
    )
    (again,) = await fair.publish(0, slot["starts_at"])  # the time is free again
    assert (await fair.book(0, again))["booked"] == 1  # and so is the worker


async def test_booked_workers_are_reminded_once_before_the_slot(
    redis: Redis, fairs: Fairs, people: People
) -> None:
    fair = await build(redis, fairs, people, limits=SlotLimits(remind_before=2))
    (slot,) = await fair.publish(0, int(time.time()) + 4, minutes=5)  # reminder in 1-2 s
    await fair.book(0, slot)
    pubsub = fair.redis.pubsub()
    await pubsub.subscribe(keys.events(fair.f))
    await pubsub.get_message(timeout=1)
    await until_due(fair.slots, fair.f, f"remind:{slot['id']}")
    told = await asyncio.gather(
        fair.slots.remind(fair.f, slot["id"]), fair.slots.remind(fair.f, slot["id"])
    )
    assert sorted(told) == [0, 1]
    seen = []
    while (m := await pubsub.get_message(timeout=0.5)) is not None:
        seen.append(json.loads(m["data"])["e"])
    await pubsub.aclose()
    assert [(e["type"], e["to"]["user_id"]) for e in seen] == [
        ("slots.reminder", fair.workers[0].id)
    ]
    assert 0 <= seen[0]["data"]["seconds"] <= 2
