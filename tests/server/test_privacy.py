"""No token, phone number or e-mail address in any log line: the access log and every other line
are scrubbed (server/logs.py), and the scan that checks every log of a test run (tests/privacy.py,
run at the end of the session by tests/conftest.py) finds any of them in whatever form."""

from __future__ import annotations

import logging
import sys

from server.logs import FORMAT, ScrubbingFormatter
from tests import privacy
from tests.clients import Fixture, connect, ok
from tests.procs import Node

LEAKY = [
    '127.0.0.1:45404 - "GET /signin?t=eyJ1IjoiOUQ1eFVsMHlicGsiLCJyIjoibW9kZXJhdG9yIn0.aw7eyA.'
    'YIvGK4O0c5ACd9RGbcKJl1mY7WQ HTTP/1.1" 303',
    "csrf cookie vXq3YbH1k9ZpQe4rT7uW2sLmN0aB",
    "1 validation error for Contact: input_value='0912 345 678'",
    "registered +84 912 345 678",
    "called 0912345678 and (028) 3822-1234 and 555-123-4567",
    "mail from thao.nguyen+fair@example.vn",
    "a jwt eyJhbGciOiJIUzI1NiJ9 somewhere",
]
CLEAN = [
    '2026-12-01 14:50:48,474 INFO uvicorn.access 127.0.0.1:45370 - "GET /healthz HTTP/1.1" 200',
    "2026-12-01 14:50:48,487 INFO uvicorn.error Started server process [13304]",
    '127.0.0.1:45380 - "POST /fairs/4vM8hZ2EFHg/register HTTP/1.1" 303',
    "17972:C 01 Dec 2026 14:52:50.413 # Redis version=6.2.14, commit=00000000, pid=17972",
    "17972:signal-handler (1764600778) Received SIGTERM scheduling shutdown...",
    "node 10.0.12.200 holds 3 stream(s); took 0.25 s",
    "quiz draw poll=FbyrGeE4BPI seed=bc09123456789defeb7c0eb7e3f5955a9 correct=4",  # hex
    "INFO aioice.ice Connection(1) Discovered peer reflexive candidate"
    " Candidate(2s5TXKB078 1 udp 1853759231 192.0.2.2 44335 typ prflx)",  # priority, address, port
]


def test_the_scan_finds_any_token_phone_or_email_but_not_times_addresses_or_ids() -> None:
    assert [line for line in LEAKY if not privacy.leaks_in(line)[0]] == []
    assert [line for line in CLEAN if privacy.leaks_in(line)[0]] == []
    kinds, redacted = privacy.leaks_in(LEAKY[4])
    assert kinds == ("phone",) and redacted == "called <phone> and <phone> and <phone>"


def test_a_log_line_keeps_time_level_and_path_but_loses_credentials_and_contacts() -> None:
    formatter = ScrubbingFormatter(FORMAT)
    for leaky in LEAKY:
        record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, "%s", (leaky,), None)
        line = formatter.format(record)
        assert privacy.leaks_in(line)[0] == (), line
        assert " INFO uvicorn.access " in line
    access = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, LEAKY[0], None, None)
    assert '"GET /signin?t=[redacted] HTTP/1.1" 303' in formatter.format(access)
    for clean in CLEAN:
        record = logging.LogRecord("x", logging.INFO, "", 0, clean, None, None)
        assert formatter.format(record).endswith(clean)


def test_a_traceback_that_echoes_an_email_is_scrubbed_too() -> None:
    try:
        raise ValueError("no account for thao@example.vn")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, "", 0, "failed", None, sys.exc_info())
    line = ScrubbingFormatter(FORMAT).format(record)
    assert "ValueError: no account for [e-mail]" in line


async def test_sign_in_registration_queue_and_dossier_leave_no_personal_data_in_the_log(
    fx: Fixture, node: Node
) -> None:
    for contact in ("0912 345 678", "thao.nguyen+fair@example.vn"):
        visitor = await fx.session()
        registered = await visitor.http.post(
            f"/fairs/{fx.fair.id}/register",
            data={"name": "Lò Thị Mai", "contact": contact, "csrf": visitor.csrf},
        )
        assert registered.status_code == 303
    refused = await visitor.http.post(
        f"/fairs/{fx.fair.id}/register?contact=0987654321&next=thao@example.vn",
        data={"name": "Lò Thị Mai", "contact": "+84 nope", "csrf": visitor.csrf},
    )
    assert refused.status_code == 400
    worker = await fx.session(fx.worker)  # through a sign-in link
    dossier = {"name": "Lò Văn Duy", "contact": "thao@example.vn", "birth_year": 2003}
    saved = await worker.api("PUT", f"/api/fairs/{fx.fair.id}/dossier", dossier)
    assert saved.status_code == 200
    ws = await connect(fx, fx.worker)
    await ok(ws, "queue.join", {"booth_id": fx.booth_a.id})

    log = node.log.read_text()
    assert "GET /signin?t=[redacted] HTTP/1.1" in log  # the flow was logged, and scrubbed
    assert privacy.scan([node.log, node.stdout]) == []
    assert "sign in as moderator" in node.stdout.read_text()  # the operator's links: stdout only
