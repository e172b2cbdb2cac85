"""Joining a booth's line shares the worker's dossier with that booth, in the same script as the
join: the recruiter who calls them can read it in the interview room."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from rooms.dossiers import Dossiers
from rooms.errors import Forbidden, LimitReached
from rooms.fairs import Fairs
from rooms.people import People
from rooms.queue import SettingsInput, WalkInInput
from rooms.store import keys
from rooms.store.scripts import Scripts
from tests.rooms.test_queue import Line, build_line, op


@pytest.fixture
async def line(redis: Redis, fairs: Fairs, people: People) -> Line:
    return await build_line(redis, fairs, people)


async def test_joining_a_line_lets_that_booths_recruiter_read_the_dossier(line: Line) -> None:
    dossiers = Dossiers(line.redis, Scripts(line.redis))
    worker = line.workers[0]
    await dossiers.save(line.f, worker, {"name": worker.name, "contact": "0912345678"})
    with pytest.raises(Forbidden):
        await dossiers.readable_by(line.f, line.recruiters[0], worker.id)

    await line.join(0, booth=0)

    assert await dossiers.shared_with(line.f, worker.id) == {line.b(0)}
    read = await dossiers.readable_by(line.f, line.recruiters[0], worker.id)
    assert read.worker_id == worker.id
    with pytest.raises(Forbidden):  # only the booth joined, not the others
        await dossiers.readable_by(line.f, line.recruiters[1], worker.id)


async def test_a_refused_join_shares_nothing(line: Line) -> None:
    await line.queue.configure(line.f, line.moderator, SettingsInput(lines_per_worker=1), op())
    await line.join(0, booth=0)
    with pytest.raises(LimitReached):
        await line.join(0, booth=1)
    shares = await line.redis.smembers(keys.dossier_shares(line.f, line.workers[0].id))
    assert shares == {line.b(0)}


async def test_a_walk_in_shares_no_dossier(line: Line) -> None:
    form = WalkInInput(name="Khách vãng lai", phone="0912345678")
    walk_in = await line.queue.walk_in(line.f, line.moderator, line.b(0), form, op())
    shares = await line.redis.smembers(keys.dossier_shares(line.f, walk_in["worker_id"]))
    assert shares == set()
