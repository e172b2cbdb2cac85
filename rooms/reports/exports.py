"""Reports as CSV files for a spreadsheet: UTF-8 with a BOM (so that Vietnamese and Chinese names
survive Excel), one header row of labels in the reader's language, and every text cell that a
spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) prefixed with `'`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rooms.reports.summary import COUNTS
from rooms.reports.tally import OUTCOMES

Translate = Callable[[str], str]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def N_(label: str) -> str:
    """Marks an English label for Babel's extractor (server/messages.py); the reader's catalog
    translates it where it is shown."""
    return label


# column key -> English label (translated through the reader's catalog)
LABELS = {
    "registered": N_("Registered"),
    "attended_online": N_("Attended online"),
    "attended_on_site": N_("Attended on site"),
    "watched": N_("Watched a stream"),
    "joined_line": N_("Joined a line"),
    "interviewed": N_("Interviewed"),
    "passed": N_("Passed"),
    "no_show": N_("No-show"),
    "interviews": N_("Interviews"),
    "outcome.passed": N_("Passed the qualifying round"),
    "outcome.on_site": N_("Invited to an on-site interview"),
    "outcome.offer": N_("Offer"),
    "outcome.not_suitable": N_("Not suitable"),
    "outcome.no_show": N_("No-show (outcome)"),
    "wait_median_s": N_("Median wait (s)"),
    "wait_p90_s": N_("90th percentile wait (s)"),
    "questions_asked": N_("Questions asked"),
    "questions_answered": N_("Questions answered"),
}
REPORT_COLUMNS = (
    *COUNTS,
    "interviews",
    *(f"outcome.{o}" for o in OUTCOMES),
    "wait_median_s",
    "wait_p90_s",
    "questions_asked",
    "questions_answered",
)


def safe(value: Any) -> Any:
    """A cell a spreadsheet shows as text, never runs."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def encode(rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _value(row: dict[str, Any], column: str) -> Any:
    if column.startswith("outcome."):
        return row["outcomes"][column.removeprefix("outcome.")]
    return row[column]


def report_csv(report: dict[str, Any], _: Translate) -> bytes:
    """One row per employer (its booths summed, people once), then the totals row."""
    header = [_("Employer"), _("Booths"), *(_(LABELS[c]) for c in REPORT_COLUMNS)]
    rows: list[list[Any]] = [header]
    for employer in report["employers"]:
        values = [_value(employer, c) for c in REPORT_COLUMNS]
        rows.append([employer["employer"], len(employer["booth_ids"]), *values])
    total = report["fair"]
    rows.append([_("Total"), len(report["booths"]), *(_value(total, c) for c in REPORT_COLUMNS)])
    return encode(rows)


INTERVIEW_COLUMNS = (
    ("employer", N_("Employer")),
    ("worker", N_("Worker")),
    ("started_at", N_("Time")),
    ("wait_s", N_("Wait (s)")),
    ("duration_s", N_("Duration (s)")),
    ("outcome", N_("Outcome")),
    ("notes", N_("Notes")),
)


def interviews_csv(rows: list[dict[str, Any]], _: Translate) -> bytes:
    header = [_(label) for _key, label in INTERVIEW_COLUMNS]

    def cell(row: dict[str, Any], key: str) -> Any:
        if key == "outcome":
            return _(LABELS[f"outcome.{row[key]}"]) if row[key] else ""
        return row[key]

    return encode([header, *([cell(r, key) for key, _label in INTERVIEW_COLUMNS] for r in rows)])


def series_csv(series: dict[str, Any], columns: Sequence[str], _: Translate) -> bytes:
    """Each fair a column, then the totals column; one row per count."""
    fairs = series["fairs"]
    rows: list[list[Any]] = [
        ["", *(f["title"] for f in fairs), _("Total")],
        [_("Date"), *(f["date"] for f in fairs), ""],
    ]
    for column in columns:
        rows.append([_(LABELS[column]), *(f[column] for f in fairs), series["totals"][column]])
    return encode(rows)
