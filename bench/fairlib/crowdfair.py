"""The fair that bench/fair.py runs: its clients, what each does, and what each frame proves.

Every action goes through the fair websocket as a page sends it (or, for a booth edit, the HTTP
API as the booth page calls it), so every command passes `rooms/commands/` like any other.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.fairlib.deliveries import Deliveries
from bench.queuelib.crowd import gather_crowd
from bench.queuelib.procs import Cluster
from bench.queuelib.wsclient import Client, connect
from rooms.models import Participant
from server.auth import CSRF_COOKIE, CSRF_HEADER

POSITION = '{"type":"event","event":"queue.position"'
LOBBY = '{"type":"event","event":"booth.updated"'
QUESTION = '{"type":"event","event":"qa.question"'
SCORES = '{"type":"event","event":"qa.scores"'
STAGE = "stage"
ASK_SHARE = 0.2


@dataclass
class Attendee:
    client: Client
    lines: dict[str, str] = field(default_factory=dict)  # booth -> entry id
    pos: dict[str, int] = field(default_factory=dict)  # booth -> last place seen
    channel: str = STAGE
    voted: set[str] = field(default_factory=set)
    scores: dict[str, tuple[int, float]] = field(default_factory=dict)  # question -> votes, when


class Fair:
    def __init__(self, cluster: Cluster, attendees: int, booths: int, lines: int, speed: float):
        self.cluster, self.n, self.booth_count, self.line_count = cluster, attendees, booths, lines
        self.speed = speed
        self.deliveries = Deliveries()
        self.answers: dict[str, list[float]] = {}
        self.failed: dict[str, int] = {}
        self.running = False
        self.rss_per_conn_kb = 0.0
        self.people: list[Attendee] = []
        self.members: dict[str, set[int]] = {}  # booth -> attendees waiting in its line
        self.entry_of: dict[str, int] = {}
        self.watchers: dict[str, set[int]] = {}  # Q&A channel -> attendees watching it
        self.questions: dict[str, list[str]] = {}
        self.vote_keys: dict[str, set[object]] = {}
        self.staff: list[Client] = []
        self.numbers = itertools.count()
        self.loop = asyncio.get_running_loop()
        self.lags: list[float] = []  # how late this process's own loop woke, ms, every 50 ms

    # -- setting up -------------------------------------------------------------------------

    async def setup(self) -> None:
        cluster = self.cluster
        crowd = await gather_crowd(cluster.redis_url, cluster.secret, self.n, self.booth_count)
        self.crowd, self.booths = crowd, crowd.booths
        self.lines = crowd.booths[: self.line_count]
        self.members = {b: set() for b in self.lines}
        rss0 = cluster.node_rss_kb()
        self.staff = await self._connect_all(crowd.recruiters)
        clients = await self._connect_all(crowd.workers)
        for i, client in enumerate(clients):
            client.state["i"] = i
            self.people.append(Attendee(client))
        self.http = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{p}") for p in cluster.ports]
        self.csrf = "bench-csrf-token"
        await self._batches(self._first_lines, range(self.n))
        await self._batches(self._watch, range(self.n))
        await asyncio.sleep(3.0)
        self.rss_per_conn_kb = (cluster.node_rss_kb() - rss0) / (self.n + len(self.staff))

    async def _connect_all(self, who: list[Participant]) -> list[Client]:
        ports, path = self.cluster.ports, self.crowd.path

        async def one(k: int, p: Participant) -> Client:
            port = ports[k % len(ports)]
            return await connect("127.0.0.1", port, path, self.crowd.cookie(p), self.on_text)

        clients: list[Client] = []
        for start in range(0, len(who), 100):
            clients += await asyncio.gather(
                *(one(k, p) for k, p in enumerate(who[start : start + 100], start))
            )
        return clients

    async def _batches(self, work: Callable[[int], Awaitable[None]], items: range) -> None:
        for start in range(0, len(items), 200):
            await asyncio.gather(*(work(i) for i in items[start : start + 200]))

    async def _first_lines(self, i: int) -> None:
        for booth in random.sample(self.lines, random.randint(1, 3)):
            await self.join(i, booth)

    async def _watch(self, i: int) -> None:
        person = self.people[i]
        person.channel = STAGE if i % 2 == 0 or not person.lines else next(iter(person.lines))
        answer = await self._ask("watch", person.client, "qa.list", {"channel": person.channel})
        if answer is not None:
            self.watchers.setdefault(person.channel, set()).add(i)
            known = self.questions.setdefault(person.channel, [])
            if not known:
                known += [q["id"] for q in answer["questions"]]

    # -- what attendees and recruiters do ---------------------------------------------------

    async def every(self, first: float, period: float, act: Callable[..., Awaitable[None]],
                    *args: Any) -> None:  # fmt: skip
        """Run `act(*args)` at `first`, then every `period` seconds, while the run goes on."""
        start = self.loop.time() + first
        for k in itertools.count():
            await asyncio.sleep(max(0.0, start + k * period - self.loop.time()))
            if not self.running:
                return
            try:
                await act(*args)
            except (ConnectionError, httpx.HTTPError):
                self.failed[act.__name__] = self.failed.get(act.__name__, 0) + 1

    async def lag(self) -> None:
        while self.running:
            due = self.loop.time() + 0.05
            await asyncio.sleep(0.05)
            self.lags.append((self.loop.time() - due) * 1000)

    async def join(self, i: int, booth: str) -> None:
        person = self.people[i]
        data = {"booth_id": booth, "op": f"j{next(self.numbers)}"}
        answer = await self._ask("join", person.client, "queue.join", data)
        if answer is not None:
            person.lines[booth] = answer["id"]
            person.pos[booth] = answer["position"]
            self.entry_of[answer["id"]] = i
            self.members[booth].add(i)

    async def call_next(self, booth: str) -> None:
        staff = self.staff[self.booths.index(booth)]
        waiting = set(self.members[booth])
        if not waiting:
            return  # nobody in line (that the bench knows of) to call
        baseline = {i: self.people[i].pos.get(booth, 1 << 30) for i in waiting}
        key = ("position", booth)
        self.deliveries.start("position", key, self.loop.time(), waiting, baseline=baseline)
        data = {"booth_id": booth, "op": f"c{next(self.numbers)}"}
        called = await self._ask("call_next", staff, "queue.call_next", data, empty="invalid_state")
        if called is None:
            self.deliveries.cancel(key)
            return
        i = self.entry_of.pop(called["id"], None)
        if i is not None:  # the one called, and anyone held ahead of it, do not move
            ahead = baseline.get(i, 0)
            for j, place in baseline.items():
                if place <= ahead:
                    self.deliveries.drop(key, j)
            self.members[booth].discard(i)
            self.people[i].lines.pop(booth, None)
        data = {"entry_id": called["id"], "op": f"n{next(self.numbers)}"}
        await self._ask("no_show", staff, "queue.no_show", data)
        if i is not None:
            await asyncio.sleep(1.0 / self.speed)
            others = [b for b in self.lines if b not in self.people[i].lines]
            await self.join(i, random.choice(others))

    async def edit_booth(self) -> None:
        n = next(self.numbers)
        k = n % len(self.booths)
        recruiter = self.crowd.recruiters[k]
        key = ("lobby", n)
        self.deliveries.start("lobby", key, self.loop.time(), set(range(self.n)))
        cookies = f"{self.crowd.cookie(recruiter)}; {CSRF_COOKIE}={self.csrf}"
        started = self.loop.time()
        answer = await self.http[k % len(self.http)].patch(
            f"/api/fairs/{self.crowd.fair_id}/booths/{self.booths[k]}",
            json={"description": f"Đang tuyển lobby-edit-{n}-"},
            headers={"cookie": cookies, CSRF_HEADER: self.csrf},
        )
        if answer.status_code != 200:
            self.deliveries.cancel(key)
            self.failed["edit_booth"] = self.failed.get("edit_booth", 0) + 1
            return
        self.answers.setdefault("edit_booth", []).append((self.loop.time() - started) * 1000)

    async def vote_or_ask(self, i: int) -> None:
        person = self.people[i]
        channel = person.channel
        known = self.questions.setdefault(channel, [])
        choice = random.choice(known) if known else None
        if choice is None or choice in person.voted or random.random() < ASK_SHARE:
            await self._ask_question(person, channel)
            return
        key = ("votes", next(self.numbers))
        waiting = set(self.watchers.get(channel, ()))
        pending = self.deliveries.start("votes", key, self.loop.time(), waiting, q=choice)
        self.vote_keys.setdefault(channel, set()).add(key)
        person.voted.add(choice)
        answer = await self._ask("vote", person.client, "qa.vote", {"question_id": choice})
        if answer is None:
            self.deliveries.cancel(key)
        elif pending is not None:
            count = pending.info["count"] = answer["votes"]
            for j in list(pending.waiting):  # counts that arrived before this answer did
                votes, at = self.people[j].scores.get(choice, (-1, 0.0))
                if votes >= count:
                    self.deliveries.got(key, j, at)

    async def _ask_question(self, person: Attendee, channel: str) -> None:
        n = next(self.numbers)
        key = ("question", n)
        self.deliveries.start(
            "question", key, self.loop.time(), set(self.watchers.get(channel, ()))
        )
        data = {"channel": channel, "text": f"Có phải đặt cọc không? fairq-{n}-", "op": f"a{n}"}
        answer = await self._ask("ask", person.client, "qa.ask", data)
        if answer is None:
            self.deliveries.cancel(key)
        else:
            self.questions.setdefault(channel, []).append(answer["id"])
            person.voted.add(answer["id"])  # one's own question takes no vote from oneself

    async def browse(self, i: int) -> None:
        await self._ask("browse", self.people[i].client, "fair.snapshot", {})

    async def _ask(
        self, kind: str, client: Client, type_: str, data: dict[str, Any], empty: str = ""
    ) -> dict[str, Any] | None:
        """The answer's data, timed under `kind`; None for an error, counted as failed unless
        its code is `empty` (nothing to do: e.g. calling an empty line)."""
        started = self.loop.time()
        answer = await client.request(type_, data)
        if answer["type"] != "ack":
            if answer.get("code") != empty:
                self.failed[kind] = self.failed.get(kind, 0) + 1
            return None
        self.answers.setdefault(kind, []).append((self.loop.time() - started) * 1000)
        result: dict[str, Any] = answer["data"]
        return result

    # -- what clients receive ---------------------------------------------------------------

    def on_text(self, client: Client, text: str) -> None:
        i = client.state.get("i")
        if i is None:
            return  # a recruiter's frame
        now = self.loop.time()
        if text.startswith(LOBBY):
            self.deliveries.got(("lobby", _number(text, "lobby-edit-")), i, now)
        elif text.startswith(POSITION):
            data = json.loads(text)["data"]
            booth, place = data["booth_id"], data["position"]
            self.people[i].pos[booth] = place
            key = ("position", booth)
            pending = self.deliveries.open.get(key)
            if pending is not None and place < pending.info["baseline"].get(i, 0):
                self.deliveries.got(key, i, now)
        elif text.startswith(QUESTION):
            if "fairq-" in text:
                self.deliveries.got(("question", _number(text, "fairq-")), i, now)
        elif text.startswith(SCORES):
            data = json.loads(text)["data"]
            seen = self.people[i].scores
            for question, votes in data["scores"].items():
                seen[question] = (votes, now)
            keys = self.vote_keys.get(data["channel"], set())
            for key in list(keys):
                pending = self.deliveries.open.get(key)
                if pending is None:
                    keys.discard(key)
                    continue
                count = pending.info.get("count")
                seen = data["scores"].get(pending.info["q"])
                if count is not None and seen is not None and seen >= count:
                    self.deliveries.got(key, i, now)

    async def close(self) -> None:
        for client in self.staff:
            client.close()
        for person in self.people:
            person.client.close()
        for http in self.http:
            await http.aclose()


def _number(text: str, marker: str) -> int:
    start = text.index(marker) + len(marker)
    return int(text[start : text.index("-", start)])
