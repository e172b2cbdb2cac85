"""A booth run by a team: the staff view lists who presents, who interviews whom and who is free,
from the stream and the calls under way; "call next" is for a free recruiter and refused
(`staff_busy`) to one already interviewing."""

from __future__ import annotations

from typing import Any

from rooms.people import People
from tests.clients import Fixture, Frames, connect, ok, op
from tests.peers import Publisher


def states(view: dict[str, Any]) -> dict[str, tuple[bool, str, str | None]]:
    """Each team member's name -> (presenting, state, with whom)."""
    return {m["name"]: (m["presenting"], m["state"], m["with"]) for m in view["team"]}


async def line_event(ws: Frames, until: Any) -> dict[str, Any]:
    """The first pushed line view that satisfies `until`."""
    while True:
        view: dict[str, Any] = (await ws.event("queue.line"))["data"]
        if until(view):
            return view


async def test_the_console_shows_who_presents_and_who_interviews_and_only_a_free_one_calls_next(
    fx: Fixture, people: People
) -> None:
    booth = fx.booth_a.id
    second = await people.add_recruiter(fx.fair.id, booth, "Recruiter A2")
    presenter_ws, interviewer_ws = await connect(fx, fx.recruiter_a), await connect(fx, second)
    first_name = fx.recruiter_a.name
    everyone_free = await ok(presenter_ws, "queue.view", {"booth_id": booth})
    assert states(everyone_free) == {
        first_name: (False, "free", None),
        "Recruiter A2": (False, "free", None),
    }
    publisher = Publisher(presenter_ws, booth)
    try:
        await publisher.go_live()
        await presenter_ws.event("stream.live", timeout=15)
        assert states(await ok(presenter_ws, "queue.view", {"booth_id": booth}))[first_name] == (
            True,
            "free",
            None,
        )

        workers = [
            await people.register_worker(fx.fair.id, {"name": name, "contact": "0912345678"})
            for name in ("Hoa", "Binh")
        ]
        worker_ws = [await connect(fx, w) for w in workers]
        entries = [await ok(ws, "queue.join", {"booth_id": booth}) for ws in worker_ws]
        await ok(interviewer_ws, "queue.call_next", {"booth_id": booth})
        await ok(worker_ws[0], "queue.accept", {"entry_id": entries[0]["id"]})
        view = await line_event(
            presenter_ws, lambda v: states(v)["Recruiter A2"][1] == "interviewing"
        )
        assert states(view) == {
            first_name: (True, "free", None),
            "Recruiter A2": (False, "interviewing", "Hoa"),
        }

        refused = await interviewer_ws.request("queue.call_next", {"booth_id": booth, "op": op()})
        assert refused["type"] == "error" and refused["code"] == "staff_busy", refused
        view = await ok(interviewer_ws, "queue.view", {"booth_id": booth})
        assert [e["id"] for e in view["line"]] == [entries[1]["id"]], "Binh still waits"

        called = await ok(presenter_ws, "queue.call_next", {"booth_id": booth})
        assert called["id"] == entries[1]["id"]
        assert called["called_by"] == fx.recruiter_a.id
        view = await line_event(presenter_ws, lambda v: states(v)[first_name][1] == "calling")
        assert states(view) == {
            first_name: (True, "calling", "Binh"),
            "Recruiter A2": (False, "interviewing", "Hoa"),
        }
    finally:
        await publisher.close()
