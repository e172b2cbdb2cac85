"""A fair's times are on its own clock: typed without an offset, they mean the fair's wall-clock
time (never the server's nor the typist's); a posting's pay is in its own currency."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from rooms.fairs import Fairs
from rooms.models import FairInput, JobInput
from tests.clients import FAIR, FAIR_INPUT, JOB


def test_a_time_without_an_offset_is_on_the_fairs_clock() -> None:
    fair = FairInput.model_validate(
        {
            **FAIR,
            "timezone": "Asia/Shanghai",
            "starts_at": "2026-11-26T09:00:00",
            "ends_at": "2026-11-26T17:00:00",
        }
    )
    assert fair.starts_at.astimezone(UTC) == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    assert fair.ends_at.astimezone(UTC) == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_a_time_with_an_offset_keeps_its_instant_and_the_default_zone_is_vietnams() -> None:
    fair = FairInput.model_validate({**FAIR, "starts_at": "2026-11-26T08:00:00"})
    assert fair.timezone == "Asia/Ho_Chi_Minh"
    assert fair.starts_at.astimezone(UTC).hour == 1  # 08:00 in Hanoi
    assert FAIR_INPUT.starts_at.astimezone(UTC).hour == 8  # "...Z" stays UTC


def test_an_unknown_zone_is_refused_once() -> None:
    with pytest.raises(ValidationError) as refused:
        FairInput.model_validate({**FAIR, "timezone": "Mars/Olympus"})
    assert [e["loc"] for e in refused.value.errors()] == [("timezone",)]


async def test_a_moderator_moves_the_fair_hours_on_its_clock(fairs: Fairs) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    moved = await fairs.update_fair(
        fair.id,
        {"timezone": "Asia/Tokyo", "starts_at": "2026-11-26T10:00", "ends_at": "2026-11-26T12:00"},
    )
    assert moved.starts_at.astimezone(UTC) == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    assert (await fairs.get_fair(fair.id)).starts_at == moved.starts_at


def test_a_postings_currency_is_vnd_unless_it_says_otherwise() -> None:
    assert JobInput.model_validate(JOB).currency == "VND"
    assert JobInput.model_validate({**JOB, "currency": "JPY"}).currency == "JPY"
    with pytest.raises(ValidationError):
        JobInput.model_validate({**JOB, "currency": "USD"})
