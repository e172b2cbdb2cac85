"""Fairs, booths and jobs on a real Redis: malformed input refused at the door, edits validated
once merged with what is stored, who may edit a job, atomic changes, events, snapshots."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from rooms.commands import admit_write
from rooms.errors import Forbidden, InvalidInput, NotFound
from rooms.fairs import Fairs
from rooms.models import Booth, BoothInput, Fair, Job, Participant
from rooms.people import People
from rooms.store import keys
from rooms.store.records import new_id
from tests.clients import FAIR, FAIR_INPUT, JOB, JOB_INPUT


@dataclass
class Posted:
    fair: Fair
    booth: Booth
    job: Job
    recruiter: Participant  # of the job's booth


@pytest.fixture
async def posted(fairs: Fairs, people: People) -> Posted:
    """A fair with one booth, its recruiter and one job posting."""
    fair = await fairs.create_fair(FAIR_INPUT)
    booth = await fairs.create_booth(fair.id, BoothInput(employer="A"))
    job = await fairs.create_job(fair.id, booth.id, JOB_INPUT)
    recruiter = await people.add_recruiter(fair.id, booth.id, "Tuyển dụng")
    return Posted(fair, booth, job, recruiter)


async def test_a_created_fair_is_listed_and_read_back(fairs: Fairs) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
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
async def test_invalid_fair_input_is_refused_at_the_door_and_nothing_is_stored(
    people: People, redis: Redis, bad: dict[str, object]
) -> None:
    staff, _ = await people.ensure_staff("Staff")
    stored = await redis.dbsize()
    with pytest.raises(InvalidInput):
        admit_write(staff, None, "fair.create", bad)
    assert await redis.dbsize() == stored
    assert admit_write(staff, None, "fair.create", FAIR).model_dump() == FAIR_INPUT.model_dump()


@pytest.mark.parametrize(
    ("command", "bad"),
    [
        ("booth.create", {"employer": ""}),
        ("booth.create", {"slot_minutes": 2}),
        ("booth.create", {"logo": "../../etc/passwd"}),
        ("job.create", {"salary_max_vnd": JOB_INPUT.salary_min_vnd - 1}),
        ("job.create", {"openings": 0}),
        ("job.create", {"title": " "}),
        ("job.create", {"unexpected": 1}),
    ],
)
async def test_invalid_booth_and_job_input_is_refused_at_the_door(
    posted: Posted, people: People, command: str, bad: dict[str, object]
) -> None:
    fair = posted.fair.id
    moderator = await people.add_moderator(fair, "Điều hành")
    good = {"employer": "B"} if command == "booth.create" else {**JOB, "booth_id": posted.booth.id}
    admit_write(moderator, fair, command, good)  # well formed, the same input passes
    with pytest.raises(InvalidInput):
        admit_write(moderator, fair, command, {**good, **bad})


async def test_a_job_for_a_missing_booth_is_refused_and_nothing_is_stored(
    fairs: Fairs, redis: Redis
) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    with pytest.raises(NotFound):
        await fairs.create_job(fair.id, "no-such-booth", JOB_INPUT)
    assert await redis.hlen(keys.jobs(fair.id)) == 0


async def test_an_edit_must_not_invert_the_salary_range(fairs: Fairs, posted: Posted) -> None:
    fair, job, recruiter = posted.fair.id, posted.job.id, posted.recruiter
    with pytest.raises(InvalidInput, match="salary_max_vnd"):
        await fairs.update_job(fair, recruiter, job, {"salary_max_vnd": 1})
    assert (await fairs.get_job(fair, job)).salary_max_vnd == JOB["salary_max_vnd"]


async def test_concurrent_edits_of_different_fields_are_all_kept(
    fairs: Fairs, posted: Posted
) -> None:
    fair, booth, job, recruiter = posted.fair.id, posted.booth.id, posted.job.id, posted.recruiter
    await asyncio.gather(
        fairs.update_job(fair, recruiter, job, {"openings": 99}),
        fairs.update_job(fair, recruiter, job, {"location": "Lai Châu"}),
        fairs.update_job(fair, recruiter, job, {"requirements": "biết đọc"}),
        fairs.update_booth(fair, booth, {"description": "d"}),
        fairs.update_booth(fair, booth, {"employer": "B"}),
    )
    stored = await fairs.get_job(fair, job)
    assert (stored.openings, stored.location, stored.requirements) == (99, "Lai Châu", "biết đọc")
    booth_now = await fairs.get_booth(fair, booth)
    assert (booth_now.employer, booth_now.description) == ("B", "d")


async def test_id_and_booth_of_a_job_cannot_be_changed(fairs: Fairs, posted: Posted) -> None:
    for field in ("id", "booth_id"):
        with pytest.raises(InvalidInput, match="cannot be changed"):
            await fairs.update_job(posted.fair.id, posted.recruiter, posted.job.id, {field: "x"})
    assert await fairs.get_job(posted.fair.id, posted.job.id) == posted.job


async def test_only_the_jobs_booth_and_the_fairs_staff_may_edit_or_take_it_down(
    fairs: Fairs, people: People, posted: Posted
) -> None:
    fair, job = posted.fair.id, posted.job.id
    other = await fairs.create_booth(fair, BoothInput(employer="B"))
    outsider = await people.add_recruiter(fair, other.id, "Tuyển dụng B")
    with pytest.raises(Forbidden):
        await fairs.update_job(fair, outsider, job, {"openings": 99})
    with pytest.raises(Forbidden):
        await fairs.delete_job(fair, outsider, job)
    assert await fairs.get_job(fair, job) == posted.job
    moderator = await people.add_moderator(fair, "Điều hành")
    assert (await fairs.update_job(fair, moderator, job, {"openings": 99})).openings == 99
    await fairs.delete_job(fair, posted.recruiter, job)
    with pytest.raises(NotFound):
        await fairs.get_job(fair, job)


async def test_each_change_is_published_with_the_next_revision(
    fairs: Fairs, people: People, redis: Redis
) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    moderator = await people.add_moderator(fair.id, "Điều hành")
    pubsub = redis.pubsub()
    await pubsub.subscribe(keys.events(fair.id))
    await pubsub.get_message(timeout=1)  # the subscribe confirmation
    booth = await fairs.create_booth(fair.id, BoothInput(employer="A"))
    job = await fairs.create_job(fair.id, booth.id, JOB_INPUT)
    await fairs.delete_job(fair.id, moderator, job.id)
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
    fair = await fairs.create_fair(FAIR_INPUT)
    booths = [await fairs.create_booth(fair.id, BoothInput(employer=f"E{i}")) for i in range(5)]
    for booth in booths:
        await fairs.create_job(fair.id, booth.id, JOB_INPUT)
    snap = await fairs.snapshot(fair.id)
    assert [b["id"] for b in snap["booths"]] == [b.id for b in booths]
    assert [j["booth_id"] for j in snap["jobs"]] == [b.id for b in booths]


async def test_snapshot_of_a_missing_fair_is_not_found(fairs: Fairs) -> None:
    with pytest.raises(NotFound):
        await fairs.snapshot("nope")


def test_ids_never_start_with_a_dash_which_a_command_line_reads_as_an_option() -> None:
    # one id in 64 did (`jobfair export -invAMaLH-U` failed: "fair_id is required")
    ids = [new_id() for _ in range(3000)]
    assert not [id_ for id_ in ids if id_.startswith("-")]
    assert len(set(ids)) == len(ids)
    assert any("-" in id_ for id_ in ids), "the dash is still one of the id's characters"
