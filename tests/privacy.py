"""The privacy scan: no token, phone number or e-mail address in any log a test run wrote.

It looks for the shapes, not for the values a test used, and its patterns are its own, wider than
the scrubbing in server/logs.py, so that it judges that scrubbing instead of repeating it. The one
thing allowed is the banner of sign-in links a node prints on stdout for the operator.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tests.procs import SECRET

TOKEN = re.compile(
    r"(?<![\w-])[\w-]{6,}\.[\w-]{4,10}\.[\w-]{20,}"  # payload.timestamp.signature
    r"|eyJ[\w-]{6,}"  # base64 of a JSON object: an itsdangerous payload, a JWT
    r"|(?<![\w-])(?=[\w-]*[A-Z])(?=[\w-]*[a-z])(?=[\w-]*\d)[\w-]{20,}"  # random: a CSRF token
    rf"|{re.escape(SECRET)}"
)
EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# then sifted by _phones; digits glued to letters are part of a hex id or a seed, not a number
PHONE = re.compile(r"(?<![0-9A-Za-z])\+?\(?\d[\d ().-]{6,}\d(?![0-9A-Za-z])")
# logging's asctime, or the time of a JSON line (server/logs.py, --log-format json)
TIMESTAMP = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} "
    r'|^\{"time": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", '
)
# an ICE candidate aioice logs: its priority, address and port read like a grouped number
CANDIDATE = re.compile(r"\b(udp|tcp) \d+ \S+ \d+ typ\b")
BANNER = re.compile(r"^  sign in as [^:]+: https?://\S+/signin\?t=[\w.-]+$")


@dataclass(frozen=True)
class Leak:
    path: Path
    line_no: int
    kinds: tuple[str, ...]
    redacted: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line_no}: {', '.join(self.kinds)}: {self.redacted[:240]}"


def _phones(text: str) -> list[re.Match[str]]:
    """8 digits or more, written as people write phone numbers: with a + or a trunk 0, or in
    groups. A bare run of digits without a leading 0 is a count, a process id or a Unix time; a
    run of one repeated digit (Redis's `commit=00000000`) or an IP address is no phone either."""
    found = []
    for match in PHONE.finditer(text):
        number = match.group().strip("() .-")
        digits = re.sub(r"\D", "", number)
        if len(digits) < 8 or len(set(digits)) == 1 or (number.isdigit() and number[0] != "0"):
            continue
        try:
            ipaddress.ip_address(number)
        except ValueError:
            found.append(match)
    return found


def leaks_in(line: str) -> tuple[tuple[str, ...], str]:
    """The kinds of personal data in `line` and the line with each occurrence replaced."""
    text = CANDIDATE.sub(r"\1 <candidate> typ", TIMESTAMP.sub("", line))
    spans: list[tuple[int, int, str]] = []
    for kind, matches in (
        ("token", list(TOKEN.finditer(text))),
        ("e-mail", list(EMAIL.finditer(text))),
        ("phone", _phones(text)),
    ):
        spans += [(m.start(), m.end(), kind) for m in matches]
    merged: list[tuple[int, int, str]] = []  # overlapping matches are shown as one
    for start, end, kind in sorted(spans):
        if merged and start < merged[-1][1]:
            last = merged.pop()
            start, end, kind = last[0], max(end, last[1]), last[2]
        merged.append((start, end, kind))
    redacted = text
    for start, end, kind in reversed(merged):
        redacted = redacted[:start] + f"<{kind}>" + redacted[end:]
    return tuple(sorted({kind for _, _, kind in spans})), redacted


def scan(paths: Iterable[Path]) -> list[Leak]:
    leaks = []
    for path in dict.fromkeys(paths):
        if not path.exists():
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if path.suffix == ".out" and BANNER.match(line):
                continue
            kinds, redacted = leaks_in(line)
            if kinds:
                leaks.append(Leak(path, number, kinds, redacted))
    return leaks
