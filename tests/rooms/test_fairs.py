"""Fairs, booths and jobs on a real Redis: validation, atomic changes, events, snapshots."""

from __future__ import annotations

import asyncio
import json

import pytest
from redis.asyncio import Redis

from rooms.errors import InvalidInput, NotFound
from rooms.fairs import Fairs
from rooms.store import keys
from tests.clients import FAIR, JOB


async def test_a_created_fair_is_listed_and_read_back(fairs: Fairs) -> None:
    fair = await fairs.create_fair(FAIR)
    assert [f.id for f in await fairs.list_fairs()] == [fair.id]
    assert (await fairs.get_fair(fair.id)).title == FAIR["title"]


@pytest.mark.parametrize(
    "bad",
    [
        {**FAIR, "title": ""},
        {**FAIR, "ends_at": FAIR["starts_at"]},
        {**FAIR, "language": "fr"},
        {**FAIR, "unexpected": 1},
        {**FAIR, "title": "x" * 121},
    ],
)
async def test_invalid_fair_input_is_refused_and_nothing_is_stored(
    fairs: Fairs, redis: Redis, bad: dict[str, object]
) -> None:
    with pytest.raises(InvalidInput):
        await fairs.create_fair(bad)
    assert await redis.dbsize() == 0


async def test_a_job_for_a_missing_booth_is_refused_and_nothing_is_stored(
    fairs: Fairs, redis: Redis
) -> None:
    fair = await fairs.create_fair(FAIR)
    with pytest.raises(NotFound):
        await fairs.create_job(fair.id, "no-such-booth", JOB)
    assert await redis.hlen(keys.jobs(fair.id)) == 0


async def test_salary_range_must_not_be_inverted(fairs: Fairs) -> None:
    fair = await fairs.create_fair(FAIR)
    booth = await fairs.create_booth(fair.id, {"employer": "A"})
    job = await fairs.create_job(fair.id, booth.id, JOB)
    with pytest.raises(InvalidInput, match="salary_max_vnd"):
        await fairs.update_job(fair.id, job.id, {"salary_max_vnd": 1})
    assert (await fairs.get_job(fair.id, job.id)).salary_max_vnd == JOB["salary_max_vnd"]


async def test_concurrent_edits_of_different_fields_are_all_kept(fairs: Fairs) -> None:
    fair = await fairs.create_fair(FAIR)
    booth = await fairs.create_booth(fair.id, {"employer": "A"})
    job = await fairs.create_job(fair.id, booth.id, JOB)
    await asyncio.gather(
        fairs.update_job(fair.id, job.id, {"openings": 99}),
        fairs.update_job(fair.id, job.id, {"location": "Lai Châu"}),
        fairs.update_job(fair.id, job.id, {"requirements": "biết đọc"}),
        fairs.update_booth(fair.id, booth.id, {"description": "d"}),
        fairs.update_booth(fair.id, booth.id, {"employer": "B"}),
    )
    stored = await fairs.get_job(fair.id, job.id)
    assert (stored.openings, stored.location, stored.requirements) == (99, "Lai Châu", "biết đọc")
    booth_now = await fairs.get_booth(fair.id, booth.id)
    assert (booth_now.employer, booth_now.description) == ("B", "d")


async def test_id_and_booth_of_a_job_cannot_be_changed(fairs: Fairs) -> None:
    fair = await fairs.create_fair(FAIR)
    booth = await fairs.create_booth(fair.id, {"employer": "A"})
    job = await fairs.create_job(fair.id, booth.id, JOB)
    for field in ("id", "booth_id"):
        with pytest.raises(InvalidInput, match="cannot be changed"):
            await fairs.update_job(fair.id, job.id, {field: "other"})


async def test_each_change_is_published_with_the_next_revision(fairs: Fairs, redis: Redis) -> None:
    fair = await fairs.create_fair(FAIR)
    pubsub = redis.pubsub()
    await pubsub.subscribe(keys.events(fair.id))
    await pubsub.get_message(timeout=1)  # the subscribe confirmation
    booth = await fairs.create_booth(fair.id, {"employer": "A"})
    job = await fairs.create_job(fair.id, booth.id, JOB)
    await fairs.delete_job(fair.id, job.id)
    published = []
    for _ in range(3):
        message = await pubsub.get_message(timeout=2, ignore_subscribe_messages=True)
        assert message is not None
        published.append(json.loads(message["data"]))
    await pubsub.aclose()
    assert [p["e"]["type"] for p in published] == ["booth.created", "job.created", "job.deleted"]
    revs = [p["rev"] for p in published]
    assert revs == [revs[0], revs[0] + 1, revs[0] + 2]
    assert (await fairs.snapshot(fair.id))["rev"] == revs[-1]


async def test_snapshot_holds_booths_and_jobs_in_creation_order(fairs: Fairs) -> None:
    fair = await fairs.create_fair(FAIR)
    booths = [await fairs.create_booth(fair.id, {"employer": f"E{i}"}) for i in range(5)]
    for booth in booths:
        await fairs.create_job(fair.id, booth.id, JOB)
    snap = await fairs.snapshot(fair.id)
    assert [b["id"] for b in snap["booths"]] == [b.id for b in booths]
    assert [j["booth_id"] for j in snap["jobs"]] == [b.id for b in booths]


async def test_snapshot_of_a_missing_fair_is_not_found(fairs: Fairs) -> None:
    with pytest.raises(NotFound):
        await fairs.snapshot("nope")
