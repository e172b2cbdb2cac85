"""Hostile JSON bodies on the HTTP API are refused with a 400 and our JSON shape, never a 500."""

from __future__ import annotations

import pytest

from tests.clients import Fixture

DEEP = "[" * 10_000 + "]" * 10_000
HOSTILE = [
    DEEP,
    '{"title": ' + DEEP + "}",
    '{"title": "\\ud800"}',  # a lone surrogate
    '{"openings": ' + "9" * 5000 + "}",
    '{"openings": 1e999}',
    '{"openings": NaN}',
    "[1, 2]",
    "not json",
]


@pytest.mark.parametrize("body", HOSTILE)
async def test_a_hostile_body_gets_a_400_with_a_json_message(fx: Fixture, body: str) -> None:
    moderator = await fx.session(fx.moderator)
    for method, path in [
        ("PATCH", f"/api/fairs/{fx.fair.id}"),
        ("POST", f"/api/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/jobs"),
    ]:
        response = await moderator.api(
            method, path, content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "invalid_input"


async def test_a_write_names_no_one_but_the_session(fx: Fixture) -> None:
    recruiter = await fx.session(fx.recruiter_a)
    path = f"/api/fairs/{fx.fair.id}/booths/{fx.booth_a.id}"
    refused = await recruiter.api("PATCH", path, {"description": "x", "fair_id": "other"})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_input"
    other_booth = f"/api/fairs/{fx.fair.id}/booths/{fx.booth_b.id}"
    assert (await recruiter.api("PATCH", other_booth, {"description": "x"})).status_code == 403
    assert (await recruiter.api("PATCH", path, {"description": "Tuyển gấp"})).status_code == 200
