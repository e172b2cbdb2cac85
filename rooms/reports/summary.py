"""A report and a live dashboard, read from a `Tally` at one moment, for a fair or some booths.

Rows of booths, of employers (an employer with several booths: one row over them) and of the
fair are unions of sets of people, so a person counts once per row however often they came back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rooms.reports.tally import (
    OUTCOMES,
    PASSED,
    WATCHED_SECONDS,
    Interval,
    Tally,
    buckets,
    nearest_rank,
    peak,
)

COUNTS = (
    "registered",
    "attended_online",
    "attended_on_site",
    "watched",
    "joined_line",
    "interviewed",
    "passed",
    "no_show",
)
EXTRA = ("interviews", "questions_asked", "questions_answered")  # also summed in a series
LONG_LINE = 5  # a line this long with a recruiter free stands out on the dashboard
LONG_WAIT = 20 * 60  # so does a line whose first person has waited longer than this


@dataclass(frozen=True, slots=True)
class Scope:
    """What a report covers: the whole fair (`booths` None: every booth, and the fair's own
    counts) or some booths (a recruiter's own: totals over those booths only)."""

    booths: frozenset[str] | None = None

    @property
    def whole_fair(self) -> bool:
        return self.booths is None


def iso(at: float | None, tz: ZoneInfo) -> str | None:
    return None if at is None else datetime.fromtimestamp(at, UTC).astimezone(tz).isoformat()


def row(
    t: Tally, booth_ids: Iterable[str], now: float, watched: dict[str, set[str]]
) -> dict[str, Any]:
    """The counts over some booths (people once each)."""
    ids = list(booth_ids)
    booths = [t.booths[b] for b in ids]

    def union(sets: Iterable[set[str]]) -> int:
        return len(set().union(*sets))

    interviews = [t.interviews[i] for b in booths for i in b.interviews]
    outcomes = {name: 0 for name in OUTCOMES}
    for interview in interviews:
        if interview.outcome in outcomes:
            outcomes[interview.outcome] += 1
    waits = [w for b in booths for w in b.waits]
    channels = set(ids)
    asked = [q for q in t.questions.values() if q[0] in channels and q[1] != "merged"]
    return {
        "registered": union(b.registered for b in booths),
        "attended_online": union(b.reached for b in booths),
        "attended_on_site": union(b.on_site for b in booths),
        "watched": union(watched[b] for b in ids),
        "joined_line": union(b.joined for b in booths),
        "interviewed": union(b.interviewed for b in booths),
        "passed": len({i.person for i in interviews if i.outcome in PASSED}),
        "no_show": union(t.no_shows(b) for b in ids),
        "interviews": len(interviews),
        "outcomes": outcomes,
        "wait_median_s": nearest_rank(waits, 0.5),
        "wait_p90_s": nearest_rank(waits, 0.9),
        "questions_asked": len(asked),
        "questions_answered": sum(1 for q in asked if q[2] == "1"),
    }


def report(
    t: Tally,
    fair: dict[str, Any],
    employers: dict[str, str],
    scope: Scope,
    now: float,
    tz: ZoneInfo,
    watched_seconds: float = WATCHED_SECONDS,
) -> dict[str, Any]:
    """The report's JSON. `employers`: booth id -> employer name, of every booth of the fair."""
    ids = sorted(employers) if scope.booths is None else sorted(scope.booths & employers.keys())
    watched = {b: t.watched(b, now, watched_seconds) for b in ids}
    total = row(t, ids, now, watched)
    presence: list[Interval]
    if scope.whole_fair:
        presence = t.connections(now)
        asked = [q for q in t.questions.values() if q[1] != "merged"]
        total.update(
            registered=len(t.registered),
            attended_online=len({user for user, _, _ in presence}),
            watched=len(set().union(*watched.values())),
            questions_asked=len(asked),
            questions_answered=sum(1 for q in asked if q[2] == "1"),
        )
    else:
        presence = [v for b in ids for v in t.views(b, now)]
    most, when = peak(presence)
    total.update(peak_online=most, peak_at=iso(when, tz))
    by_employer: dict[str, list[str]] = {}
    for b in ids:
        by_employer.setdefault(employers[b], []).append(b)
    return {
        "fair_id": fair["id"],
        "title": fair["title"],
        "timezone": tz.key,
        "scope": "fair" if scope.whole_fair else "booth",
        "generated_at": iso(now, tz),
        "through": t.last_id,
        "watched_seconds": watched_seconds,
        "fair": total,
        "booths": [
            {"booth_id": b, "employer": employers[b], **row(t, [b], now, watched)}
            for b in sorted(ids, key=lambda b: (employers[b].casefold(), b))
        ],
        "employers": [
            {"employer": name, "booth_ids": booths, **row(t, booths, now, watched)}
            for name, booths in sorted(by_employer.items(), key=lambda kv: kv[0].casefold())
        ],
        "attendance": [{"at": iso(at, tz), "present": n} for at, n in buckets(presence)],
        "polls": [
            {
                "poll_id": poll_id,
                "channel": p.channel,
                "kind": p.kind,
                "answers": sum(p.counts),
                "counts": p.counts,
                "closed": p.closed,
                "correct_answers": p.correct_answers,
                "winners": len(p.winners),
                "seed": p.seed or None,
            }
            for poll_id, p in t.polls.items()
            if scope.whole_fair or p.channel in ids
        ],
    }


def dashboard(t: Tally, employers: dict[str, str], scope: Scope, now: float) -> dict[str, Any]:
    """What staff watch live: numbers that change while the fair runs (waits in whole minutes,
    so that the view changes only when something a person sees does)."""
    ids = sorted(employers) if scope.booths is None else sorted(scope.booths & employers.keys())
    pending = [q for q in t.questions.values() if q[1] == "pending"]
    rows = []
    for b in sorted(ids, key=lambda b: (employers[b].casefold(), b)):
        booth = t.booths[b]
        busy = {t.interviews[i].caller for i in booth.interviews if t.interviews[i].end is None}
        busy |= set(booth.calling.values())
        free = len(t.staff_online(b) - busy)
        wait = round(now - min(booth.line.values())) if booth.line else 0
        flag = ""
        if wait >= LONG_WAIT:
            flag = "long_wait"
        elif len(booth.line) >= LONG_LINE and free > 0:
            flag = "idle_staff"
        rows.append(
            {
                "booth_id": b,
                "employer": employers[b],
                "live": booth.live_since is not None,
                "viewers": len(t.viewers_now(b)) if booth.live_since is not None else 0,
                "line": len(booth.line),
                "longest_wait_min": wait // 60,
                "staff_free": free,
                "staff_busy": len(busy),
                "interviews_done": sum(1 for i in booth.interviews if t.interviews[i].end),
                "passed": len(t.passed(b)),
                "questions_pending": sum(1 for q in pending if q[0] == b),
                "flag": flag,
            }
        )
    out: dict[str, Any] = {"scope": "fair" if scope.whole_fair else "booth", "booths": rows}
    if scope.whole_fair:
        out["fair"] = {
            "online_now": len(t.online_now()),
            "peak_online": t.peak_online(now),
            "registered": len(t.registered),
            "attended_on_site": len(set().union(*(t.booths[b].on_site for b in t.booths))),
            "questions_pending": len(pending),
        }
    return out
