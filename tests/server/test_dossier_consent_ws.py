"""Dossier consent over the wire of a real node: a worker's `share` answer rides on `queue.join`
and `slots.book`; the booth's recruiter can read the dossier only after a yes; the worker and the
booth's staff are told when the answer changes; the dossier page lists and changes the answers."""

from __future__ import annotations

import time

from rooms.fairs import Fairs
from tests.clients import Fixture, Session, connect, ok, op
from tests.server.test_slots_ws import open_now

PROFILE = {"name": "Lò Văn Duy", "contact": "0912345678", "desired_job": "Thợ hàn"}


async def worker_with_dossier(fx: Fixture) -> Session:
    session = await fx.session(fx.worker)
    assert (await session.api("PUT", f"/api/fairs/{fx.fair.id}/dossier", PROFILE)).is_success
    return session


async def status_for(fx: Fixture, reader: Session) -> int:
    return (await reader.http.get(f"/api/fairs/{fx.fair.id}/dossiers/{fx.worker.id}")).status_code


async def test_a_booth_reads_the_dossier_only_after_the_worker_says_yes_at_the_join(
    fx: Fixture,
) -> None:
    page = await worker_with_dossier(fx)
    recruiter_a, recruiter_b = await fx.session(fx.recruiter_a), await fx.session(fx.recruiter_b)
    worker, staff_b = await connect(fx, fx.worker), await connect(fx, fx.recruiter_b)
    shares = f"/api/fairs/{fx.fair.id}/dossier/shares"
    assert (await page.api("GET", shares)).json() == {"shared_with": [], "declined": []}

    await ok(worker, "queue.join", {"booth_id": fx.booth_a.id, "share": False})
    assert await status_for(fx, recruiter_a) == 403  # the interview room shows "not shared"
    await ok(worker, "queue.join", {"booth_id": fx.booth_b.id, "share": True})
    told = [(await worker.event("dossier.shares"))["data"] for _ in "ab"]
    assert told == [
        {"worker_id": fx.worker.id, "booth_id": fx.booth_a.id, "shared": False},
        {"worker_id": fx.worker.id, "booth_id": fx.booth_b.id, "shared": True},
    ]
    assert (await staff_b.event("dossier.shares"))["data"]["shared"] is True
    assert await status_for(fx, recruiter_b) == 200
    assert await status_for(fx, recruiter_a) == 403
    answers = (await page.api("GET", shares)).json()
    assert answers == {"shared_with": [fx.booth_b.id], "declined": [fx.booth_a.id]}

    withdrawn = await page.api("DELETE", f"{shares}/{fx.booth_b.id}")  # on the dossier page
    assert withdrawn.json()["shared_with"] == []
    assert (await staff_b.event("dossier.shares"))["data"]["shared"] is False
    assert await status_for(fx, recruiter_b) == 403


async def test_an_answer_that_is_not_a_boolean_gets_an_error_frame_and_no_place(
    fx: Fixture,
) -> None:
    worker = await connect(fx, fx.worker)
    refused = await worker.request(
        "queue.join", {"booth_id": fx.booth_a.id, "share": "yes", "op": op()}
    )
    assert refused["type"] == "error" and refused["code"] == "invalid_input"
    assert (await ok(worker, "queue.mine", {}))["entries"] == []


async def test_a_booking_carries_the_answer_and_its_retry_records_it_once(
    fx: Fixture, fairs: Fairs
) -> None:
    await open_now(fx, fairs)
    page = await worker_with_dossier(fx)
    recruiter_a = await fx.session(fx.recruiter_a)
    staff, worker = await connect(fx, fx.recruiter_a), await connect(fx, fx.worker)
    form = {"booth_id": fx.booth_a.id, "starts_at": int(time.time()) + 3600, "minutes": 15}
    (slot,) = (await ok(staff, "slots.publish", {**form, "capacity": 2}))["slots"]
    booking = {"slot_id": slot["id"], "share": True, "op": op()}
    first = await worker.request("slots.book", booking)
    assert first["type"] == "ack" and await status_for(fx, recruiter_a) == 200
    await page.api("DELETE", f"/api/fairs/{fx.fair.id}/dossier/shares/{fx.booth_a.id}")
    again = await worker.request("slots.book", booking)  # a re-sent message after a lost ack
    assert again["data"] == first["data"]
    assert await status_for(fx, recruiter_a) == 403  # the withdrawal stands
