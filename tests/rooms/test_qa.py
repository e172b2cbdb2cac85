"""Q&A domain on a real Redis: visibility, exactly-once votes, ranking, limits and moderation."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from rooms.errors import Forbidden, InvalidInput, InvalidState, LimitReached, NotFound
from rooms.fairs import Fairs
from rooms.models import BoothInput, Participant
from rooms.people import People
from rooms.qa import QA, STAGE, QALimits
from rooms.store.scripts import Scripts
from tests.clients import FAIR_INPUT


@dataclass
class World:
    qa: QA
    fair_id: str
    booth: str
    other_booth: str
    moderator: Participant
    recruiter: Participant
    other_recruiter: Participant
    workers: list[Participant]


@pytest.fixture
async def w(redis: Redis, scripts: Scripts, fairs: Fairs, people: People) -> World:
    fair = await fairs.create_fair(FAIR_INPUT)
    booth = await fairs.create_booth(fair.id, BoothInput(employer="Công ty A"))
    other = await fairs.create_booth(fair.id, BoothInput(employer="Công ty B"))
    workers = [
        await people.register_worker(fair.id, {"name": f"Worker {i}", "contact": f"09123456{i:02}"})
        for i in range(4)
    ]
    return World(
        qa=QA(redis, scripts, QALimits(questions_per_window=3, window_seconds=60)),
        fair_id=fair.id,
        booth=booth.id,
        other_booth=other.id,
        moderator=await people.add_moderator(fair.id, "Moderator"),
        recruiter=await people.add_recruiter(fair.id, booth.id, "Recruiter A"),
        other_recruiter=await people.add_recruiter(fair.id, other.id, "Recruiter B"),
        workers=workers,
    )


async def ask(w: World, who: int, text: str = "Lương bao nhiêu?", anonymous: bool = False) -> str:
    q = await w.qa.ask(w.fair_id, w.workers[who], w.booth, text, anonymous, None)
    return str(q["id"])


async def listed(w: World, viewer: Participant, sort: str = "top") -> list[dict[str, object]]:
    return list((await w.qa.listing(w.fair_id, viewer, w.booth, sort))["questions"])


async def test_an_anonymous_question_shows_no_name_to_attendees_but_moderators_see_who_asked(
    w: World,
) -> None:
    qid = await ask(w, 0, "Có phải đặt cọc không?", anonymous=True)
    other = (await listed(w, w.workers[1]))[0]
    own = (await listed(w, w.workers[0]))[0]
    staff = (await listed(w, w.moderator))[0]
    assert other["id"] == qid and other["author"] is None and "author_id" not in other
    assert "Worker 0" not in str(other)
    assert own["author"] == "Worker 0" and own["mine"] is True
    assert staff["author"] == "Worker 0" and staff["author_id"] == w.workers[0].id


async def test_with_premoderation_a_question_is_seen_only_by_its_author_and_staff_until_approved(
    w: World,
) -> None:
    await w.qa.set_premoderation(w.fair_id, w.moderator, w.booth, True)
    qid = await ask(w, 0)
    assert await listed(w, w.workers[1]) == []
    assert [q["status"] for q in await listed(w, w.workers[0])] == ["pending"]
    assert [q["id"] for q in await listed(w, w.recruiter)] == [qid]
    assert await listed(w, w.other_recruiter) == []  # staff of another booth only
    await w.qa.approve(w.fair_id, w.moderator, qid)
    assert [q["status"] for q in await listed(w, w.workers[1])] == ["approved"]


async def test_a_hidden_question_leaves_everyone_s_list_but_its_author_s(w: World) -> None:
    qid = await ask(w, 0)
    await w.qa.hide(w.fair_id, w.moderator, qid)
    assert await listed(w, w.workers[1]) == []
    assert [q["status"] for q in await listed(w, w.workers[0])] == ["hidden"]
    assert [q["status"] for q in await listed(w, w.moderator)] == ["hidden"]


async def test_concurrent_and_repeated_votes_count_once_per_worker(w: World) -> None:
    qid = await ask(w, 0)
    voters = w.workers[1:]
    await asyncio.gather(*(w.qa.vote(w.fair_id, v, qid) for v in voters * 10))
    assert (await listed(w, w.workers[0]))[0]["votes"] == len(voters)
    withdrawn = await w.qa.vote(w.fair_id, voters[0], qid, up=False)
    again = await w.qa.vote(w.fair_id, voters[0], qid, up=False)
    assert withdrawn["votes"] == again["votes"] == len(voters) - 1
    assert withdrawn["voted"] is False


async def test_a_worker_cannot_vote_for_their_own_or_an_unapproved_question(w: World) -> None:
    qid = await ask(w, 0)
    with pytest.raises(Forbidden, match="your own"):
        await w.qa.vote(w.fair_id, w.workers[0], qid)
    await w.qa.set_premoderation(w.fair_id, w.moderator, w.booth, True)
    pending = await ask(w, 1)
    with pytest.raises(InvalidState, match="not open for votes"):
        await w.qa.vote(w.fair_id, w.workers[2], pending)


async def test_top_ranks_pinned_first_then_votes_then_the_older_question(w: World) -> None:
    first, second, third = await ask(w, 0, "một"), await ask(w, 1, "hai"), await ask(w, 2, "ba")
    await w.qa.vote(w.fair_id, w.workers[3], third)
    assert [q["id"] for q in await listed(w, w.workers[3])] == [third, first, second]
    await w.qa.pin(w.fair_id, w.moderator, second, True)
    assert [q["id"] for q in await listed(w, w.workers[3])] == [second, third, first]
    assert [q["id"] for q in await listed(w, w.workers[3], "new")] == [third, second, first]


async def test_a_fourth_question_in_a_minute_is_refused_but_a_retried_ask_is_not_doubled(
    w: World,
) -> None:
    asker = w.workers[0]
    first = await w.qa.ask(w.fair_id, asker, w.booth, "một", False, "op-1")
    retried = await w.qa.ask(w.fair_id, asker, w.booth, "một", False, "op-1")
    await ask(w, 0, "hai")
    await ask(w, 0, "ba")
    with pytest.raises(LimitReached, match=r"at most 3 questions per 60 seconds; try again in"):
        await ask(w, 0, "bốn")
    assert retried["id"] == first["id"]
    assert len(await listed(w, asker)) == 3
    await ask(w, 1, "người khác vẫn hỏi được")  # the limit is per worker


async def test_question_text_is_bounded_and_kept_as_typed(w: World) -> None:
    with pytest.raises(InvalidInput, match="too long: 501 characters, at most 500"):
        await ask(w, 0, "x" * 501)
    with pytest.raises(InvalidInput, match="empty"):
        await ask(w, 0, " \x00 ")
    markup = '<script>alert(1)</script><b onclick="x()">hi</b>'
    await ask(w, 0, markup)
    assert (await listed(w, w.workers[1]))[0]["text"] == markup


async def test_merging_duplicates_unites_their_voters_counting_each_once(w: World) -> None:
    into, dup = await ask(w, 0, "Lương?"), await ask(w, 1, "Lương bao nhiêu?")
    for voter in (w.workers[2], w.workers[3]):
        await w.qa.vote(w.fair_id, voter, into)
    for voter in (w.workers[2], w.workers[0]):  # 2 voted for both; 0 wrote `into`
        await w.qa.vote(w.fair_id, voter, dup)
    merged = await w.qa.merge(w.fair_id, w.moderator, dup, into)
    assert merged["votes"] == 2
    assert [q["id"] for q in await listed(w, w.workers[2])] == [into]
    assert [q["id"] for q in await listed(w, w.workers[1])] == [into]  # the dup's author too
    with pytest.raises(InvalidState, match="merged"):
        await w.qa.approve(w.fair_id, w.moderator, dup)


async def test_answering_now_is_cleared_when_the_question_gets_its_answer(w: World) -> None:
    qid = await ask(w, 0)
    now = await w.qa.set_answering(w.fair_id, w.recruiter, w.booth, qid)
    assert now["answering"] == qid
    answered = await w.qa.answer(w.fair_id, w.recruiter, qid, "8 triệu đồng một tháng")
    assert answered["answered"] is True and answered["answered_by"] == "Recruiter A"
    assert (await w.qa.settings(w.fair_id, w.booth))["answering"] == ""
    assert (await listed(w, w.workers[1]))[0]["answer"] == "8 triệu đồng một tháng"


async def test_recruiters_answer_only_their_own_booth_and_only_moderators_moderate(
    w: World,
) -> None:
    qid = await ask(w, 0)
    with pytest.raises(Forbidden):
        await w.qa.answer(w.fair_id, w.other_recruiter, qid, "không")
    with pytest.raises(Forbidden):
        await w.qa.hide(w.fair_id, w.recruiter, qid)
    with pytest.raises(Forbidden):
        await w.qa.hide(w.fair_id, w.workers[1], qid)
    with pytest.raises(Forbidden):
        await w.qa.set_answering(w.fair_id, w.recruiter, STAGE, None)
    with pytest.raises(Forbidden):
        await w.qa.ask(w.fair_id, w.recruiter, w.booth, "?", False, None)
    await w.qa.mark_answered(w.fair_id, w.recruiter, qid, True)


async def test_a_muted_worker_still_lists_but_cannot_ask_or_vote_until_unmuted(w: World) -> None:
    qid = await ask(w, 1)
    await w.qa.restrict(w.fair_id, w.moderator, w.workers[0].id, "muted")
    with pytest.raises(Forbidden, match="muted"):
        await ask(w, 0)
    with pytest.raises(Forbidden, match="restricted"):
        await w.qa.vote(w.fair_id, w.workers[0], qid)
    assert (await w.qa.listing(w.fair_id, w.workers[0], w.booth))["restricted"] == "muted"
    await w.qa.restrict(w.fair_id, w.moderator, w.workers[0].id, "")
    await ask(w, 0)


async def test_removing_a_participant_hides_their_questions_and_bars_them(w: World) -> None:
    await ask(w, 0, "spam 1")
    await ask(w, 0, "spam 2")
    kept = await ask(w, 1)
    result = await w.qa.restrict(w.fair_id, w.moderator, w.workers[0].id, "removed")
    assert result["hidden"] == 2
    assert [q["id"] for q in await listed(w, w.workers[2])] == [kept]
    with pytest.raises(Forbidden, match="removed"):
        await ask(w, 0)
    with pytest.raises(InvalidState, match="only workers"):
        await w.qa.restrict(w.fair_id, w.moderator, w.recruiter.id, "muted")


async def test_every_moderation_action_is_logged_with_its_actor(w: World) -> None:
    await w.qa.set_premoderation(w.fair_id, w.moderator, w.booth, True)
    qid = await ask(w, 0, "typo")
    await w.qa.approve(w.fair_id, w.moderator, qid)
    await w.qa.edit(w.fair_id, w.moderator, qid, "fixed")
    await w.qa.restrict(w.fair_id, w.moderator, w.workers[0].id, "muted")
    log = await w.qa.log(w.fair_id, w.moderator)
    assert [e["action"] for e in log] == ["mute", "edit", "approve", "premoderation"]
    assert {e["actor"] for e in log} == {w.moderator.id}
    assert log[1]["detail"] == "fixed" and log[0]["target"] == w.workers[0].id
    with pytest.raises(Forbidden):
        await w.qa.log(w.fair_id, w.recruiter)


async def test_a_question_on_an_unknown_booth_is_refused(w: World) -> None:
    with pytest.raises(NotFound, match="no such booth"):
        await w.qa.ask(w.fair_id, w.workers[0], "nosuchbooth", "?", False, None)
    await w.qa.ask(w.fair_id, w.workers[0], STAGE, "Hỏi sân khấu chính", False, None)
    staged = await w.qa.listing(w.fair_id, w.workers[1], STAGE)
    assert [q["text"] for q in staged["questions"]] == ["Hỏi sân khấu chính"]
