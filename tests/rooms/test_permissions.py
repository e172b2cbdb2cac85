"""Role by action, scoped to fair and booth: each forbidden action is refused."""

from __future__ import annotations

import time

import pytest

from rooms.errors import Forbidden
from rooms.models import Participant, Role
from rooms.permissions import Action, allowed, require, roles


def who(role: Role, fair: str | None = "F", booth: str | None = None) -> Participant:
    return Participant(
        id="u", role=role, name="n", fair_id=fair, booth_id=booth, created_at=time.time()
    )


STAFF = who(Role.MODERATOR, fair=None)
FAIR_MOD = who(Role.MODERATOR)
RECRUITER_A = who(Role.RECRUITER, booth="A")
WORKER = who(Role.WORKER)


@pytest.mark.parametrize("action", [a for a in Action if Role.MODERATOR in roles(a)])
def test_service_staff_may_do_everything_but_act_as_a_worker(action: Action) -> None:
    assert allowed(STAFF, action, "F", "A")


@pytest.mark.parametrize(
    "action",
    [Action.QUEUE_JOIN, Action.SLOTS_BOOK, Action.DOSSIER_KEEP, Action.INTERVIEW_HISTORY],
)
def test_moderators_never_act_as_a_worker(action: Action) -> None:
    assert not allowed(STAFF, action, "F", None)
    assert not allowed(FAIR_MOD, action, "F", None)
    assert allowed(WORKER, action, "F", None)


@pytest.mark.parametrize(
    ("user", "action", "fair", "booth"),
    [
        (FAIR_MOD, Action.CREATE_FAIR, None, None),
        (FAIR_MOD, Action.EDIT_FAIR, "OTHER", None),
        (FAIR_MOD, Action.CREATE_BOOTH, "OTHER", None),
        (RECRUITER_A, Action.EDIT_BOOTH, "F", "B"),
        (RECRUITER_A, Action.EDIT_JOBS, "F", "B"),
        (RECRUITER_A, Action.EDIT_JOBS, "OTHER", "A"),
        (RECRUITER_A, Action.CREATE_BOOTH, "F", None),
        (RECRUITER_A, Action.INVITE, "F", "A"),
        (RECRUITER_A, Action.EDIT_FAIR, "F", None),
        (WORKER, Action.EDIT_BOOTH, "F", "A"),
        (WORKER, Action.EDIT_JOBS, "F", "A"),
        (WORKER, Action.CREATE_BOOTH, "F", None),
        (WORKER, Action.ATTEND, "OTHER", None),
    ],
)
def test_forbidden_actions_are_refused(
    user: Participant, action: Action, fair: str | None, booth: str | None
) -> None:
    with pytest.raises(Forbidden):
        require(user, action, fair, booth)


@pytest.mark.parametrize(
    ("user", "action", "booth"),
    [
        (FAIR_MOD, Action.CREATE_BOOTH, None),
        (FAIR_MOD, Action.EDIT_JOBS, "B"),
        (RECRUITER_A, Action.EDIT_JOBS, "A"),
        (RECRUITER_A, Action.ATTEND, None),
        (WORKER, Action.ATTEND, None),
    ],
)
def test_allowed_actions_within_scope(user: Participant, action: Action, booth: str | None) -> None:
    require(user, action, "F", booth)
