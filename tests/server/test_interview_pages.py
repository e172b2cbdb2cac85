"""The interview pages over HTTP: the room opens for its two participants only (anyone else gets
a 403 JSON error, like the consoles), and the history page is a worker's own."""

from __future__ import annotations

from rooms.people import People
from tests.clients import Fixture
from tests.server.test_interview_room import accepted_interview


async def test_the_room_opens_for_its_worker_and_recruiter_only(
    fx: Fixture, people: People
) -> None:
    _, _, interview_id = await accepted_interview(fx)
    path = f"/fairs/{fx.fair.id}/interviews/{interview_id}"

    for participant, side in ((fx.worker, "worker"), (fx.recruiter_a, "recruiter")):
        page = await (await fx.session(participant)).http.get(path)
        assert page.status_code == 200
        assert f'data-interview="{interview_id}"' in page.text
        assert f'data-side="{side}"' in page.text

    another_worker = await people.register_worker(
        fx.fair.id, {"name": "Quàng Văn Nam", "contact": "0911222333"}
    )
    for third in (fx.recruiter_b, fx.moderator, another_worker, fx.outsider, None):
        refused = await (await fx.session(third)).http.get(path)
        assert refused.status_code == 403, third
        assert refused.json()["error"] == "forbidden"


async def test_an_unknown_interview_is_not_found(fx: Fixture) -> None:
    page = await (await fx.session(fx.worker)).http.get(f"/fairs/{fx.fair.id}/interviews/nope")
    assert page.status_code == 404
    assert page.json()["error"] == "not_found"


async def test_the_history_page_is_for_the_fairs_workers(fx: Fixture) -> None:
    path = f"/fairs/{fx.fair.id}/interviews"
    assert (await (await fx.session(fx.worker)).http.get(path)).status_code == 200
    for other in (fx.recruiter_a, fx.moderator, fx.outsider, None):
        assert (await (await fx.session(other)).http.get(path)).status_code == 403


async def test_workers_find_their_interviews_from_the_lobby(fx: Fixture) -> None:
    lobby = await (await fx.session(fx.worker)).http.get(f"/fairs/{fx.fair.id}")
    assert f'href="/fairs/{fx.fair.id}/interviews"' in lobby.text
