"""The fold of a fair's facts into what a report counts: fed in stream order, read at any moment.

Everything here follows from the facts alone (rooms/reports/facts.py), so a report can be rebuilt
from them at any time with the same numbers. A live dashboard feeds each new fact once; reading
is proportional to the people and periods, never to the facts again. Definitions: docs/reports.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import get_args

from rooms.interview_room import Outcome

WATCHED_SECONDS = 30  # a worker "watched" a booth after this long on its live stream, in total
BUCKET_SECONDS = 300  # attendance over time, per 5 minutes
MOST_BUCKETS = 2 * 24 * 12  # two days of buckets at most (the latest ones)
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)  # passed, on_site, offer, not_suitable, no_show
PASSED = frozenset({"passed", "on_site", "offer"})  # counted as "passed" (the qualifying round)
NO_SHOW_ENDS = frozenset({"no_show", "expire"})  # a call nobody came to

Interval = tuple[str, float, float]  # (participant, from, to)


@dataclass(slots=True)
class Entry:
    booth: str
    person: str  # a worker id, or "w:" + the walk-in's key (one person at several booths)
    online: bool
    joined: float
    waited: float | None = None  # from joining to being called


@dataclass(slots=True)
class Interview:
    booth: str
    person: str
    caller: str
    start: float
    waited: float | None
    end: float | None = None
    outcome: str = ""


@dataclass(slots=True)
class Period:
    kind: str  # c: connected to the fair, v: watching a booth
    user: str
    role: str
    booth: str
    start: float


@dataclass(slots=True)
class Booth:
    """What happened at one booth, as sets of people: rows of employers and totals are unions."""

    registered: set[str] = field(default_factory=set)  # booked a time or joined online
    reached: set[str] = field(default_factory=set)  # joined its line online or watched at all
    on_site: set[str] = field(default_factory=set)
    joined: set[str] = field(default_factory=set)
    interviewed: set[str] = field(default_factory=set)
    no_show: set[str] = field(default_factory=set)
    waits: list[float] = field(default_factory=list)
    interviews: list[str] = field(default_factory=list)
    line: dict[str, float] = field(default_factory=dict)  # entry -> joined, of those in line now
    calling: dict[str, str] = field(default_factory=dict)  # entry -> caller, of calls under way
    live: list[tuple[float, float]] = field(default_factory=list)
    live_since: float | None = None
    views: list[Interval] = field(default_factory=list)  # closed watching periods


@dataclass(slots=True)
class Poll:
    channel: str
    kind: str  # poll | quiz
    counts: list[int]  # answers per option
    closed: bool = False
    correct_answers: int = 0  # a drawn quiz: how many answered correctly (the draw's pool)
    winners: list[str] = field(default_factory=list)
    seed: str = ""


class Tally:
    def __init__(self) -> None:
        self.last_id = "-"
        self.registered: set[str] = set()
        self.booths: defaultdict[str, Booth] = defaultdict(Booth)
        self.entries: dict[str, Entry] = {}
        self.interviews: dict[str, Interview] = {}
        self.questions: dict[str, tuple[str, str, str]] = {}  # id -> channel, status, answered
        self.polls: dict[str, Poll] = {}
        self.periods: dict[str, Period] = {}  # open ones
        self.connected: list[Interval] = []  # closed connection periods of workers
        self._presence_changes = 0  # workers' connection opens and closes so far
        self._peak: tuple[int, int] = (-1, 0)  # (at how many changes, the peak then)

    def feed(self, lines: Iterable[str]) -> int:
        """Fold facts in stream order (lines of `facts_read.lua`: id, kind, fields, by tabs; a
        fact's time is its id's, or for a late close the moment it names); returns how many."""
        n, handlers, entry_id = 0, _HANDLERS, ""
        for line in lines:
            entry_id, kind, value = line.split("\t", 2)
            f = value.split("\t")
            handler = handlers.get(kind)
            if handler is not None:  # a kind this version does not know is skipped
                at = float(f[1]) if kind == "close" and len(f) > 1 else 0.0
                handler(self, at or int(entry_id.partition("-")[0]) / 1000, f)
            n += 1
        if n:
            self.last_id = entry_id
        return n

    # --- the folds, one per kind ---------------------------------------------------------------

    def _reg(self, at: float, f: list[str]) -> None:
        self.registered.add(f[0])

    def _join(self, at: float, f: list[str]) -> None:
        booth_id, entry_id, worker, walk_in = f[0], f[1], f[2], f[3] if len(f) > 3 else ""
        person = f"w:{walk_in}" if walk_in else worker
        self.entries[entry_id] = Entry(booth_id, person, not walk_in, at)
        booth = self.booths[booth_id]
        booth.joined.add(person)
        booth.line[entry_id] = at
        if walk_in:
            booth.on_site.add(person)
        else:
            booth.registered.add(person)
            booth.reached.add(person)

    def _leave(self, at: float, f: list[str]) -> None:
        self.booths[f[0]].line.pop(f[1], None)

    def _call(self, at: float, f: list[str]) -> None:
        booth = self.booths[f[0]]
        joined = booth.line.pop(f[1], None)
        if joined is not None:
            booth.waits.append(at - joined)
            self.entries[f[1]].waited = at - joined
        booth.calling[f[1]] = f[2]

    def _end(self, at: float, f: list[str]) -> None:
        booth_id, entry_id, mode, interview_id, caller = f
        booth = self.booths[booth_id]
        booth.calling.pop(entry_id, None)
        entry = self.entries.get(entry_id)
        person = entry.person if entry else entry_id
        if mode == "accept":
            waited = entry.waited if entry else None
            self.interviews[interview_id] = Interview(booth_id, person, caller, at, waited)
            booth.interviewed.add(person)
            booth.interviews.append(interview_id)
        elif mode in NO_SHOW_ENDS:
            booth.no_show.add(person)
        elif mode in ("finish", "end") and interview_id in self.interviews:
            self.interviews[interview_id].end = at

    def _outcome(self, at: float, f: list[str]) -> None:
        interview = self.interviews.get(f[1])
        if interview is not None:
            interview.outcome = f[2]

    def _book(self, at: float, f: list[str]) -> None:
        self.booths[f[0]].registered.add(f[2])

    def _question(self, at: float, f: list[str]) -> None:
        self.questions[f[1]] = (f[0], f[2], f[3])

    def _poll(self, at: float, f: list[str]) -> None:
        self.polls[f[1]] = Poll(channel=f[0], kind=f[2], counts=[0] * int(f[3]))

    def _poll_answer(self, at: float, f: list[str]) -> None:
        poll = self.polls.get(f[1])
        if poll is not None:
            poll.counts[int(f[3])] += 1

    def _poll_close(self, at: float, f: list[str]) -> None:
        poll = self.polls.get(f[1])
        if poll is not None:
            poll.closed = True

    def _draw(self, at: float, f: list[str]) -> None:
        poll = self.polls.get(f[1])
        if poll is not None:
            poll.seed, poll.correct_answers = f[2], int(f[3])
            poll.winners = f[4].split(",") if f[4] else []

    def _live(self, at: float, f: list[str]) -> None:
        booth = self.booths[f[0]]
        if booth.live_since is None:
            booth.live_since = at

    def _off(self, at: float, f: list[str]) -> None:
        booth = self.booths[f[0]]
        if booth.live_since is not None:
            booth.live.append((booth.live_since, at))
            booth.live_since = None

    def _open(self, at: float, f: list[str]) -> None:
        period_id, kind, user, role, booth = f
        self.periods[period_id] = Period(kind, user, role, booth, at)
        if role == "worker":
            if kind == "v":
                self.booths[booth].reached.add(user)
            else:
                self._presence_changes += 1

    def _close(self, at: float, f: list[str]) -> None:
        period = self.periods.pop(f[0], None)
        if period is None or period.role != "worker":
            return
        span = (period.user, period.start, max(at, period.start))
        if period.kind == "c":
            self.connected.append(span)
            self._presence_changes += 1
        else:
            self.booths[period.booth].views.append(span)

    # --- reading -------------------------------------------------------------------------------

    def open_intervals(self, now: float, kind: str, booth: str | None = None) -> list[Interval]:
        return [
            (p.user, p.start, max(now, p.start))
            for p in self.periods.values()
            if p.kind == kind and p.role == "worker" and (booth is None or p.booth == booth)
        ]

    def connections(self, now: float) -> list[Interval]:
        """Every worker's connection periods, the open ones up to `now`."""
        return [*self.connected, *self.open_intervals(now, "c")]

    def views(self, booth_id: str, now: float) -> list[Interval]:
        return [*self.booths[booth_id].views, *self.open_intervals(now, "v", booth_id)]

    def watched(self, booth_id: str, now: float, least: float = WATCHED_SECONDS) -> set[str]:
        """Workers who watched the booth's live stream for `least` seconds in all."""
        booth = self.booths[booth_id]
        live = list(booth.live)
        if booth.live_since is not None:
            live.append((booth.live_since, now))
        seconds: defaultdict[str, float] = defaultdict(float)
        for user, a, b in self.views(booth_id, now):
            for start, end in live:
                overlap = min(b, end) - max(a, start)
                if overlap > 0:
                    seconds[user] += overlap
        return {user for user, s in seconds.items() if s >= least}

    def peak_online(self, now: float) -> int:
        """The most workers connected at once; swept again only after a connection changed."""
        if self._peak[0] != self._presence_changes:
            self._peak = (self._presence_changes, peak(self.connections(now))[0])
        return self._peak[1]

    def online_now(self) -> set[str]:
        return {p.user for p in self.periods.values() if p.kind == "c" and p.role == "worker"}

    def viewers_now(self, booth_id: str) -> set[str]:
        return {
            p.user
            for p in self.periods.values()
            if p.kind == "v" and p.role == "worker" and p.booth == booth_id
        }

    def staff_online(self, booth_id: str) -> set[str]:
        return {
            p.user
            for p in self.periods.values()
            if p.kind == "c" and p.role == "recruiter" and p.booth == booth_id
        }

    def passed(self, booth_id: str) -> set[str]:
        return {
            self.interviews[i].person
            for i in self.booths[booth_id].interviews
            if self.interviews[i].outcome in PASSED
        }

    def no_shows(self, booth_id: str) -> set[str]:
        """Called and never came, or interviewed with the outcome "no-show"."""
        marked = {
            self.interviews[i].person
            for i in self.booths[booth_id].interviews
            if self.interviews[i].outcome == "no_show"
        }
        return self.booths[booth_id].no_show | marked


def peak(intervals: list[Interval]) -> tuple[int, float | None]:
    """The most participants at once (each counted once however many periods), and when."""
    changes: list[tuple[float, int]] = []
    for a, b in _merged(intervals):
        changes.append((a, 1))
        changes.append((b, -1))
    changes.sort()  # at the same moment, a leave (-1) sorts before a join
    most, when, now = 0, None, 0
    for at, step in changes:
        now += step
        if now > most:
            most, when = now, at
    return most, when


def _merged(intervals: list[Interval]) -> list[tuple[float, float]]:
    by_user: defaultdict[str, list[tuple[float, float]]] = defaultdict(list)
    for user, a, b in intervals:
        by_user[user].append((a, b))
    out: list[tuple[float, float]] = []
    for spans in by_user.values():
        spans.sort()
        start, end = spans[0]
        for a, b in spans[1:]:
            if a > end:
                out.append((start, end))
                start, end = a, b
            elif b > end:
                end = b
        out.append((start, end))
    return out


def buckets(intervals: list[Interval]) -> list[tuple[float, int]]:
    """Participants present in each 5-minute bucket (start, count), from the first to the last."""
    seen: defaultdict[int, set[str]] = defaultdict(set)
    for user, a, b in intervals:
        for k in range(int(a // BUCKET_SECONDS), int(b // BUCKET_SECONDS) + 1):
            seen[k].add(user)
    if not seen:
        return []
    last = max(seen)
    first = max(min(seen), last - MOST_BUCKETS + 1)
    return [(k * BUCKET_SECONDS, len(seen.get(k, ()))) for k in range(first, last + 1)]


def nearest_rank(values: list[float], share: float) -> int | None:
    """The `share` percentile by nearest rank, in whole seconds (None without values)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)])


_HANDLERS = {
    "reg": Tally._reg,
    "join": Tally._join,
    "leave": Tally._leave,
    "call": Tally._call,
    "end": Tally._end,
    "outcome": Tally._outcome,
    "book": Tally._book,
    "q": Tally._question,
    "poll": Tally._poll,
    "pans": Tally._poll_answer,
    "pclose": Tally._poll_close,
    "draw": Tally._draw,
    "live": Tally._live,
    "off": Tally._off,
    "open": Tally._open,
    "close": Tally._close,
}
