"""Interview queues on a real Redis: joining, calling, answering, holds, moderation, deadlines,
presence, idempotent retries, the audit log and the ETA."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from redis.asyncio import Redis

from rooms.commands import admit
from rooms.errors import Conflict, Forbidden, InvalidInput, InvalidState, LimitReached, NotFound
from rooms.fairs import Fairs
from rooms.models import Booth, BoothInput, Fair, Participant
from rooms.people import People
from rooms.queue import Queue, QueueLimits, SettingsInput, WalkInInput
from rooms.queue_views import DEFAULT_INTERVIEW, EtaBasis, QueueViews
from rooms.store import keys
from rooms.store.scripts import Scripts
from tests.clients import FAIR_INPUT, JOB_INPUT

_ops = itertools.count(1)


def op() -> str:
    return f"op{next(_ops)}"


@dataclass
class Line:
    """A fair with three booths, two recruiters, a moderator and five workers."""

    queue: Queue
    views: QueueViews
    fair: Fair
    booths: list[Booth]
    recruiters: list[Participant]
    moderator: Participant
    workers: list[Participant]
    redis: Redis
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def f(self) -> str:
        return self.fair.id

    def b(self, i: int = 0) -> str:
        return self.booths[i].id

    async def join(self, worker: int, booth: int = 0, **kw: Any) -> dict[str, Any]:
        return await self.queue.join(self.f, self.workers[worker], self.b(booth), "", op(), **kw)

    async def call_next(self, booth: int = 0, who: Participant | None = None) -> dict[str, Any]:
        return await self.queue.call_next(
            self.f, who or self.recruiters[booth], self.b(booth), op()
        )

    async def order(self, booth: int = 0) -> list[str]:
        ids: list[str] = await self.redis.zrange(keys.queue_line(self.f, self.b(booth)), 0, -1)
        return ids

    async def state(self, entry_id: str) -> str:
        return str((await self.queue.entry(self.f, entry_id))["state"])


async def build_line(
    redis: Redis, fairs: Fairs, people: People, limits: QueueLimits | None = None
) -> Line:
    scripts = Scripts(redis)
    fair = await fairs.create_fair(FAIR_INPUT)
    booths = [await fairs.create_booth(fair.id, BoothInput(employer=f"Công ty {c}")) for c in "ABC"]
    recruiters = [await people.add_recruiter(fair.id, b.id, f"Recruiter {b.id}") for b in booths]
    workers = [
        await people.register_worker(
            fair.id, {"name": f"Người lao động {i}", "contact": "0912345678"}
        )
        for i in range(5)
    ]
    return Line(
        queue=Queue(redis, scripts, limits),
        views=QueueViews(redis),
        fair=fair,
        booths=booths,
        recruiters=recruiters,
        moderator=await people.add_moderator(fair.id, "Điều hành"),
        workers=workers,
        redis=redis,
    )


@pytest.fixture
async def line(redis: Redis, fairs: Fairs, people: People) -> Line:
    return await build_line(redis, fairs, people)


async def test_workers_join_in_order_and_learn_their_position(line: Line) -> None:
    first = await line.join(0)
    second = await line.join(1)
    assert (first["position"], first["size"], first["state"]) == (1, 1, "waiting")
    assert (second["position"], second["size"]) == (2, 2)
    assert await line.order() == [first["id"], second["id"]]
    mine = await line.views.mine(line.f, line.workers[1].id)
    assert [(m["id"], m["position"], m["size"]) for m in mine] == [(second["id"], 2, 2)]


async def test_a_job_of_another_booth_is_refused_and_nothing_is_stored(
    line: Line, fairs: Fairs
) -> None:
    job = await fairs.create_job(line.f, line.b(1), JOB_INPUT)
    with pytest.raises(NotFound):
        await line.queue.join(line.f, line.workers[0], line.b(0), job.id, op())
    assert await line.order() == []
    joined = await line.queue.join(line.f, line.workers[0], line.b(1), job.id, op())
    assert joined["job_id"] == job.id


async def test_joining_the_same_line_twice_is_a_conflict(line: Line) -> None:
    await line.join(0)
    with pytest.raises(Conflict):
        await line.join(0)
    assert len(await line.order()) == 1


async def test_a_retried_join_has_exactly_one_effect(line: Line) -> None:
    same = op()
    first = await line.queue.join(line.f, line.workers[0], line.b(0), "", same)
    again = await line.queue.join(line.f, line.workers[0], line.b(0), "", same)
    assert again == first
    assert await line.order() == [first["id"]]
    audit = await line.views.audit(line.f)
    assert [a["action"] for a in audit] == ["join"]


async def test_a_retried_call_next_calls_nobody_else(line: Line) -> None:
    a, b = await line.join(0), await line.join(1)
    same = op()
    recruiter = line.recruiters[0]
    first = await line.queue.call_next(line.f, recruiter, line.b(0), same)
    again = await line.queue.call_next(line.f, recruiter, line.b(0), same)
    assert first == again and first["id"] == a["id"]
    assert await line.order() == [b["id"]] and await line.state(b["id"]) == "waiting"


async def test_a_worker_stands_in_at_most_the_fair_limit_of_lines(line: Line, fairs: Fairs) -> None:
    await line.queue.configure(line.f, line.moderator, SettingsInput(lines_per_worker=2), op())
    await line.join(0, 0)
    await line.join(0, 1)
    with pytest.raises(LimitReached):
        await line.join(0, 2)
    assert await line.order(2) == []
    await line.queue.configure(line.f, line.moderator, SettingsInput(lines_per_worker=3), op())
    assert (await line.join(0, 2))["position"] == 1


async def test_a_closed_line_refuses_joins_and_a_full_one_too(line: Line) -> None:
    mod = line.moderator
    await line.queue.change_line(line.f, mod, line.b(0), "cap", 1, op())
    await line.join(0)
    with pytest.raises(LimitReached, match="full"):
        await line.join(1)
    await line.queue.change_line(line.f, mod, line.b(0), "cap", None, op())
    await line.join(1)
    await line.queue.change_line(line.f, mod, line.b(0), "close", None, op())
    with pytest.raises(InvalidState, match="closed"):
        await line.join(2)
    assert len(await line.order()) == 2
    assert (await line.call_next())["worker_id"] == line.workers[0].id  # a closed line drains


async def test_a_paused_line_takes_joins_but_no_calls(line: Line) -> None:
    mod = line.moderator
    await line.queue.change_line(line.f, mod, line.b(0), "pause", None, op())
    joined = await line.join(0)
    with pytest.raises(InvalidState, match="paused"):
        await line.call_next()
    assert await line.state(joined["id"]) == "waiting"
    mine = await line.views.mine(line.f, line.workers[0].id)
    assert mine[0]["eta"] is None and mine[0]["line_state"] == "paused"
    await line.queue.change_line(line.f, mod, line.b(0), "resume", None, op())
    assert (await line.call_next())["id"] == joined["id"]


async def test_a_called_worker_is_held_in_other_lines_and_released_when_free(line: Line) -> None:
    a0, a1 = await line.join(0, 0), await line.join(0, 1)
    b1 = await line.join(1, 1)
    called = await line.call_next(0)
    assert called["id"] == a0["id"] and called["state"] == "called"
    assert await line.state(a1["id"]) == "held"
    assert await line.order(1) == [a1["id"], b1["id"]]  # held keeps the place ...
    assert (await line.call_next(1))["id"] == b1["id"]  # ... but is not called
    with pytest.raises(InvalidState, match="another interview"):
        await line.queue.call(line.f, line.moderator, a1["id"], op())
    late = await line.join(0, 2)
    assert late["state"] == "held"  # joining while called elsewhere: held at once
    await line.queue.decline(line.f, line.workers[0], a0["id"], op())
    assert await line.state(a1["id"]) == "waiting"
    assert await line.state(late["id"]) == "waiting"


async def test_two_callers_never_get_the_same_worker(line: Line) -> None:
    joined = [await line.join(w) for w in range(5)]
    callers = [line.recruiters[0], line.moderator]
    results = await asyncio.gather(*(line.call_next(0, who) for who in callers))
    assert sorted(r["id"] for r in results) == sorted(j["id"] for j in joined[:2])


async def test_staff_have_one_call_at_a_time(line: Line) -> None:
    await line.join(0)
    await line.join(1)
    await line.call_next()
    with pytest.raises(InvalidState, match="already have a call"):
        await line.call_next()


async def test_accepting_makes_an_interview_and_finishing_frees_everyone(line: Line) -> None:
    a0, a1 = await line.join(0, 0), await line.join(0, 1)
    await line.join(1, 0)
    await line.call_next()
    accepted = await line.queue.accept(line.f, line.workers[0], a0["id"], op())
    assert accepted["state"] == "interviewing" and accepted["interview_id"]
    interview = await line.queue.interviews.get(line.f, accepted["interview_id"])
    assert interview["worker_id"] == line.workers[0].id
    assert interview["recruiter_id"] == line.recruiters[0].id and interview["ended_at"] == 0
    assert await line.state(a1["id"]) == "held"
    with pytest.raises(InvalidState, match="already have"):
        await line.call_next()
    await asyncio.sleep(0.05)
    done = await line.queue.finish(line.f, line.recruiters[0], accepted["interview_id"], op())
    assert done["state"] == "done"
    ended = await line.queue.interviews.get(line.f, accepted["interview_id"])
    assert ended["ending"] == "finished" and 0.05 <= ended["duration"] < 5
    assert await line.state(a1["id"]) == "waiting"
    assert (await line.call_next())["worker_id"] == line.workers[1].id
    durations = await line.redis.lrange(keys.queue_durations(line.f, line.b(0)), 0, -1)
    assert len(durations) == 1


async def test_only_the_called_worker_answers_and_not_for_a_walk_in(line: Line) -> None:
    mine = await line.join(0)
    await line.call_next()
    with pytest.raises(Forbidden):
        await line.queue.accept(line.f, line.workers[1], mine["id"], op())
    with pytest.raises(Forbidden):  # staff answer only for walk-ins
        await line.queue.accept(line.f, line.recruiters[0], mine["id"], op())
    with pytest.raises(Forbidden):  # another booth's recruiter
        await line.queue.no_show(line.f, line.recruiters[1], mine["id"], op())
    assert await line.state(mine["id"]) == "called"


async def test_recruiters_serve_only_their_own_booth_and_workers_do_not_serve(line: Line) -> None:
    await line.join(0)
    with pytest.raises(Forbidden):
        await line.queue.call_next(line.f, line.recruiters[1], line.b(0), op())
    with pytest.raises(Forbidden):
        await line.queue.call_next(line.f, line.workers[1], line.b(0), op())
    with pytest.raises(Forbidden):
        await line.queue.change_line(line.f, line.recruiters[0], line.b(0), "pause", None, op())
    with pytest.raises(Forbidden):
        await line.queue.join(line.f, line.recruiters[0], line.b(0), "", op())
    with pytest.raises(Forbidden):  # moderators act for workers, never as one
        await line.queue.join(line.f, line.moderator, line.b(0), "", op())


async def test_a_walk_in_waits_in_the_same_line_and_staff_accept_for_them(line: Line) -> None:
    online = await line.join(0)
    form = WalkInInput(name="Vừ A Dính", phone="0987 654 321")
    walk_in = await line.queue.walk_in(line.f, line.moderator, line.b(0), form, op())
    assert walk_in["walk_in"] is True and walk_in["position"] == 2
    assert await line.order() == [online["id"], walk_in["id"]]
    bad = {"booth_id": line.b(0), "name": "X", "phone": "hi", "op": op()}
    with pytest.raises(InvalidInput, match=r"^phone"):
        admit(line.moderator, line.f, "queue.walk_in", bad)
    assert await line.order() == [online["id"], walk_in["id"]]
    await line.call_next()
    await line.queue.decline(line.f, line.workers[0], online["id"], op())
    called = await line.call_next()
    assert called["id"] == walk_in["id"]
    with pytest.raises(Forbidden):
        await line.queue.accept(line.f, line.workers[0], walk_in["id"], op())
    accepted = await line.queue.accept(line.f, line.recruiters[0], walk_in["id"], op())
    assert accepted["state"] == "interviewing"


async def test_accepting_after_the_countdown_is_refused_and_changes_nothing(
    redis: Redis, fairs: Fairs, people: People
) -> None:
    line = await build_line(redis, fairs, people, QueueLimits(call_seconds=1))
    entry = await line.join(0)
    await line.call_next()
    await asyncio.sleep(1.1)
    with pytest.raises(InvalidState, match="expired"):  # before the sweeper ran
        await line.queue.accept(line.f, line.workers[0], entry["id"], op())
    assert await line.state(entry["id"]) == "called"
    assert await line.queue.due(line.f) == [f"call:{entry['id']}"]
    expired = await line.queue.expire(line.f, entry["id"])
    assert expired["state"] == "no_show"
    assert (await line.queue.expire(line.f, entry["id"]))["noop"] == "no_show"  # idempotent
    with pytest.raises(InvalidState, match="expired"):  # and after it
        await line.queue.accept(line.f, line.workers[0], entry["id"], op())
    assert await line.queue.due(line.f) == []
    await line.join(1)
    assert (await line.call_next())["worker_id"] == line.workers[1].id  # the caller is free


async def test_an_interview_nobody_finishes_is_ended_without_feeding_the_eta(
    redis: Redis, fairs: Fairs, people: People
) -> None:
    line = await build_line(redis, fairs, people, QueueLimits(interview_seconds=1))
    entry = await line.join(0)
    await line.call_next()
    await line.queue.accept(line.f, line.workers[0], entry["id"], op())
    assert await line.queue.due(line.f) == []
    await asyncio.sleep(1.1)
    assert await line.queue.due(line.f) == [f"talk:{entry['id']}"]
    ended = await line.queue.end_interview(line.f, entry["id"])
    interview = await line.queue.interviews.get(line.f, ended["interview_id"])
    assert ended["state"] == "done" and interview["ending"] == "timeout"
    assert await redis.llen(keys.queue_durations(line.f, line.b(0))) == 0


async def test_a_worker_gone_past_the_grace_period_loses_their_places_and_one_back_keeps_them(
    redis: Redis, fairs: Fairs, people: People
) -> None:
    line = await build_line(redis, fairs, people, QueueLimits(presence_lease=0.3))
    await line.queue.configure(line.f, line.moderator, SettingsInput(grace_seconds=1), op())
    gone, back = await line.join(0, 0), await line.join(1, 0)
    gone_too = await line.join(0, 1)
    for _ in range(5):  # worker 1's node keeps vouching for them
        await line.queue.vouch(line.f, [line.workers[1].id])
        await asyncio.sleep(0.3)
    assert await line.queue.due(line.f) == [f"drop:{line.workers[0].id}"]
    assert await line.queue.drop(line.f, line.workers[0].id) == 2
    assert (
        await line.state(gone["id"]) == "dropped" and await line.state(gone_too["id"]) == "dropped"
    )
    assert await line.order() == [back["id"]]
    assert await line.queue.due(line.f) == []
    assert await redis.zscore(keys.queue_seen(line.f), line.workers[0].id) is None  # forgotten


async def test_a_drop_is_refused_when_the_worker_came_back_meanwhile(
    redis: Redis, fairs: Fairs, people: People
) -> None:
    line = await build_line(redis, fairs, people, QueueLimits(presence_lease=0.1))
    await line.queue.configure(line.f, line.moderator, SettingsInput(grace_seconds=1), op())
    entry = await line.join(0)
    await asyncio.sleep(1.2)
    assert await line.queue.due(line.f) == [f"drop:{line.workers[0].id}"]
    await line.queue.vouch(line.f, [line.workers[0].id])  # reconnected before the sweep
    assert await line.queue.drop(line.f, line.workers[0].id) == 0
    assert await line.state(entry["id"]) == "waiting"


async def test_leaving_removing_and_the_states_that_forbid_them(line: Line) -> None:
    a, b, c = await line.join(0), await line.join(1), await line.join(2)
    with pytest.raises(Forbidden):
        await line.queue.leave(line.f, line.workers[1], a["id"], op())
    await line.call_next()
    with pytest.raises(InvalidState, match="accept or decline"):
        await line.queue.leave(line.f, line.workers[0], a["id"], op())
    left = await line.queue.leave(line.f, line.workers[1], b["id"], op())
    assert left["state"] == "left"
    with pytest.raises(InvalidState, match="already ended"):
        await line.queue.leave(line.f, line.workers[1], b["id"], op())
    with pytest.raises(Forbidden):
        await line.queue.remove(line.f, line.recruiters[0], c["id"], op())
    removed = await line.queue.remove(line.f, line.moderator, c["id"], op())
    assert removed["state"] == "removed" and await line.order() == []
    assert await line.views.mine(line.f, line.workers[2].id) == []


async def test_reorder_moves_an_entry_and_keeps_positions_contiguous(line: Line) -> None:
    ids = [(await line.join(w))["id"] for w in range(5)]
    moved = await line.queue.reorder(line.f, line.moderator, ids[4], 1, op())
    assert moved["position"] == 1
    assert await line.order() == [ids[4], *ids[:4]]
    # back and forth between the same neighbours until floats run out: the line renumbers
    for i in range(80):
        await line.queue.reorder(line.f, line.moderator, ids[i % 2], 3, op())
    order = await line.order()
    assert sorted(order) == sorted(ids) and len(order) == 5
    assert await line.views.mine(line.f, line.workers[0].id) != []
    late = await line.join(0, 1)
    assert late["position"] == 1
    fresh = await line.queue.join(
        line.f,
        await _new_worker(line),
        line.b(0),
        "",
        op(),
    )
    assert fresh["position"] == 6  # a join after reorders still goes to the end


async def _new_worker(line: Line) -> Participant:
    people = People(line.redis, line.queue.scripts)
    return await people.register_worker(line.f, {"name": "Mới", "contact": "0900000000"})


async def test_bad_ops_and_ids_are_refused_at_the_door_before_anything_runs(line: Line) -> None:
    worker, booth = line.workers[0], line.b(0)
    for bad in (None, "", "x" * 65, "has space"):
        with pytest.raises(InvalidInput, match=r"^op"):
            admit(worker, line.f, "queue.join", {"booth_id": booth, "op": bad})
    with pytest.raises(InvalidInput, match=r"^op"):
        admit(worker, line.f, "queue.join", {"booth_id": booth})
    assert admit(worker, line.f, "queue.join", {"booth_id": booth, "op": op()}).booth() == booth
    with pytest.raises(InvalidInput, match=r"^booth_id"):
        admit(worker, line.f, "queue.join", {"booth_id": "", "op": op()})
    for bad_id in ({"$ne": 1}, "x" * 33, "a/b", 7):
        with pytest.raises(InvalidInput, match=r"^booth_id"):
            admit(worker, line.f, "queue.join", {"booth_id": bad_id, "op": op()})
        with pytest.raises(InvalidInput, match=r"^job_id"):
            admit(worker, line.f, "queue.join", {"booth_id": booth, "job_id": bad_id, "op": op()})
    with pytest.raises(InvalidInput, match=r"^entry_id"):
        admit(worker, line.f, "queue.leave", {"entry_id": {"$ne": 1}, "op": op()})
    with pytest.raises(InvalidInput):
        admit(worker, line.f, "queue.join", {"booth_id": booth, "op": op(), "extra": 1})
    with pytest.raises(InvalidInput):
        admit(worker, line.f, "queue.join", [booth, op()])
    mod = line.moderator
    with pytest.raises(InvalidInput, match=r"^call_seconds"):
        admit(mod, line.f, "queue.configure", {"call_seconds": 0, "op": op()})
    for position in (0, -1, True, "2", 1.5):
        with pytest.raises(InvalidInput, match=r"^position"):
            admit(
                mod, line.f, "queue.reorder", {"entry_id": "e1", "position": position, "op": op()}
            )
    for cap in (0, 100_001, True, "5"):
        with pytest.raises(InvalidInput, match=r"^cap"):
            admit(mod, line.f, "queue.cap", {"booth_id": booth, "cap": cap, "op": op()})
    with pytest.raises(NotFound):  # a well-formed id the fair does not have: the domain says so
        await line.queue.join(line.f, worker, "nosuchbooth", "", op())
    assert await line.redis.exists(keys.queue_entries(line.f)) == 0
    assert await line.redis.exists(keys.queue_audit(line.f)) == 0


async def test_every_action_is_in_the_audit_log_with_who_and_when(line: Line) -> None:
    entry = await line.join(0)
    await line.call_next()
    await line.queue.no_show(line.f, line.recruiters[0], entry["id"], op())
    await line.queue.change_line(line.f, line.moderator, line.b(0), "pause", None, op())
    audit = await line.views.audit(line.f, line.b(0))
    assert [a["action"] for a in audit] == ["pause", "no_show", "call", "join"]
    assert [a["actor"] for a in audit] == [
        line.moderator.id,
        line.recruiters[0].id,
        line.recruiters[0].id,
        line.workers[0].id,
    ]
    assert all(a["at"] > 0 and a["id"] for a in audit)


async def test_a_call_tells_the_worker_and_a_change_notifies_nodes(line: Line) -> None:
    entry = await line.join(0)
    pubsub = line.redis.pubsub()
    await pubsub.subscribe(keys.events(line.f))
    await pubsub.get_message(timeout=1)
    await line.call_next()
    seen = []
    while (m := await pubsub.get_message(timeout=0.5)) is not None:
        seen.append(json.loads(m["data"])["e"])
    await pubsub.aclose()
    changed = [e for e in seen if e["type"] == "queue.changed"]
    told = [e for e in seen if e["type"] == "queue.entry"]
    assert changed[0]["data"]["booth_id"] == line.b(0)
    assert told[0]["to"] == {"kind": "user", "user_id": line.workers[0].id}
    assert told[0]["data"]["id"] == entry["id"] and told[0]["data"]["seconds"] == 60


async def test_the_staff_view_shows_the_line_the_calls_and_the_outcomes(line: Line) -> None:
    a, b, c = await line.join(0), await line.join(1), await line.join(2)
    await line.call_next()
    await line.queue.decline(line.f, line.workers[0], a["id"], op())
    await line.call_next()
    view = await line.views.view(line.f, line.b(0))
    assert view["size"] == 1 and [e["id"] for e in view["line"]] == [c["id"]]
    assert view["line"][0]["name"] == line.workers[2].name and view["line"][0]["position"] == 1
    assert [(e["id"], e["state"]) for e in view["active"]] == [(b["id"], "called")]
    assert [(e["id"], e["state"]) for e in view["recent"]] == [(a["id"], "declined")]


def test_the_eta_is_a_range_from_measured_durations_and_serving_staff() -> None:
    nothing = EtaBasis.of([], 0)
    assert nothing.servers == 1 and nothing.range(1) == [0, DEFAULT_INTERVIEW]
    assert nothing.range(3) == [2 * DEFAULT_INTERVIEW, 3 * DEFAULT_INTERVIEW]
    measured = EtaBasis.of(["60", "120", "180", "240", "600"], 2)
    assert (measured.low, measured.high) == (120, 240)
    assert measured.range(5) == [240, 720]  # 4 ahead, 2 serving: 2-3 rounds of 2-4 minutes
    long_line = EtaBasis.of(["300"] * 5, 1).range(500)
    assert long_line[1] > 30 * 60  # no "30 min" cap


async def test_before_any_measured_interview_the_eta_is_the_booths_planned_length(
    line: Line, fairs: Fairs
) -> None:
    await fairs.update_booth(line.f, line.b(0), {"slot_minutes": 20})
    await line.join(0)
    await line.join(1)
    mine = await line.views.mine(line.f, line.workers[1].id)
    assert mine[0]["eta"] == [20 * 60, 2 * 20 * 60]  # one ahead: 20 to 40 minutes
    view = await line.views.view(line.f, line.b(0))
    assert view["eta"]["typical"] == [20 * 60, 20 * 60]
    snapshot = await line.views.line(line.f, line.b(0))
    assert snapshot.basis.range(2) == [20 * 60, 2 * 20 * 60]
