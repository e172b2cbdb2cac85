"""Reports over HTTP: the live dashboard and the report pages, the report as JSON and CSV, the
per-interview CSV and a series of fairs. Query strings are validated like any input (400 with a
JSON message); who may read what is decided in rooms/reports/reader.py."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from rooms.commands.base import Id
from rooms.models import Participant, Strict
from rooms.reports import exports
from rooms.reports.reader import SERIES, Reports
from rooms.validation import parse
from server.auth import signed_in
from server.http import charts
from server.http.render import render
from server.i18n import choose_language
from server.services import services

LONGEST_SERIES_DAYS = 366


class ReportQuery(Strict):
    booth_id: Id | None = None
    lang: Literal["vi", "en", "zh"] | None = None


class SeriesQuery(Strict):
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    lang: Literal["vi", "en", "zh"] | None = None

    @model_validator(mode="after")
    def _a_range(self) -> SeriesQuery:
        if self.end < self.start:
            raise ValueError("to must not be before from")
        if (self.end - self.start).days > LONGEST_SERIES_DAYS:
            raise ValueError(f"a series covers at most {LONGEST_SERIES_DAYS} days")
        return self


async def _reader(request: Request) -> Participant:
    svc = services(request)
    return await signed_in(request, svc.people, svc.tokens)


def _translate(request: Request, default: str) -> Any:
    lang = choose_language(request, default)
    return services(request).catalogs.gettext(lang)


def _csv(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


async def report_json(request: Request) -> Response:
    query = parse(ReportQuery, dict(request.query_params))
    user = await _reader(request)
    fair_id = request.path_params["fair_id"]
    return JSONResponse(await services(request).reports.build(fair_id, user, query.booth_id))


async def report_csv(request: Request) -> Response:
    query = parse(ReportQuery, dict(request.query_params))
    user = await _reader(request)
    fair_id = request.path_params["fair_id"]
    reports = services(request).reports
    built = await reports.build(fair_id, user, query.booth_id)
    fair, _employers = await reports.fair(fair_id)
    data = exports.report_csv(built, _translate(request, fair.language))
    return _csv(data, f"report-{fair_id}.csv")


async def interviews_csv(request: Request) -> Response:
    query = parse(ReportQuery, dict(request.query_params))
    user = await _reader(request)
    fair_id = request.path_params["fair_id"]
    fair, rows = await services(request).reports.interviews(fair_id, user, query.booth_id)
    data = exports.interviews_csv(rows, _translate(request, fair.language))
    return _csv(data, f"interviews-{fair_id}.csv")


async def series_json(request: Request) -> Response:
    query = parse(SeriesQuery, dict(request.query_params))
    user = await _reader(request)
    return JSONResponse(await services(request).reports.series(user, query.start, query.end))


async def series_csv(request: Request) -> Response:
    query = parse(SeriesQuery, dict(request.query_params))
    user = await _reader(request)
    series = await services(request).reports.series(user, query.start, query.end)
    data = exports.series_csv(series, SERIES, _translate(request, "vi"))
    return _csv(data, f"series-{query.start}-{query.end}.csv")


async def report_page(request: Request) -> Response:
    query = parse(ReportQuery, dict(request.query_params))
    user = await _reader(request)
    svc = services(request)
    fair_id = request.path_params["fair_id"]
    built = await svc.reports.build(fair_id, user, query.booth_id)
    fair, _employers = await svc.reports.fair(fair_id)
    _ = _translate(request, fair.language)
    suffix = f"?booth_id={query.booth_id}" if query.booth_id else ""
    context = {
        "fair": fair,
        "report": built,
        "suffix": suffix,
        "columns": [(c, exports.LABELS[c]) for c in exports.REPORT_COLUMNS],
        "funnel": charts.funnel("funnel", built["employers"], _),
        "attendance": charts.attendance("attendance", built["attendance"], _),
    }
    return render(request, "report.html", context, user=user, language=fair.language)


async def dashboard_page(request: Request) -> Response:
    query = parse(ReportQuery, dict(request.query_params))
    user = await _reader(request)
    svc = services(request)
    fair_id = request.path_params["fair_id"]
    fair, _employers = await svc.reports.fair(fair_id)
    scope = Reports.scope(user, fair_id, query.booth_id)
    booth = next(iter(scope.booths)) if scope.booths else ""
    context = {"fair": fair, "scope_booth": booth}
    return render(request, "dashboard.html", context, user=user, language=fair.language)


async def series_page(request: Request) -> Response:
    query = parse(SeriesQuery, dict(request.query_params))
    user = await _reader(request)
    series = await services(request).reports.series(user, query.start, query.end)
    context = {
        "fair": None,
        "series": series,
        "rows": [(c, exports.LABELS[c]) for c in SERIES],
        "query": f"from={query.start}&to={query.end}",
    }
    return render(request, "series.html", context, user=user)


ROUTES: list[BaseRoute] = [
    Route("/fairs/{fair_id}/dashboard", dashboard_page),
    Route("/fairs/{fair_id}/report", report_page),
    Route("/reports/series", series_page),
    Route("/api/fairs/{fair_id}/report", report_json),
    Route("/api/fairs/{fair_id}/report.csv", report_csv),
    Route("/api/fairs/{fair_id}/interviews.csv", interviews_csv),
    Route("/api/reports/series", series_json),
    Route("/api/reports/series.csv", series_csv),
]
