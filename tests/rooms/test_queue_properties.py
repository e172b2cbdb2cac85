"""Random sequences of queue operations by many actors, against the real Redis scripts and a
simple model of the rules: no entry is lost or duplicated, lines keep FIFO order except for
moderator reorders, positions are contiguous, nobody is in two calls at once, a refusal changes
nothing, and a retried operation has exactly one effect."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from redis.asyncio import Redis

from rooms.errors import DomainError
from rooms.fairs import Fairs
from rooms.models import BoothInput, Participant
from rooms.people import People
from rooms.queue import Queue, WalkInInput
from rooms.queue_views import QueueViews
from rooms.store import keys
from rooms.store.scripts import Scripts
from tests.clients import FAIR_INPUT
from tests.procs import RedisProcess

T = TypeVar("T")
BOOTHS, WORKERS, LIMIT = 3, 6, 3
ACTIVE = ("waiting", "held", "called", "interviewing")


@dataclass
class Model:
    """The rules, in plain Python: lines as lists, entries as (booth, worker, state)."""

    lines: list[list[str]]
    booth_of: dict[str, int]
    worker_of: dict[str, str]
    state: dict[str, str]
    busy: dict[str, str]  # worker or staff id -> entry id
    line_state: list[str]

    def entries_of(self, worker: str) -> list[str]:
        return [e for e, w in self.worker_of.items() if w == worker and self.state[e] in ACTIVE]

    def entry_at(self, worker: str, booth: int) -> str | None:
        found = [e for e in self.entries_of(worker) if self.booth_of[e] == booth]
        return found[0] if found else None

    def end(self, entry: str, state: str) -> None:
        """A call or interview ended: free both sides, release the worker's held entries."""
        self.state[entry] = state
        for who, busy_with in list(self.busy.items()):
            if busy_with == entry:
                del self.busy[who]
        for other in self.entries_of(self.worker_of[entry]):
            if self.state[other] == "held":
                self.state[other] = "waiting"


class QueueMachine(RuleBasedStateMachine):
    redis_url: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.ops = itertools.count(1)
        self.last: tuple[Callable[[str], Awaitable[dict[str, Any]]], str, dict[str, Any]] | None
        self.last = None

    def run(self, coro: Awaitable[T]) -> T:
        return self.loop.run_until_complete(coro)

    @initialize()
    def setup(self) -> None:
        self.redis = Redis.from_url(self.redis_url, decode_responses=True)
        self.run(self._build())

    async def _build(self) -> None:
        await self.redis.flushdb()
        scripts = Scripts(self.redis)
        fairs, people = Fairs(self.redis, scripts), People(self.redis, scripts)
        self.queue, self.views = Queue(self.redis, scripts), QueueViews(self.redis)
        fair = await fairs.create_fair(FAIR_INPUT)
        self.fair = fair.id
        self.booths = [
            (await fairs.create_booth(fair.id, BoothInput(employer=f"B{i}"))).id
            for i in range(BOOTHS)
        ]
        self.workers = [
            await people.register_worker(fair.id, {"name": f"W{i}", "contact": "0912345678"})
            for i in range(WORKERS)
        ]
        self.staff: list[tuple[Participant, int | None]] = [
            (await people.add_recruiter(fair.id, self.booths[0], "R0"), 0),
            (await people.add_recruiter(fair.id, self.booths[1], "R1"), 1),
            (await people.add_moderator(fair.id, "M"), None),
        ]
        self.model = Model([[] for _ in range(BOOTHS)], {}, {}, {}, {}, ["open"] * BOOTHS)

    def teardown(self) -> None:
        if hasattr(self, "redis"):
            self.run(self.redis.aclose())
        self.loop.close()

    # --- running an operation and comparing it with the model ----------------------------------

    def attempt(self, action: Callable[[str], Awaitable[dict[str, Any]]], expect_ok: bool) -> Any:
        """Run `action(op)`; it must succeed exactly when the model says so, and a refusal must
        leave every key as it was."""
        op = f"op{next(self.ops)}"
        before = self.run(self.snapshot())
        try:
            result = self.run(action(op))
        except DomainError as exc:
            assert not expect_ok, f"refused but the model allows it: {exc.code} {exc.message}"
            assert self.run(self.snapshot()) == before, "a refusal changed something"
            return None
        assert expect_ok, f"allowed but the model refuses it: {result}"
        self.last = (action, op, result)
        return result

    async def snapshot(self) -> dict[str, Any]:
        f = self.fair
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(keys.queue_entries(f))
            pipe.hgetall(keys.queue_index(f))
            pipe.hgetall(keys.queue_busy(f))
            for b in self.booths:
                pipe.zrange(keys.queue_line(f, b), 0, -1, withscores=True)
                pipe.zrange(keys.queue_active(f, b), 0, -1)
                pipe.hgetall(keys.queue_line_state(f, b))
            return {"all": await pipe.execute()}

    def allowed(self, staff: int, booth: int) -> bool:
        scope = self.staff[staff][1]
        return scope is None or scope == booth

    # --- workers ------------------------------------------------------------------------------

    @rule(w=st.integers(0, WORKERS - 1), b=st.integers(0, BOOTHS - 1))
    def join(self, w: int, b: int) -> None:
        m, worker = self.model, self.workers[w]
        ok = (
            m.line_state[b] != "closed"
            and m.entry_at(worker.id, b) is None
            and len(m.entries_of(worker.id)) < LIMIT
        )
        result = self.attempt(
            lambda op: self.queue.join(self.fair, worker, self.booths[b], "", op), ok
        )
        if result:
            self._add(result, b, worker.id, "held" if worker.id in m.busy else "waiting")

    def _add(self, result: dict[str, Any], b: int, worker: str, state: str) -> None:
        m = self.model
        assert result["state"] == state and result["position"] == len(m.lines[b]) + 1
        m.lines[b].append(result["id"])
        m.booth_of[result["id"]], m.worker_of[result["id"]] = b, worker
        m.state[result["id"]] = state

    @rule(w=st.integers(0, WORKERS - 1), b=st.integers(0, BOOTHS - 1))
    def leave(self, w: int, b: int) -> None:
        m, worker = self.model, self.workers[w]
        entry = m.entry_at(worker.id, b)
        if entry is None:
            return
        ok = m.state[entry] in ("waiting", "held")
        if self.attempt(lambda op: self.queue.leave(self.fair, worker, entry, op), ok):
            m.lines[b].remove(entry)
            m.state[entry] = "left"

    @rule(w=st.integers(0, WORKERS - 1), b=st.integers(0, BOOTHS - 1), accept=st.booleans())
    def answer(self, w: int, b: int, accept: bool) -> None:
        m, worker = self.model, self.workers[w]
        entry = m.entry_at(worker.id, b)
        if entry is None:
            return
        action = self.queue.accept if accept else self.queue.decline
        ok = m.state[entry] == "called"
        if self.attempt(lambda op: action(self.fair, worker, entry, op), ok):
            if accept:
                m.state[entry] = "interviewing"
            else:
                m.end(entry, "declined")

    # --- staff ------------------------------------------------------------------------------

    @rule(s=st.integers(0, 2), b=st.integers(0, BOOTHS - 1))
    def call_next(self, s: int, b: int) -> None:
        m, who = self.model, self.staff[s][0]
        waiting = [e for e in m.lines[b] if m.state[e] == "waiting"]
        ok = (
            self.allowed(s, b)
            and m.line_state[b] != "paused"
            and who.id not in m.busy
            and bool(waiting)
        )
        result = self.attempt(
            lambda op: self.queue.call_next(self.fair, who, self.booths[b], op), ok
        )
        if result:
            assert result["id"] == waiting[0], "call next skipped the first waiting entry"
            self._called(waiting[0], who.id)

    @rule(s=st.integers(0, 2), b=st.integers(0, BOOTHS - 1), pick=st.integers(0, 20))
    def call_chosen(self, s: int, b: int, pick: int) -> None:
        m, who = self.model, self.staff[s][0]
        if not m.lines[b]:
            return
        entry = m.lines[b][pick % len(m.lines[b])]
        ok = (
            self.allowed(s, b)
            and m.line_state[b] != "paused"
            and who.id not in m.busy
            and m.state[entry] == "waiting"
        )
        if self.attempt(lambda op: self.queue.call(self.fair, who, entry, op), ok):
            self._called(entry, who.id)

    def _called(self, entry: str, staff: str) -> None:
        m = self.model
        m.lines[m.booth_of[entry]].remove(entry)
        m.state[entry] = "called"
        worker = m.worker_of[entry]
        m.busy[worker] = m.busy[staff] = entry
        for other in m.entries_of(worker):
            if m.state[other] == "waiting":
                m.state[other] = "held"

    @rule(s=st.integers(0, 2), finish=st.booleans())
    def end_call(self, s: int, finish: bool) -> None:
        """The staff member ends their own call: no-show, or finish the interview."""
        m, who = self.model, self.staff[s][0]
        entry = m.busy.get(who.id)
        if entry is None:
            return
        state = m.state[entry]
        if finish:
            if state != "interviewing":
                return
            interview = self.run(self.queue.entry(self.fair, entry))["interview_id"]
            if self.attempt(lambda op: self.queue.finish(self.fair, who, interview, op), True):
                m.end(entry, "done")
        elif self.attempt(
            lambda op: self.queue.no_show(self.fair, who, entry, op), state == "called"
        ):
            m.end(entry, "no_show")

    @rule(s=st.integers(0, 2))
    def accept_walk_in(self, s: int) -> None:
        m, who = self.model, self.staff[s][0]
        entry = m.busy.get(who.id)
        if entry is None or not m.worker_of[entry].startswith("walkin:"):
            return
        ok = m.state[entry] == "called" and self.allowed(s, m.booth_of[entry])
        if self.attempt(lambda op: self.queue.accept(self.fair, who, entry, op), ok):
            m.state[entry] = "interviewing"

    # --- moderators --------------------------------------------------------------------------

    @rule(b=st.integers(0, BOOTHS - 1))
    def walk_in(self, b: int) -> None:
        mod = self.staff[2][0]
        data = WalkInInput(name="Khách", phone="0987654321")
        ok = self.model.line_state[b] != "closed"
        result = self.attempt(
            lambda op: self.queue.walk_in(self.fair, mod, self.booths[b], data, op), ok
        )
        if result:
            self._add(result, b, result["worker_id"], "waiting")

    @rule(b=st.integers(0, BOOTHS - 1), pick=st.integers(0, 20), to=st.integers(1, 12))
    def reorder(self, b: int, pick: int, to: int) -> None:
        m, mod = self.model, self.staff[2][0]
        if not m.lines[b]:
            return
        entry = m.lines[b][pick % len(m.lines[b])]
        if self.attempt(lambda op: self.queue.reorder(self.fair, mod, entry, to, op), True):
            m.lines[b].remove(entry)
            m.lines[b].insert(min(to, len(m.lines[b]) + 1) - 1, entry)

    @rule(b=st.integers(0, BOOTHS - 1), pick=st.integers(0, 20))
    def remove(self, b: int, pick: int) -> None:
        m, mod = self.model, self.staff[2][0]
        if not m.lines[b]:
            return
        entry = m.lines[b][pick % len(m.lines[b])]
        if self.attempt(lambda op: self.queue.remove(self.fair, mod, entry, op), True):
            m.lines[b].remove(entry)
            m.state[entry] = "removed"

    @rule(b=st.integers(0, BOOTHS - 1), change=st.sampled_from(["pause", "resume", "close"]))
    def change_line(self, b: int, change: str) -> None:
        m, mod = self.model, self.staff[2][0]
        now = m.line_state[b]
        ok = {"pause": now == "open", "resume": now != "open", "close": now != "closed"}[change]
        action = self.queue.change_line
        if self.attempt(lambda op: action(self.fair, mod, self.booths[b], change, None, op), ok):  # type: ignore[arg-type]
            m.line_state[b] = {"pause": "paused", "resume": "open", "close": "closed"}[change]

    @rule()
    def retry_last(self) -> None:
        """The last successful message again, same op id: same answer, no new effect."""
        if self.last is None:
            return
        action, op, result = self.last
        before = self.run(self.snapshot())
        assert self.run(action(op)) == result
        assert self.run(self.snapshot()) == before

    # --- what must always hold ----------------------------------------------------------------

    @invariant()
    def matches_the_model(self) -> None:
        if not hasattr(self, "model"):
            return
        self.run(self._check())

    async def _check(self) -> None:
        m, f = self.model, self.fair
        raw = await self.redis.hgetall(keys.queue_entries(f))
        entries = {i: json.loads(r) for i, r in raw.items()}
        assert {i: e["state"] for i, e in entries.items()} == m.state
        for b, booth in enumerate(self.booths):
            assert await self.redis.zrange(keys.queue_line(f, booth), 0, -1) == m.lines[b]
            active = await self.redis.zrange(keys.queue_active(f, booth), 0, -1)
            expected = {e for e in m.state if m.booth_of[e] == b and m.state[e] in ACTIVE[2:]}
            assert set(active) == expected
        assert await self.redis.hgetall(keys.queue_busy(f)) == m.busy
        in_call: dict[str, int] = {}
        for e in entries.values():
            if e["state"] in ("called", "interviewing"):
                in_call[e["worker_id"]] = in_call.get(e["worker_id"], 0) + 1
        assert all(n == 1 for n in in_call.values()), "a worker is in two calls"
        for worker in self.workers:
            for place in await self.views.mine(f, worker.id):
                if place["position"] is not None:
                    line = m.lines[m.booth_of[place["id"]]]
                    assert place["position"] == line.index(place["id"]) + 1
                    assert place["size"] == len(line)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_random_operations_by_many_actors_keep_the_queue_consistent(
    redis_server: RedisProcess,
) -> None:
    QueueMachine.redis_url = redis_server.url.rsplit("/", 1)[0] + "/2"  # not the nodes' db
    QueueMachine.TestCase.settings = settings(
        max_examples=60,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    QueueMachine.TestCase().runTest()
