"""Who may do what: role by action, scoped to a fair and, for recruiters, to their booth."""

from __future__ import annotations

from enum import StrEnum

from rooms.errors import Forbidden
from rooms.models import Participant, Role


class Action(StrEnum):
    CREATE_FAIR = "create_fair"
    EDIT_FAIR = "edit_fair"
    CREATE_BOOTH = "create_booth"
    INVITE = "invite"
    EDIT_BOOTH = "edit_booth"
    EDIT_JOBS = "edit_jobs"
    ATTEND = "attend"
    QUEUE_SERVE = "serve_queue"  # see a booth's line, call, mark no-show, finish interviews
    QUEUE_MODERATE = "moderate_queue"  # pause, close, cap, reorder, remove, walk-ins, audit
    STREAM = "stream"  # go live for a booth, stop its stream
    QA_ASK = "qa_ask"  # ask and vote in the fair's Q&A
    QA_ANSWER = "qa_answer"  # a channel's staff: see all its questions, answer, "answering now"
    QA_MODERATE = "qa_moderate"  # approve, hide, edit, pin, merge, pre-moderation, mute
    SLOTS_MANAGE = "manage_slots"  # publish and remove a booth's interview slots, see bookings


_ALLOWED: dict[Action, frozenset[Role]] = {
    Action.CREATE_FAIR: frozenset(),
    Action.EDIT_FAIR: frozenset(),
    Action.CREATE_BOOTH: frozenset(),
    Action.INVITE: frozenset(),
    Action.EDIT_BOOTH: frozenset({Role.RECRUITER}),
    Action.EDIT_JOBS: frozenset({Role.RECRUITER}),
    Action.ATTEND: frozenset({Role.WORKER, Role.RECRUITER}),
    Action.QUEUE_SERVE: frozenset({Role.RECRUITER}),
    Action.QUEUE_MODERATE: frozenset(),
    Action.STREAM: frozenset({Role.RECRUITER}),
    Action.QA_ASK: frozenset({Role.WORKER}),
    Action.QA_ANSWER: frozenset({Role.RECRUITER}),  # own booth's channel only; stage: moderators
    Action.QA_MODERATE: frozenset(),
    Action.SLOTS_MANAGE: frozenset({Role.RECRUITER}),
}
_BOOTH_SCOPED = frozenset(
    {
        Action.EDIT_BOOTH,
        Action.EDIT_JOBS,
        Action.STREAM,
        Action.QA_ANSWER,
        Action.QUEUE_SERVE,
        Action.SLOTS_MANAGE,
    }
)


def allowed(who: Participant, action: Action, fair_id: str | None, booth_id: str | None) -> bool:
    if who.role is Role.MODERATOR:
        # service staff (fair_id None) may do anything; a fair's moderator only within that fair
        return who.fair_id is None or (action is not Action.CREATE_FAIR and who.fair_id == fair_id)
    if who.role not in _ALLOWED[action] or who.fair_id != fair_id:
        return False
    return action not in _BOOTH_SCOPED or who.booth_id == booth_id


def require(
    who: Participant, action: Action, fair_id: str | None, booth_id: str | None = None
) -> None:
    if not allowed(who, action, fair_id, booth_id):
        raise Forbidden(f"a {who.role.value} may not {action.value.replace('_', ' ')} here")
