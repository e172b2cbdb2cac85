"""A refusal of a page a person opened (a link, the address bar) is a page in their language,
saying what happened by its code; API calls and scripts keep the JSON shape (server/errors.py)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from rooms.errors import DomainError
from server.errors import HTTP_STATUS, domain_error_handler, http_error_handler
from server.http.render import render

JSON_ONLY = ("/api/", "/ws/", "/media/", "/static/", "/metrics", "/health")
HTTP_CODES = {404: "not_found", 405: "invalid_input", 401: "unauthenticated", 403: "forbidden"}


def wants_page(request: Request) -> bool:
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and not request.url.path.startswith(JSON_ONLY)
    )


def _page(request: Request, code: str, status: int) -> Response:
    return render(request, "error.html", {"fair": None, "code": code}, user=None, status=status)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if wants_page(request):
        return _page(request, exc.code, HTTP_STATUS.get(exc.code, 400))
    return await domain_error_handler(request, exc)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if wants_page(request) and exc.status_code in HTTP_CODES:
        return _page(request, HTTP_CODES[exc.status_code], exc.status_code)
    return await http_error_handler(request, exc)
