"""What the room's pages read besides the media: the moderator's per-booth list of interviews
with their outcomes (to open one's record), and the time added so far, for both sides' timers."""

from __future__ import annotations

from tests.clients import Fixture
from tests.server.test_interview_room import accepted_interview, connect, ok


async def test_a_moderator_lists_a_booths_interviews_with_their_outcomes(fx: Fixture) -> None:
    _, recruiter, interview_id = await accepted_interview(fx)
    await ok(recruiter, "interview.record", {"interview_id": interview_id, "outcome": "offer"})
    moderator = await connect(fx, fx.moderator)

    report = await ok(moderator, "interview.report", {"booth_id": fx.booth_a.id})
    assert [(i["id"], i["outcome"]) for i in report["interviews"]] == [(interview_id, "offer")]
    assert report["booths"][fx.booth_a.id]["passed"] == 1
    assert "interviews" not in await ok(moderator, "interview.report", {})
    other = await ok(moderator, "interview.report", {"booth_id": fx.booth_b.id})
    assert other["interviews"] == []


async def test_both_sides_learn_the_time_added_so_far(fx: Fixture) -> None:
    worker, recruiter, interview_id = await accepted_interview(fx)
    await ok(recruiter, "interview.extend", {"interview_id": interview_id, "minutes": 5})
    for side in (worker, recruiter):
        room = await ok(side, "interview.open", {"interview_id": interview_id})
        assert (room["slot_seconds"], room["extra_seconds"]) == (20 * 60, 300)
