"""A booth reads a worker's dossier only if the worker said yes to that booth: the answer travels
with the join or the booking, is recorded in the same script (or not at all, when the join or the
booking is refused), is remembered per booth, and a retried op records it once."""

from __future__ import annotations

import json

import pytest
from redis.asyncio import Redis

from rooms.commands import admit
from rooms.dossiers import Consent, DossierInput, Dossiers
from rooms.errors import Forbidden, InvalidInput, LimitReached, NotFound
from rooms.fairs import Fairs
from rooms.people import People
from rooms.queue import SettingsInput, WalkInInput
from rooms.store import keys
from rooms.store.scripts import Scripts
from tests.rooms import test_slots
from tests.rooms.test_queue import Line, build_line, op
from tests.rooms.test_slots import Booths, at


@pytest.fixture
async def line(redis: Redis, fairs: Fairs, people: People) -> Line:
    built = await build_line(redis, fairs, people)
    dossiers = Dossiers(redis, Scripts(redis))
    for worker in built.workers:
        await dossiers.save(built.f, worker, DossierInput(name=worker.name, contact="0912345678"))
    built.extra["dossiers"] = dossiers
    return built


def dossiers_of(line: Line) -> Dossiers:
    found: Dossiers = line.extra["dossiers"]
    return found


async def readable(line: Line, recruiter: int, worker: int = 0) -> bool:
    """Whether booth `recruiter`'s recruiter may read worker `worker`'s dossier."""
    try:
        await dossiers_of(line).readable_by(
            line.f, line.recruiters[recruiter], line.workers[worker].id
        )
    except Forbidden:
        return False
    return True


async def test_a_join_without_an_answer_shares_nothing_and_records_nothing(line: Line) -> None:
    await line.join(0, booth=0)
    assert not await readable(line, 0)
    consent = await dossiers_of(line).consent(line.f, line.workers[0].id)
    assert consent == Consent(shared_with=[], declined=[])  # not asked: the page asks next time


async def test_a_join_that_declines_keeps_the_dossier_from_the_booth(line: Line) -> None:
    await line.join(0, booth=0, share=False)
    assert not await readable(line, 0)
    consent = await dossiers_of(line).consent(line.f, line.workers[0].id)
    assert consent == Consent(shared_with=[], declined=[line.b(0)])


async def test_a_join_that_shares_lets_only_that_booth_read_the_dossier(line: Line) -> None:
    await line.join(0, booth=0, share=True)
    assert await readable(line, 0)
    assert not await readable(line, 1)  # another booth's recruiter
    assert not await readable(line, 0, worker=1)  # another worker's dossier
    read = await dossiers_of(line).readable_by(line.f, line.moderator, line.workers[0].id)
    assert read.worker_id == line.workers[0].id  # the fair's moderators read every dossier


async def test_the_answer_is_remembered_per_booth_until_the_worker_changes_it(line: Line) -> None:
    worker = line.workers[0]
    entry = await line.join(0, booth=0, share=True)
    await line.join(0, booth=1, share=False)
    await line.queue.leave(line.f, worker, entry["id"], op())
    await line.join(0, booth=0)  # joining again without an answer: the "yes" stands
    assert await readable(line, 0) and not await readable(line, 1)

    await dossiers_of(line).choose(line.f, worker.id, line.b(0), share=False)  # withdrawn
    assert not await readable(line, 0)
    consent = await dossiers_of(line).consent(line.f, worker.id)
    assert consent == Consent(shared_with=[], declined=sorted([line.b(0), line.b(1)]))
    await dossiers_of(line).choose(line.f, worker.id, line.b(1), share=True)
    assert await readable(line, 1)


async def test_an_answer_for_a_booth_that_does_not_exist_is_refused(line: Line) -> None:
    for share in (True, False):
        with pytest.raises(NotFound):
            await dossiers_of(line).choose(line.f, line.workers[0].id, "nosuchbooth", share)
    assert await dossiers_of(line).consent(line.f, line.workers[0].id) == Consent([], [])


async def test_a_no_at_a_later_join_withdraws_an_earlier_yes(line: Line) -> None:
    entry = await line.join(0, booth=0, share=True)
    await line.queue.leave(line.f, line.workers[0], entry["id"], op())
    await line.join(0, booth=0, share=False)
    assert not await readable(line, 0)


async def test_a_retried_join_records_the_answer_exactly_once(line: Line) -> None:
    worker, same = line.workers[0], op()
    first = await line.queue.join(line.f, worker, line.b(0), "", same, share=True)
    await dossiers_of(line).choose(line.f, worker.id, line.b(0), share=False)  # then withdrawn
    again = await line.queue.join(line.f, worker, line.b(0), "", same, share=True)
    assert again == first  # the first result, and no second effect:
    assert not await readable(line, 0)
    assert await line.order() == [first["id"]]


async def test_a_refused_join_records_no_answer(line: Line) -> None:
    await line.queue.configure(line.f, line.moderator, SettingsInput(lines_per_worker=1), op())
    await line.join(0, booth=0)
    with pytest.raises(LimitReached):
        await line.join(0, booth=1, share=True)
    assert not await readable(line, 1)
    assert await dossiers_of(line).consent(line.f, line.workers[0].id) == Consent([], [])


async def test_an_answer_that_is_not_a_boolean_is_refused_and_nothing_is_stored(
    line: Line,
) -> None:
    for bad in ("yes", 1, "true"):
        data = {"booth_id": line.b(0), "op": op(), "share": bad}
        with pytest.raises(InvalidInput, match="share"):
            admit(line.workers[0], line.f, "queue.join", data)
    assert await line.order() == []
    assert await dossiers_of(line).consent(line.f, line.workers[0].id) == Consent([], [])


async def test_a_walk_in_shares_no_dossier(line: Line) -> None:
    walk_in = await line.queue.walk_in(
        line.f,
        line.moderator,
        line.b(0),
        WalkInInput(name="Khách vãng lai", phone="0912345678"),
        op(),
    )
    for key in (keys.dossier_shares, keys.dossier_declined):
        assert await line.redis.exists(key(line.f, walk_in["worker_id"])) == 0


async def test_a_changed_answer_is_announced_to_the_worker_and_the_booth(line: Line) -> None:
    async with line.redis.pubsub() as channel:
        await channel.subscribe(keys.events(line.f))
        await line.join(0, booth=0, share=True)
        entry = await line.join(1, booth=0)
        await line.queue.leave(line.f, line.workers[1], entry["id"], op())
        await line.join(1, booth=0)  # no answer, nothing changed: no notice
        seen = []
        while (message := await channel.get_message(timeout=0.5)) is not None:
            event = json.loads(message["data"])["e"] if message["type"] == "message" else {}
            if event.get("type") == "dossier.shares":
                seen.append((event["to"], event["data"]))
    data = {"worker_id": line.workers[0].id, "booth_id": line.b(0), "shared": True}
    assert seen == [
        ({"kind": "user", "user_id": line.workers[0].id}, data),
        ({"kind": "booth_staff", "booth_id": line.b(0)}, data),
    ]


# --- booked interview times ------------------------------------------------------------------


@pytest.fixture
async def fair(redis: Redis, fairs: Fairs, people: People) -> Booths:
    return await test_slots.build(redis, fairs, people)


async def test_a_booking_records_the_answer_and_a_retry_records_it_once(fair: Booths) -> None:
    dossiers = Dossiers(fair.redis, Scripts(fair.redis))
    worker = fair.workers[0]
    await dossiers.save(fair.f, worker, DossierInput(name=worker.name, contact="0912345678"))
    (shared_slot,) = await fair.publish(1, at(1))
    (declined_slot,) = await fair.publish(2, at(2))
    same = op()
    first = await fair.slots.book(fair.f, worker, shared_slot["id"], same, share=True)
    assert (await dossiers.readable_by(fair.f, fair.recruiters[1], worker.id)).worker_id
    await fair.slots.book(fair.f, worker, declined_slot["id"], op(), share=False)
    with pytest.raises(Forbidden):
        await dossiers.readable_by(fair.f, fair.recruiters[2], worker.id)

    await dossiers.choose(fair.f, worker.id, fair.b(1), share=False)
    again = await fair.slots.book(fair.f, worker, shared_slot["id"], same, share=True)
    assert again == first
    assert await dossiers.consent(fair.f, worker.id) == Consent([], sorted([fair.b(1), fair.b(2)]))


async def test_a_booking_without_an_answer_or_refused_records_nothing(fair: Booths) -> None:
    dossiers = Dossiers(fair.redis, Scripts(fair.redis))
    (slot,) = await fair.publish(0, at(1), capacity=1)
    await fair.book(0, slot)  # no answer given
    with pytest.raises(LimitReached):  # full
        await fair.slots.book(fair.f, fair.workers[1], slot["id"], op(), share=True)
    for worker in fair.workers[:2]:
        assert await dossiers.consent(fair.f, worker.id) == Consent([], [])
