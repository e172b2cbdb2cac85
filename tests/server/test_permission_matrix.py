"""The permission table, tried over the wire: every command from every kind of participant, aimed
at booth A and its line, questions, slots and interviews. Where the table refuses, the answer is
`forbidden`; where it allows, anything but `forbidden` (a state or input refusal is fine)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rooms.commands import COMMANDS
from rooms.commands.base import Command
from rooms.commands.writes import WRITES
from rooms.fairs import Fairs
from rooms.models import Participant
from rooms.people import People
from rooms.permissions import allowed
from tests.clients import JOB_INPUT, WORKER, Fixture, Frames, connect, ok, op

# Where the table is only the upper bound: the domain also asks who the person is in the thing
# acted on (the interview's two participants; one's own place; staff answer only walk-ins).
IDENTITY_BOUND = {
    "interview.open": "only the interview's worker and recruiter",
    "interview.publish": "only the interview's worker and recruiter",
    "interview.view": "only the interview's worker and recruiter",
    "interview.audio_only": "only the interview's worker and recruiter",
    "interview.leave": "only the interview's worker and recruiter",
    "interview.say": "only the interview's worker and recruiter",
    "interview.extend": "only the interview's recruiter",
    "queue.accept": "the called worker, or the booth's staff for a walk-in",
    "stage.present": "only the recruiters of the booth the stage's host invited",
    "queue.decline": "the called worker, or the booth's staff for a walk-in",
}
LAST = ["queue.finish", "queue.remove", "queue.close", "slots.remove", "qa.merge", "qa.hide"]
LAST += ["qa.remove_participant", "stream.stop", "stage.stop"]


def _order(name: str) -> tuple[int, str]:
    return (LAST.index(name) + 1 if name in LAST else 0, name)


@pytest.fixture
async def booth_a_things(fx: Fixture, fairs: Fairs, people: People) -> dict[str, Any]:
    """Something of booth A for every id a command can name."""
    start = datetime.now(UTC) + timedelta(hours=1)
    patch = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=8)).isoformat()}
    await fairs.update_fair(fx.fair.id, patch)
    worker, recruiter = await connect(fx, fx.worker), await connect(fx, fx.recruiter_a)
    a = fx.booth_a.id
    entry = await ok(worker, "queue.join", {"booth_id": a})
    (slot,) = (
        await ok(
            recruiter,
            "slots.publish",
            {"booth_id": a, "starts_at": (start + timedelta(hours=1)).isoformat(), "minutes": 15,
             "capacity": 2},
        )
    )["slots"]  # fmt: skip
    second: Participant = await people.register_worker(fx.fair.id, {**WORKER, "name": "Hai"})
    interviewee = await connect(fx, second)
    asked = [  # by someone else: nobody votes for their own question
        await ok(interviewee, "qa.ask", {"channel": a, "text": f"Câu hỏi {i}", "op": op()})
        for i in range(2)
    ]
    called = await ok(interviewee, "queue.join", {"booth_id": a})
    await ok(recruiter, "queue.call", {"entry_id": called["id"]})
    accepted = await ok(interviewee, "queue.accept", {"entry_id": called["id"]})
    poll = await ok(
        recruiter, "poll.create", {"channel": a, "text": "Ca nào?", "options": ["1", "2"]}
    )
    return {
        "booth_id": a,
        "channel": a,
        "entry_id": entry["id"],
        "question_id": asked[0]["id"],
        "from": asked[1]["id"],
        "into": asked[0]["id"],
        "slot_id": slot["id"],
        "interview_id": accepted["interview_id"],
        "poll_id": poll["id"],
        "options": ["Sáng", "Chiều"],
        "option": 0,
        "user_id": fx.worker.id,
        "sdp": "v=0",
        "text": "Xin chào",
        "minutes": 5,
        "position": 1,
        "cap": 10,
        "on": True,
        "name": "Vừ A Dính",
        "phone": "0987 654 321",
        "starts_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 1,
        "job_id": (await fairs.create_job(fx.fair.id, a, JOB_INPUT)).id,
        "title": "Thợ may",
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "employer": "Công ty C",
        "openings": 2,
        "salary_min_vnd": 6_000_000,
        "salary_max_vnd": 8_000_000,
        "location": "Lai Châu",
        "contact": "0912345678",
    }


def _data(command: Command, things: dict[str, Any]) -> dict[str, Any]:
    fields = command.input.model_fields
    data = {
        (field.alias or key): things[field.alias or key]
        for key, field in fields.items()
        if (field.alias or key) in things
    }
    if "op" in fields:
        data["op"] = op()
    return data


@pytest.fixture
def directory(people: People) -> People:
    """The `people` fixture, under a name the matrix's own `people` does not shadow."""
    return people


async def _answer(ws: Frames, name: str, data: dict[str, Any]) -> dict[str, Any]:
    """The answer, past the connection's rate limit (100 a minute after a burst of 30)."""
    while True:
        answer = await ws.request(name, data)
        if answer.get("code") != "rate_limited":
            return answer
        await asyncio.sleep(0.7)


async def test_every_command_is_refused_or_allowed_as_the_table_says(
    fx: Fixture, booth_a_things: dict[str, Any], directory: People
) -> None:
    people = {
        "worker": fx.worker,
        "main-stage speaker": await directory.add_speaker(fx.fair.id, "Diễn giả"),
        "recruiter of booth A": fx.recruiter_a,
        "recruiter of booth B": fx.recruiter_b,
        "the fair's moderator": fx.moderator,
        "service staff": fx.staff,
    }
    sockets: dict[str, Frames] = {label: await connect(fx, who) for label, who in people.items()}
    wrong = []
    tried = 0
    for name in sorted(COMMANDS, key=_order):
        action = COMMANDS[name].action
        expected = {
            label: allowed(who, action, fx.fair.id, fx.booth_a.id) for label, who in people.items()
        }
        for label in sorted(people, key=lambda label: expected[label]):  # refusals first
            answer = await _answer(sockets[label], name, _data(COMMANDS[name], booth_a_things))
            tried += 1
            refused = answer.get("code") == "forbidden"
            if expected[label] and refused and name not in IDENTITY_BOUND:
                wrong.append(f"{label} was refused {name}: {answer}")
            if not expected[label] and not refused:
                wrong.append(f"{label} was allowed {name}: {answer}")
    assert not wrong, "\n".join(wrong)
    assert tried == len(COMMANDS) * len(people)


BODIES = {"booth.logo": b"\x89PNG\r\n\x1a\n", "dossier.cv": b"%PDF-1.4\n%%EOF\n"}


async def test_every_http_write_is_refused_or_allowed_as_the_table_says(
    fx: Fixture, booth_a_things: dict[str, Any]
) -> None:
    people = {
        "worker": fx.worker,
        "recruiter of booth A": fx.recruiter_a,
        "recruiter of booth B": fx.recruiter_b,
        "the fair's moderator": fx.moderator,
        "service staff": fx.staff,
    }
    sessions = {label: await fx.session(who) for label, who in people.items()}
    ids = {"fair_id": fx.fair.id, **booth_a_things}
    wrong = []
    for name in sorted(WRITES, key=lambda n: n == "job.delete"):  # the job goes last
        command = WRITES[name]
        method, route = command.route.split(" ")
        method = method.split("|")[0]
        path = route.format(**ids)
        fair = fx.fair.id if "{fair_id}" in route else None
        body = {
            k: v for k, v in _data(command, booth_a_things).items() if "{" + k + "}" not in route
        }
        body.pop("share", None)  # the method says it
        for label, who in sorted(
            people.items(), key=lambda p: allowed(p[1], command.action, fair, fx.booth_a.id)
        ):
            expected = allowed(who, command.action, fair, fx.booth_a.id)
            if name in BODIES:
                response = await sessions[label].api(method, path, content=BODIES[name])
            else:
                response = await sessions[label].api(
                    method, path, body if method != "DELETE" else None
                )
            refused = response.status_code == 403
            if expected == refused:
                wrong.append(
                    f"{label} {'refused' if refused else 'allowed'} {name}: {response.text}"
                )
    assert not wrong, "\n".join(wrong)


async def test_people_of_another_fair_cannot_open_its_socket(fx: Fixture) -> None:
    session = await fx.session(fx.outsider)
    ws = await session.ws(fx.fair.id)
    closed = await ws.ws.wait_closed() or ws.ws.close_code
    assert closed == 4403
