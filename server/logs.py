"""Logging for `jobfair serve`: one handler on stderr whose lines never hold a credential or a
person's contact details.

Every logger, uvicorn's access log included (uvicorn runs with log_config=None), writes through
the root handler, and its formatter scrubs the finished line, tracebacks included: query strings
(a sign-in link, `/signin?t=<7-day credential>`, would otherwise be logged on every use), signed
tokens and other long random secrets, e-mail addresses and phone numbers. Scrubbing the text rather
than trusting each call site also covers exception messages that echo user input.

`--log-format json` (or JOBFAIR_LOG_FORMAT=json) writes one JSON object a line instead, for log
shippers: `time`, `level`, `logger`, `message` and, after a failure, `exception`; each text field
scrubbed the same way before it is encoded (scrubbing the encoded line could cut an escape).

The sign-in links `jobfair serve` prints at start are meant for the operator: they are written to
stdout with print(), never through logging, so they are not in this log (see README).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
FORMATS = ("text", "json")

_NOT_AROUND = r"[\w.:/+@-]"  # a match must not be part of a longer word, number or address
Replacement = str | Callable[[re.Match[str]], str]


def _random(match: re.Match[str]) -> str:
    run = match[0]
    mixed = any(c.isupper() for c in run) and any(c.islower() for c in run)
    return "[token]" if mixed and any(c.isdigit() for c in run) else run


def _phone(match: re.Match[str]) -> str:
    return match[0] if len(set(re.sub(r"\D", "", match[0]))) == 1 else "[phone]"  # 00000000


# (a substring without which the pattern cannot match, the pattern, its replacement)
SCRUBS: tuple[tuple[str, re.Pattern[str], Replacement], ...] = (
    # every query parameter's value: links carry credentials there
    ("=", re.compile(r"(?<=[\w/])([?&])([\w.%-]*)=[^&\s\"'<>#]*"), r"\1\2=[redacted]"),
    # an itsdangerous token (payload.timestamp.signature), e.g. a sign-in link or session cookie
    (".", re.compile(r"(?<![\w-])\.?[\w-]{10,}\.[\w-]{4,8}\.[\w-]{20,}(?![\w-])"), "[token]"),
    # base64 of a JSON object: a token's payload, a JWT
    ("eyJ", re.compile(r"eyJ[\w-]{6,}"), "[token]"),
    # a long random string mixing cases and digits: a CSRF token, a secret key
    ("", re.compile(r"(?<![\w-])[\w-]{22,}(?![\w-])"), _random),
    ("@", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail]"),
    # phone numbers: international (+84 912 345 678, 0084...), national with a trunk 0
    # (0912 345 678, (028) 3822 1234) or grouped 3-3-4 (555-123-4567)
    (
        "",
        re.compile(
            rf"(?<!{_NOT_AROUND})(?:(?:\+|00)\d[\d ().-]{{6,}}\d"
            rf"|\(?0\d{{1,4}}\)?(?:[ .-]?\d){{6,11}}"
            rf"|\(?\d{{3}}\)?[ .-]\d{{3}}[ .-]\d{{4}})(?!{_NOT_AROUND})"
        ),
        _phone,
    ),
)


def scrub(text: str) -> str:
    for needle, pattern, replacement in SCRUBS:
        if needle in text:
            text = pattern.sub(replacement, text)
    return text


class ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC)
        line = {
            "time": at.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        if record.exc_info:
            line["exception"] = scrub(self.formatException(record.exc_info))
        if record.stack_info:
            line["stack"] = scrub(self.formatStack(record.stack_info))
        return json.dumps(line, ensure_ascii=False)


def configure(level: int = logging.INFO, log_format: str = "text") -> None:
    """The one handler every logger writes through; warnings go through it too. `log_format`:
    one of FORMATS."""
    handler = logging.StreamHandler()
    json_lines = log_format == "json"
    handler.setFormatter(JsonFormatter() if json_lines else ScrubbingFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.captureWarnings(True)
