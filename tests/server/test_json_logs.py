"""`jobfair serve --log-format json`: one JSON object a line, scrubbed like the text log."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import httpx
import pytest

from server.cli import log_format
from server.logs import JsonFormatter
from tests.privacy import leaks_in
from tests.procs import SECRET, Node, RedisProcess

PHONE, EMAIL = "0912 345 678", "lan.nguyen@example.vn"


def test_a_node_logs_only_json_lines_without_tokens_phones_or_e_mails(
    redis_server: RedisProcess, tmp_path: Path
) -> None:
    node = Node(tmp_path, redis_server.url).start("--log-format", "json")
    try:
        token = "eyJpZCI6IndvcmtlciJ9.Z1x2Yw.q8Vn3pL0sR7tK2mW9xB4cD6fH1jA5eG"
        httpx.get(f"{node.url}/signin?t={token}")  # a credential in the query string
        httpx.get(f"{node.url}/fairs/x", params={"contact": EMAIL, "phone": PHONE})
    finally:
        node.stop()

    lines = node.log.read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert len(records) >= 5
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys(), record
        assert record["level"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    messages = "\n".join(r["message"] for r in records)
    assert "/signin?t=[redacted]" in messages
    assert "/fairs/x?contact=[redacted]&phone=[redacted]" in messages
    assert [line for line in lines if leaks_in(line)[0]] == []
    assert token not in messages and SECRET not in messages


def test_a_json_line_scrubs_the_message_and_the_exception() -> None:
    try:
        raise ValueError(f"no such contact: {PHONE} / {EMAIL}")
    except ValueError:
        record = logging.LogRecord(
            "server.x", logging.WARNING, __file__, 1, "a worker wrote %s", (EMAIL,), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "a worker wrote [e-mail]"
    assert "no such contact: [phone] / [e-mail]" in parsed["exception"]
    assert (parsed["level"], parsed["logger"]) == ("WARNING", "server.x")
    assert leaks_in(line)[0] == ()


def test_the_flag_wins_over_the_environment_and_a_bad_value_stops_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOBFAIR_LOG_FORMAT", "json")
    assert log_format(None) == "json"
    assert log_format("text") == "text"
    monkeypatch.setenv("JOBFAIR_LOG_FORMAT", "xml")
    with pytest.raises(SystemExit, match="JOBFAIR_LOG_FORMAT: 'xml'"):
        log_format(None)
