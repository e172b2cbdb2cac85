"""Polls and quizzes over the fair websocket of a real node: hosts per channel, one answer per
person, a quiz's deadline and its reproducible draw, and the facts the report reads."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from rooms.models import Participant
from rooms.people import People
from rooms.polls import draw
from rooms.store import keys
from tests.clients import Client, Fixture

QUIZ = {"text": "Lương tối thiểu vùng I năm 2026?", "options": ["4,96 triệu", "5,31 triệu"]}


async def polling(fx: Fixture, who: Participant, channel: str) -> Client:
    ws = await (await fx.session(who)).ws(fx.fair.id)
    await ws.recv()  # welcome
    client = Client(ws)
    listed = await client.request("poll.list", {"channel": channel})
    assert listed["type"] == "ack", listed
    return client


async def workers(fx: Fixture, people: People, n: int) -> list[Participant]:
    return [
        await people.register_worker(fx.fair.id, {"name": f"Người {i}", "contact": "0911111111"})
        for i in range(n)
    ]


async def test_only_a_channels_staff_open_polls_there(fx: Fixture) -> None:
    ask = {"channel": fx.booth_a.id, "text": "Ca nào?", "options": ["Sáng", "Chiều"]}
    refused = [
        await (await polling(fx, who, fx.booth_a.id)).request("poll.create", ask)
        for who in (fx.worker, fx.recruiter_b)
    ]
    on_stage = await (await polling(fx, fx.recruiter_a, "stage")).request(
        "poll.create", {**ask, "channel": "stage"}
    )
    made = await (await polling(fx, fx.recruiter_a, fx.booth_a.id)).request("poll.create", ask)
    by_moderator = await (await polling(fx, fx.moderator, "stage")).request(
        "poll.create", {**ask, "channel": "stage"}
    )
    assert [r["code"] for r in refused] == ["forbidden", "forbidden"]
    assert on_stage["code"] == "forbidden"
    assert made["type"] == "ack" and made["data"]["kind"] == "poll"
    assert by_moderator["type"] == "ack" and by_moderator["data"]["channel"] == "stage"


async def test_an_answer_counts_once_and_watchers_see_the_results_live(
    fx: Fixture, people: People
) -> None:
    host = await polling(fx, fx.recruiter_a, fx.booth_a.id)
    watcher = await polling(fx, fx.worker, fx.booth_a.id)
    made = await host.request(
        "poll.create",
        {"channel": fx.booth_a.id, "text": "Ca nào?", "options": ["Sáng", "Chiều"], "op": "p1"},
    )
    again = await host.request(
        "poll.create",
        {"channel": fx.booth_a.id, "text": "Ca nào?", "options": ["Sáng", "Chiều"], "op": "p1"},
    )
    poll_id = made["data"]["id"]
    opened = await watcher.event("poll.changed")
    first = await watcher.request("poll.answer", {"poll_id": poll_id, "option": 1})
    second = await watcher.request("poll.answer", {"poll_id": poll_id, "option": 0})
    results = await watcher.event("poll.results")
    listed = await watcher.request("poll.list", {"channel": fx.booth_a.id})
    assert again["data"]["id"] == poll_id  # a retried create opens nothing more
    assert opened["data"]["id"] == poll_id and opened["data"]["correct"] is None
    assert first["data"] == {"id": poll_id, "option": 1, "counted": True, "total": 1}
    assert second["data"] == {"id": poll_id, "option": 1, "counted": False, "total": 1}
    assert results["data"] == {
        "channel": fx.booth_a.id,
        "id": poll_id,
        "counts": {"1": 1},
        "total": 1,
    }
    assert listed["data"]["polls"][0]["counts"] == [0, 1]
    assert listed["data"]["polls"][0]["answer"] == 1


async def test_a_person_muted_in_the_qa_cannot_answer(fx: Fixture) -> None:
    host = await polling(fx, fx.moderator, "stage")
    made = await host.request("poll.create", {"channel": "stage", **QUIZ})
    muted = await host.request("qa.mute", {"user_id": fx.worker.id})
    worker = await polling(fx, fx.worker, "stage")
    refused = await worker.request("poll.answer", {"poll_id": made["data"]["id"], "option": 0})
    assert muted["type"] == "ack"
    assert refused["code"] == "forbidden"


async def test_answers_after_a_quizs_deadline_are_refused(fx: Fixture, people: People) -> None:
    host = await polling(fx, fx.recruiter_a, fx.booth_a.id)
    early, late = await workers(fx, people, 2)
    made = await host.request(
        "poll.create", {"channel": fx.booth_a.id, **QUIZ, "correct": 1, "seconds": 1}
    )
    poll_id = made["data"]["id"]
    in_time = await (await polling(fx, early, fx.booth_a.id)).request(
        "poll.answer", {"poll_id": poll_id, "option": 1}
    )
    late_client = await polling(fx, late, fx.booth_a.id)
    await asyncio.sleep(max(0.0, made["data"]["closes_at"] - made["data"]["created_at"]) + 0.3)
    refused = await late_client.request("poll.answer", {"poll_id": poll_id, "option": 1})
    listed = await late_client.request("poll.list", {"channel": fx.booth_a.id})
    assert made["data"]["correct"] == 1  # the host sees it
    assert in_time["data"]["counted"] is True
    assert refused["type"] == "error" and refused["code"] == "poll_closed"
    assert listed["data"]["polls"][0]["total"] == 1
    assert listed["data"]["polls"][0]["correct"] is None  # not closed yet: attendees wait


async def test_a_quiz_draw_is_reproducible_from_its_seed_and_recorded_in_the_report(
    fx: Fixture, people: People, redis: Redis
) -> None:
    host = await polling(fx, fx.moderator, "stage")
    made = await host.request(
        "poll.create", {"channel": "stage", **QUIZ, "correct": 0, "seconds": 60}
    )
    poll_id = made["data"]["id"]
    people_ = await workers(fx, people, 8)
    for i, who in enumerate(people_):
        client = await polling(fx, who, "stage")
        answered = await client.request("poll.answer", {"poll_id": poll_id, "option": i % 2})
        assert answered["data"]["counted"] is True
    watcher = await polling(fx, fx.worker, "stage")
    drawn = await host.request("poll.draw", {"poll_id": poll_id, "winners": 2})
    announced = await watcher.event("poll.changed", lambda d: d["winners"] is not None)
    redrawn = await host.request("poll.draw", {"poll_id": poll_id, "winners": 3})
    facts = await redis.xrange(keys.facts(fx.fair.id))
    correct = [w.id for i, w in enumerate(people_) if i % 2 == 0]
    seed = drawn["data"]["seed"]
    winners = [w["id"] for w in drawn["data"]["winners"]]
    assert drawn["data"]["state"] == "closed" and drawn["data"]["candidates"] == 4
    assert winners == draw(seed, correct, 2) == draw(seed, reversed(correct), 2)
    assert {w["name"] for w in drawn["data"]["winners"]} <= {w.name for w in people_}
    assert announced["data"]["winners"] == drawn["data"]["winners"]
    assert announced["data"]["correct"] == 0  # closed: everyone sees the answer
    assert (
        redrawn["data"]["seed"] == seed and redrawn["data"]["winners"] == drawn["data"]["winners"]
    )
    recorded = [f for _, f in facts if "draw" in f]
    assert recorded == [{"draw": "\t".join(["stage", poll_id, seed, "4", ",".join(winners)])}]
    assert sum("pans" in f for _, f in facts) == 8
    report = await (await fx.session(fx.moderator)).http.get(f"/api/fairs/{fx.fair.id}/report")
    assert report.json()["polls"] == [
        {
            "poll_id": poll_id,
            "channel": "stage",
            "kind": "quiz",
            "answers": 8,
            "counts": [4, 4],
            "closed": True,
            "correct_answers": 4,
            "winners": 2,
            "seed": seed,
        }
    ]
