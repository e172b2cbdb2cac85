"""Participants: registration input, the first-run moderator, recruiters tied to real booths."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from rooms.errors import InvalidInput, NotFound
from rooms.fairs import Fairs
from rooms.models import Role
from rooms.people import People
from rooms.store import keys
from tests.clients import FAIR_INPUT


@pytest.mark.parametrize(
    "form",
    [
        {"name": "", "contact": "0912345678"},
        {"name": "A", "contact": "12"},
        {"name": "A", "contact": "not a phone"},
        {"name": "A", "contact": "0912345678", "role": "moderator"},
    ],
)
async def test_a_bad_registration_is_refused_and_stores_nothing(
    fairs: Fairs, people: People, redis: Redis, form: dict[str, str]
) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    with pytest.raises(InvalidInput):
        await people.register_worker(fair.id, form)
    assert await redis.hlen(keys.people(fair.id)) == 0


async def test_workers_register_with_a_phone_or_an_email(fairs: Fairs, people: People) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    by_phone = await people.register_worker(fair.id, {"name": "Duy", "contact": "+84 912 345 678"})
    by_mail = await people.register_worker(fair.id, {"name": "Thảo", "contact": "thao@example.vn"})
    assert {by_phone.role, by_mail.role} == {Role.WORKER}
    assert (await people.get(fair.id, by_mail.id)).contact == "thao@example.vn"


async def test_the_first_run_moderator_is_created_once(people: People) -> None:
    first, created = await people.ensure_staff("Moderator")
    again, created_again = await people.ensure_staff("Moderator")
    assert (created, created_again) == (True, False)
    assert again.id == first.id and first.role is Role.MODERATOR and first.fair_id is None


async def test_a_recruiter_needs_an_existing_booth(fairs: Fairs, people: People) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    with pytest.raises(NotFound):
        await people.add_recruiter(fair.id, "missing", "Hà")
