"""The command table is the one description of the protocol: every message type has a handler,
the reference in docs/ is generated from it, and the door refuses before anything runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rooms.commands import COMMANDS, admit
from rooms.commands.__main__ import render
from rooms.errors import Forbidden, InvalidInput
from rooms.models import Participant, Role
from server.ws.handlers import HANDLERS

ROOT = Path(__file__).resolve().parents[2]


def person(role: Role, booth: str | None = None) -> Participant:
    return Participant(
        id="u1", role=role, name="n", fair_id="F", booth_id=booth, created_at=time.time()
    )


def test_every_command_has_exactly_one_handler() -> None:
    assert set(HANDLERS) == set(COMMANDS)


def test_the_command_reference_in_docs_is_generated_from_the_table() -> None:
    assert (ROOT / "docs" / "commands.md").read_text() == render(), (
        "run: python -m rooms.commands > docs/commands.md"
    )


def test_every_change_that_is_not_idempotent_carries_an_op() -> None:
    for name, command in COMMANDS.items():
        if command.retry == "op":
            assert "op" in command.input.model_fields, name


def test_the_door_checks_role_then_input_then_the_booth_it_names() -> None:
    recruiter = person(Role.RECRUITER, booth="A")
    with pytest.raises(Forbidden):  # a worker's action: no need to read its data
        admit(recruiter, "F", "queue.join", "not even an object")
    with pytest.raises(InvalidInput, match="op"):
        admit(recruiter, "F", "queue.call_next", {"booth_id": "A"})
    with pytest.raises(Forbidden):
        admit(recruiter, "F", "queue.call_next", {"booth_id": "B", "op": "o1"})
    assert admit(recruiter, "F", "queue.call_next", {"booth_id": "A", "op": "o1"}).booth() == "A"
    with pytest.raises(Forbidden):  # the stage's questions are the moderators' to answer
        admit(recruiter, "F", "qa.answering", {"channel": "stage", "question_id": None})
    with pytest.raises(InvalidInput, match="unknown"):
        admit(recruiter, "F", "no.such.command", {})
    with pytest.raises(InvalidInput, match="worker_id"):  # nobody names who acts
        admit(
            person(Role.WORKER), "F", "queue.join", {"booth_id": "A", "op": "o", "worker_id": "x"}
        )
