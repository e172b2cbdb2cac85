"""Domain errors to the wire, in one place: an HTTP status with a JSON body, or an error frame."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from rooms.errors import DomainError

HTTP_STATUS = {
    "invalid_input": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "invalid_state": 409,
    "poll_closed": 409,
    "staff_busy": 409,
    "limit_reached": 429,
    "rate_limited": 429,
    "too_large": 413,
    "unsupported_media": 415,
    "draining": 503,
}


class ConfigError(ValueError):
    """A setting that cannot work and stops the start; the message names the setting (the CLI
    prints only it, one line)."""


class RateLimited(DomainError):
    code = "rate_limited"


class TooLarge(DomainError):
    code = "too_large"


class UnsupportedMedia(DomainError):
    code = "unsupported_media"


def error_body(code: str, message: str) -> dict[str, str]:
    return {"error": code, "message": message}


def json_error(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status)


async def domain_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return json_error(exc.code, exc.message, HTTP_STATUS.get(exc.code, 400))


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return json_error("http", str(exc.detail), exc.status_code)


def where(exc: BaseException) -> str:
    """The error's type and innermost line: enough to find it, one line long."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    at = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
    return f"{type(exc).__name__} at {at}"
