"""A scripted fair on two nodes: workers register and open the lobby, some only watch a stream,
some join lines, some are interviewed with given outcomes, one is a no-show, a walk-in is added
at two booths. The report's every number equals the script's, in the JSON, the CSV and on the
page; the same after a node restarts, after kill -9 of the other node (its connections closed
at its lease's end), and when rebuilt from the recorded facts alone."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import re
import signal
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.models import BoothInput, Participant
from rooms.people import People
from rooms.reports.reader import Reports
from rooms.store import keys
from server.auth import Tokens
from tests.clients import FAIR_INPUT, Frames, Session, op
from tests.peers import Publisher, Viewer
from tests.procs import Node, RedisProcess

LEASE = "2"  # seconds: a killed node's periods close this soon after its last renewal
WATCHED = "3"  # seconds on a live stream that count as having watched it
X, CN, FORMULA = "Công ty May Điện Biên", "深圳富士康科技有限公司", '=HYPERLINK("x")'
COUNTS = ("registered", "attended_online", "attended_on_site", "watched", "joined_line")
COUNTS += ("interviewed", "passed", "no_show", "interviews")

# what the script below does, counted by hand (people once per row)
EXPECTED = {
    "fair": dict(zip(COUNTS, (6, 4, 1, 1, 5, 3, 3, 1, 4), strict=True)),
    X: dict(zip(COUNTS, (3, 3, 1, 0, 4, 2, 1, 1, 2), strict=True)),
    CN: dict(zip(COUNTS, (1, 3, 1, 1, 2, 2, 2, 0, 2), strict=True)),
    FORMULA: dict.fromkeys(COUNTS, 0),
}
OUTCOMES = {"passed": 1, "on_site": 1, "offer": 1, "not_suitable": 1, "no_show": 0}


class Fair:
    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self.sessions: list[Session] = []
        self.people: dict[str, Participant] = {}

    async def session(self, node: Node, who: Participant) -> Session:
        session = Session(node.url)
        await session.signin(f"{node.url}/signin?t={self.tokens.signin(who)}")
        self.sessions.append(session)
        return session

    async def ws(self, node: Node, who: Participant, fair_id: str) -> Frames:
        ws = await (await self.session(node, who)).ws(fair_id)
        assert (await ws.recv())["type"] == "welcome"
        return ws

    async def close(self) -> None:
        for session in self.sessions:
            await session.close()


async def ok(ws: Frames, type_: str, data: dict[str, Any]) -> Any:
    frame = await ws.request(type_, data)
    assert frame["type"] == "ack", frame
    return frame["data"]


def counts(row: dict[str, Any]) -> dict[str, int]:
    return {k: row[k] for k in COUNTS}


def by_employer(report: dict[str, Any]) -> dict[str, dict[str, int]]:
    rows = {e["employer"]: counts(e) for e in report["employers"]}
    return {"fair": counts(report["fair"]), **rows}


def csv_rows(data: bytes) -> dict[str, dict[str, int]]:
    """The report CSV (lang=en) as {employer or "fair": counts}."""
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM a spreadsheet needs for UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0]
    labels = {
        "registered": "Registered",
        "attended_online": "Attended online",
        "attended_on_site": "Attended on site",
        "watched": "Watched a stream",
        "joined_line": "Joined a line",
        "interviewed": "Interviewed",
        "passed": "Passed",
        "no_show": "No-show",
        "interviews": "Interviews",
    }
    out = {}
    names = [row[0] for row in rows[1:]]
    assert "'" + FORMULA in names and FORMULA not in names  # a formula is shown, never run
    for row in rows[1:]:
        name = "fair" if row[0] == "Total" else row[0].removeprefix("'")
        out[name] = {k: int(row[header.index(label)]) for k, label in labels.items()}
    return out


def page_rows(html: str) -> dict[str, dict[str, int]]:
    """The report page's employer table: {employer or "fair": counts}."""
    out = {}
    for kind, name, cells in re.findall(
        r'<tr data-row="(employer|total)"><th scope="row">(.*?)</th>(.*?)</tr>', html, re.S
    ):
        values = dict(re.findall(r'data-key="(\w+)">(\d+)</td>', cells))
        key = "fair" if kind == "total" else name
        out[key] = {k: int(values[k]) for k in COUNTS}
    return out


async def everywhere(moderator: Session, fair_id: str) -> dict[str, Any]:
    """The report as JSON, CSV and page must agree with each other; returns the JSON."""
    report = (await moderator.http.get(f"/api/fairs/{fair_id}/report")).json()
    csv_data = (await moderator.http.get(f"/api/fairs/{fair_id}/report.csv?lang=en")).content
    page = (await moderator.http.get(f"/fairs/{fair_id}/report?lang=en")).text
    assert by_employer(report) == csv_rows(csv_data) == page_rows(html.unescape(page))
    return report


@pytest.fixture
async def two_nodes(redis_server: RedisProcess, tmp_path: Path) -> AsyncIterator[list[Node]]:
    env = {"JOBFAIR_LIMIT_ATTENDANCE_LEASE": LEASE, "JOBFAIR_LIMIT_WATCHED_SECONDS": WATCHED}
    nodes = [Node(tmp_path / f"n{i}", redis_server.url, **env).start() for i in range(2)]
    yield nodes
    for node in nodes:
        node.stop()


async def test_a_scripted_fair_is_counted_exactly_through_restarts_and_a_crash(
    redis: Redis, fairs: Fairs, people: People, tokens: Tokens, two_nodes: list[Node]
) -> None:
    n1, n2 = two_nodes
    fair = await fairs.create_fair(FAIR_INPUT)
    a1 = (await fairs.create_booth(fair.id, BoothInput(employer=X))).id
    a2 = (await fairs.create_booth(fair.id, BoothInput(employer=X))).id
    b = (await fairs.create_booth(fair.id, BoothInput(employer=CN))).id
    await fairs.create_booth(fair.id, BoothInput(employer=FORMULA))
    recruiter_a = await people.add_recruiter(fair.id, a1, "Lò Thị Hoa")
    recruiter_b = await people.add_recruiter(fair.id, b, "王小明")
    moderator = await people.add_moderator(fair.id, "Quàng Văn Mod")
    names = ["Lò Văn Duy", "Cà Thị Thảo", "李伟", "Tòng Văn Sơn", "Điêu Thị Mai", "陈静"]
    workers = [
        await people.register_worker(fair.id, {"name": n, "contact": f"09123456{i:02d}"})
        for i, n in enumerate(names)
    ]
    script = Fair(tokens)
    try:
        # four workers open the lobby, two on each node; the last two never come
        w = [await script.ws(n1 if i < 2 else n2, workers[i], fair.id) for i in range(4)]
        staff_a = await script.ws(n1, recruiter_a, fair.id)
        staff_b = await script.ws(n1, recruiter_b, fair.id)
        mod = await script.ws(n2, moderator, fair.id)

        # booth b goes live: worker 0 watches it long enough, worker 1 only glances
        publisher = Publisher(staff_b, b)
        assert (await publisher.go_live())["type"] == "ack"
        await w[0].event("stream.live", timeout=15)
        await w[1].event("stream.live", timeout=15)
        watcher, glancer = Viewer(w[0], b), Viewer(w[1], b)
        assert (await watcher.watch())["type"] == "ack"
        assert (await glancer.watch())["type"] == "ack"
        await ok(w[1], "stream.leave", {"booth_id": b})
        await asyncio.sleep(float(WATCHED) + 1)
        await ok(w[0], "stream.leave", {"booth_id": b})

        # lines: workers 0 and 1 at a1, 2 at b, 3 at a2; a walk-in at a1 and at b
        await ok(w[0], "queue.join", {"booth_id": a1, "op": op()})
        await ok(w[1], "queue.join", {"booth_id": a1, "op": op()})
        await ok(w[2], "queue.join", {"booth_id": b, "op": op()})
        await ok(w[3], "queue.join", {"booth_id": a2, "op": op()})
        walk_in = {"name": "Nguyễn Văn Đến", "phone": "0912 000 111", "op": op()}
        await ok(mod, "queue.walk_in", {"booth_id": a1, **walk_in})
        await ok(mod, "queue.walk_in", {"booth_id": b, **walk_in, "op": op()})

        async def interview(staff: Frames, answer: Frames, outcome: str, finish: bool) -> None:
            called = await ok(staff, "queue.call_next", {"booth_id": called_at[staff], "op": op()})
            accepted = await ok(answer, "queue.accept", {"entry_id": called["id"], "op": op()})
            interview_id = accepted["interview_id"]
            record = {"interview_id": interview_id, "outcome": outcome}
            await ok(staff, "interview.record", record)
            if finish:
                await ok(staff, "queue.finish", {"interview_id": interview_id, "op": op()})

        called_at = {staff_a: a1, staff_b: b}
        await interview(staff_a, w[0], "passed", True)
        no_show = await ok(staff_a, "queue.call_next", {"booth_id": a1, "op": op()})
        await ok(staff_a, "queue.no_show", {"entry_id": no_show["id"], "op": op()})
        await interview(staff_a, staff_a, "not_suitable", True)  # the walk-in, answered by staff
        await interview(staff_b, w[2], "offer", True)
        await interview(staff_b, staff_b, "on_site", False)  # still under way
        await watcher.close()
        await glancer.close()
        await publisher.close()

        moderator_http = await script.session(n1, moderator)
        report = await everywhere(moderator_http, fair.id)
        assert by_employer(report) == EXPECTED
        assert report["fair"]["outcomes"] == OUTCOMES
        assert [b_["employer"] for b_ in report["booths"]].count(X) == 2  # per booth, too

        # a restart of one node closes its connections; nothing counted changes
        n1.stop()
        n1.start()
        moderator_http = await script.session(n1, moderator)
        assert by_employer(await everywhere(moderator_http, fair.id)) == EXPECTED

        # kill -9 of the other node: its open periods are closed at its lease's end
        n2.stop(signal.SIGKILL)
        for _ in range(100):
            if not await redis.zcard(keys.period_leases(fair.id)):
                break
            await asyncio.sleep(0.2)
        assert await redis.zcard(keys.period_leases(fair.id)) == 0
        late = [f for _, f in await redis.xrange(keys.facts(fair.id)) if "\t" in f.get("close", "")]
        assert len(late) >= 3  # workers 2 and 3 and the moderator, closed by the survivor
        after = await everywhere(moderator_http, fair.id)
        assert by_employer(after) == EXPECTED
        assert after["fair"]["peak_online"] == 4

        # every derived key deleted: the report is rebuilt from the facts alone
        kept = {keys.facts(fair.id), keys.fair(fair.id), keys.booths(fair.id)}
        rebuilt_from = Reports(redis, clock=lambda: _at(after), watched_seconds=float(WATCHED))
        before = await rebuilt_from.build(fair.id, moderator)
        for key in await redis.keys("*"):
            if key not in kept:
                await redis.delete(key)
        again = await rebuilt_from.build(fair.id, moderator)
        assert again == before
        assert by_employer(again) == EXPECTED
    finally:
        await script.close()


async def _at(report: dict[str, Any]) -> float:
    return datetime.fromisoformat(report["generated_at"]).timestamp()
