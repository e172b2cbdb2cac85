"""Who reads which report, the files' shape, bad input, a series of fairs, and the live dashboard
(one node; the scripted fair on two nodes is tests/multinode/test_reports.py)."""

from __future__ import annotations

import csv
import io

from rooms.people import People
from tests.clients import FAIR, Fixture, connect, ok


def _sheet(content: bytes) -> list[dict[str, str]]:
    """A CSV download as Python's csv module reads it (UTF-8 with its BOM)."""
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


async def _interview(fx: Fixture, outcome: str, share: bool) -> str:
    """The fixture's worker is interviewed at booth A; `share`: their dossier with it."""
    worker, recruiter = await connect(fx, fx.worker), await connect(fx, fx.recruiter_a)
    await ok(worker, "queue.join", {"booth_id": fx.booth_a.id, "share": share})
    called = await ok(recruiter, "queue.call_next", {"booth_id": fx.booth_a.id})
    accepted = await ok(worker, "queue.accept", {"entry_id": called["id"]})
    interview_id: str = accepted["interview_id"]
    notes = {"interview_id": interview_id, "outcome": outcome, "notes": "=1+1 giỏi"}
    await ok(recruiter, "interview.record", notes)
    await ok(recruiter, "queue.finish", {"interview_id": interview_id})
    return interview_id


async def test_a_recruiter_reads_only_their_own_booth_and_a_worker_nothing(fx: Fixture) -> None:
    await _interview(fx, "passed", share=False)
    recruiter = await fx.session(fx.recruiter_b)
    own = (await recruiter.http.get(f"/api/fairs/{fx.fair.id}/report")).json()
    assert [b["booth_id"] for b in own["booths"]] == [fx.booth_b.id]
    assert own["scope"] == "booth" and own["fair"]["interviewed"] == 0
    rows = list(
        csv.reader(
            io.StringIO(
                (
                    await recruiter.http.get(f"/api/fairs/{fx.fair.id}/report.csv?lang=en")
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert [r[0] for r in rows[1:]] == ["Công ty B", "Total"]
    other = await recruiter.http.get(f"/api/fairs/{fx.fair.id}/report?booth_id={fx.booth_a.id}")
    assert other.status_code == 403 and other.json()["error"] == "forbidden"

    worker = await fx.session(fx.worker)
    for path in ("/api/fairs/{}/report", "/api/fairs/{}/report.csv", "/fairs/{}/report",
                 "/fairs/{}/dashboard", "/api/fairs/{}/interviews.csv"):  # fmt: skip
        refused = await worker.http.get(path.format(fx.fair.id))
        assert refused.status_code == 403, path
        assert refused.json()["error"] == "forbidden"
    frame = await (await connect(fx, fx.worker)).request("report.watch", {})
    assert frame["type"] == "error" and frame["code"] == "forbidden"


async def test_bad_report_requests_get_a_clear_4xx(fx: Fixture) -> None:
    moderator = await fx.session(fx.moderator)
    anonymous = await fx.session()
    cases = [
        (anonymous, f"/api/fairs/{fx.fair.id}/report", 401),
        (moderator, "/api/fairs/nosuchfair/report", 404),
        (moderator, f"/api/fairs/{fx.fair.id}/report?booth_id=../x", 400),
        (moderator, f"/api/fairs/{fx.fair.id}/report?colour=red", 400),
        (moderator, "/api/reports/series?from=2026-12-14&to=2026-11-26", 400),
        (moderator, "/api/reports/series?from=2025-01-01&to=2026-12-31", 400),
        (moderator, "/api/reports/series?from=yesterday&to=2026-12-31", 400),
    ]
    for session, path, status in cases:
        response = await session.http.get(path)
        assert response.status_code == status, path
        assert response.json()["message"], path


async def test_the_interview_csv_names_only_workers_who_shared_with_the_booth(
    fx: Fixture,
) -> None:
    await _interview(fx, "offer", share=False)
    recruiter, moderator = await fx.session(fx.recruiter_a), await fx.session(fx.moderator)
    path = f"/api/fairs/{fx.fair.id}/interviews.csv?lang=en"
    mine = list(csv.DictReader(io.StringIO((await recruiter.http.get(path)).text.lstrip("\ufeff"))))
    assert [(r["Employer"], r["Worker"], r["Outcome"]) for r in mine] == [
        ("Công ty A", "", "Offer")
    ]
    assert mine[0]["Notes"] == "'=1+1 giỏi"  # shown as text, never run as a formula
    everyone = _sheet((await moderator.http.get(path)).content)
    assert [r["Worker"] for r in everyone] == [fx.worker.name]

    shared_worker = await connect(fx, fx.worker)
    await ok(shared_worker, "queue.join", {"booth_id": fx.booth_a.id, "share": True})
    named = list(
        csv.DictReader(io.StringIO((await recruiter.http.get(path)).text.lstrip("\ufeff")))
    )
    assert [r["Worker"] for r in named] == [fx.worker.name]


async def test_a_series_reports_several_fairs_as_columns_with_totals(
    fx: Fixture, people: People
) -> None:
    staff = await fx.session(fx.staff)
    other = fx.other_fair  # the fixture's two fairs begin on 26 Nov 2026
    await people.register_worker(other.id, {"name": "Vàng A Páo", "contact": "0911111111"})
    series = (await staff.http.get("/api/reports/series?from=2026-11-26&to=2026-12-14")).json()
    columns = {f["fair_id"]: f for f in series["fairs"]}
    assert set(columns) == {fx.fair.id, other.id}
    assert series["totals"]["registered"] == sum(f["registered"] for f in series["fairs"]) == 3
    assert (await staff.http.get("/api/reports/series?from=2026-12-01&to=2026-12-14")).json()[
        "fairs"
    ] == []
    fair_moderator = await fx.session(fx.moderator)  # a fair's moderator: their fair only
    own = (
        await fair_moderator.http.get("/api/reports/series?from=2026-11-26&to=2026-11-26")
    ).json()
    assert [f["fair_id"] for f in own["fairs"]] == [fx.fair.id]
    page = await staff.http.get("/reports/series?from=2026-11-26&to=2026-11-26&lang=en")
    assert page.status_code == 200 and FAIR["title"] in page.text
    sheet = await staff.http.get("/api/reports/series.csv?from=2026-11-26&to=2026-11-26&lang=en")
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Total" and rows[2][0] == "Registered" and rows[2][-1] == "3"


async def test_the_dashboard_tells_staff_the_line_grew_within_a_second_or_two(fx: Fixture) -> None:
    moderator = await connect(fx, fx.moderator)
    first = await ok(moderator, "report.watch", {})
    line = {b["booth_id"]: b["line"] for b in first["booths"]}
    assert line == {fx.booth_a.id: 0, fx.booth_b.id: 0}
    recruiter = await connect(fx, fx.recruiter_a)
    mine = await ok(recruiter, "report.watch", {"booth_id": fx.booth_a.id})
    assert [b["booth_id"] for b in mine["booths"]] == [fx.booth_a.id] and "fair" not in mine
    refused = await recruiter.request("report.watch", {"booth_id": fx.booth_b.id})
    assert refused["code"] == "forbidden"

    worker = await connect(fx, fx.worker)
    await ok(worker, "queue.join", {"booth_id": fx.booth_a.id})
    for _ in range(5):  # a loaded machine may take a few rounds
        update = (await moderator.event("report.dashboard", timeout=10))["data"]
        booth = next(b for b in update["booths"] if b["booth_id"] == fx.booth_a.id)
        if booth["line"] == 1:
            break
    assert booth["line"] == 1 and update["fair"]["online_now"] == 1
    seen = (await recruiter.event("report.dashboard", timeout=10))["data"]
    assert [b["line"] for b in seen["booths"]] == [1]
