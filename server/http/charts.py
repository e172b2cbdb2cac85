"""Charts drawn on the server as SVG: no script, no build step, readable on a 360 px phone.

Each chart is an `<svg role="img">` scaled to its container's width (viewBox 340 wide, so text of
12 units stays about 12 px on a phone), named by a `<title>` and summed up in a `<desc>`; the page
puts the same numbers in a table beside it for screen readers and for copying.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from markupsafe import Markup

from rooms.reports.exports import N_

WIDTH = 340
LABEL_WIDTH = 118  # the step names left of the funnel's bars
BAR = 14
FUNNEL = (
    ("reached", N_("Attended")),
    ("joined_line", N_("Joined a line")),
    ("interviewed", N_("Interviewed")),
    ("passed", N_("Passed")),
)


def _svg(chart_id: str, height: int, title: str, desc: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" id="{chart_id}" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">'
        f"{escape(desc)}</desc>{''.join(body)}</svg>"
    )


def funnel_steps(row: dict[str, Any]) -> list[tuple[str, int]]:
    """The funnel of one employer (or the fair): attended (online or on site), joined a line,
    interviewed, passed."""
    reached = int(row["attended_online"]) + int(row["attended_on_site"])
    values = {"reached": reached, **row}
    return [(label, int(values[key])) for key, label in FUNNEL]


def funnel(chart_id: str, rows: Sequence[dict[str, Any]], _: Callable[[str], str]) -> Markup:
    """One block per employer: a heading, then one bar per funnel step with its number."""
    body: list[str] = []
    y = 0
    most = max([v for r in rows for _l, v in funnel_steps(r)] + [1])
    summary = []
    for row in rows:
        steps = funnel_steps(row)
        y += 16
        body.append(f'<text class="chart-head" x="0" y="{y}">{escape(row["employer"])}</text>')
        y += 6
        for label, value in steps:
            length = round((WIDTH - LABEL_WIDTH - 34) * value / most)
            body.append(
                f'<text class="chart-label" x="0" y="{y + 11}">{escape(_(label))}</text>'
                f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{max(length, 1)}" '
                f'height="{BAR}"/><text class="chart-value" x="{LABEL_WIDTH + length + 4}" '
                f'y="{y + 11}">{value}</text>'
            )
            y += BAR + 4
        summary.append(f"{row['employer']}: " + ", ".join(f"{_(lb)} {v}" for lb, v in steps))
        y += 4
    return _svg(chart_id, max(y, 20), _("Funnel per employer"), "; ".join(summary), body)


def attendance(chart_id: str, points: Sequence[dict[str, Any]], _: Callable[[str], str]) -> Markup:
    """Bars per 5 minutes; the time of the first bar of every hour (or of the first) below."""
    top, plot = 16, 120
    most = max([p["present"] for p in points] + [1])
    step = (WIDTH - 30) / max(len(points), 1)
    body = [f'<text class="chart-value" x="0" y="12">{most}</text>']
    for i, point in enumerate(points):
        height = round(plot * point["present"] / most)
        x = 30 + i * step
        body.append(
            f'<rect class="chart-bar" x="{x:.1f}" y="{top + plot - height}" '
            f'width="{max(step - 1, 1):.1f}" height="{height}"/>'
        )
        clock = point["at"][11:16]
        if i == 0 or clock.endswith(":00"):
            body.append(
                f'<text class="chart-label" x="{x:.1f}" y="{top + plot + 14}">{clock}</text>'
            )
    body.append(
        f'<line class="chart-axis" x1="30" y1="{top + plot}" x2="{WIDTH}" y2="{top + plot}"/>'
    )
    desc = ", ".join(f"{p['at'][11:16]} {p['present']}" for p in points) or _("No data yet.")
    return _svg(chart_id, top + plot + 20, _("Attendance per 5 minutes"), desc, body)
