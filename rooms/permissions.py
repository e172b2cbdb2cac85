"""Who may do what: the one table of role by action, scoped to a fair and, for recruiters, to
their booth. Every command names one action (rooms/commands/); nothing else compares roles."""

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
    ATTEND = "attend"  # be in the fair: its lobby, streams, Q&A lists, interview rooms
    QUEUE_JOIN = "join_queue"  # stand in lines, leave them
    QUEUE_ANSWER = "answer_call"  # accept or decline a call: one's own, or a walk-in's (staff)
    QUEUE_SERVE = "serve_queue"  # see a booth's line, call, mark no-show, finish interviews
    QUEUE_MODERATE = "moderate_queue"  # pause, close, cap, reorder, remove, walk-ins, audit
    STREAM = "stream"  # go live for a booth, stop its stream
    STAGE_SPEAK = "stage_speak"  # broadcast on the fair's main stage, hand it to a booth
    QA_ASK = "qa_ask"  # ask and vote in the fair's Q&A
    QA_ANSWER = "qa_answer"  # a channel's staff: see all its questions, answer, "answering now"
    QA_MODERATE = "qa_moderate"  # approve, hide, edit, pin, merge, pre-moderation, mute
    POLL_HOST = "host_poll"  # a channel's staff: open, close polls and quizzes, draw winners
    POLL_ANSWER = "answer_poll"  # answer polls and quizzes (once each)
    SLOTS_MANAGE = "manage_slots"  # publish and remove a booth's interview slots, see bookings
    SLOTS_BOOK = "book_slots"  # book and cancel interview times, list one's own
    DOSSIER_KEEP = "keep_dossier"  # fill in one's own dossier, upload a CV, choose who reads it
    DOSSIER_READ = "read_dossier"  # read the dossiers shared with a booth
    INTERVIEW_HISTORY = "interview_history"  # one's own interviews and their outcomes
    REPORT = "report"  # the whole fair's report, dashboard and series
    REPORT_BOOTH = "report_booth"  # one booth's report and dashboard (a recruiter: their own)


_WORKER, _RECRUITER = frozenset({Role.WORKER}), frozenset({Role.RECRUITER})
_SPEAKER = frozenset({Role.SPEAKER})
# a speaker is staff of the stage channel alone: booth-scoped actions compare their booth (None)
# with the channel's (None for the stage)
_CHANNEL_STAFF = _RECRUITER | _SPEAKER
_ALLOWED: dict[Action, frozenset[Role]] = {
    Action.CREATE_FAIR: frozenset(),
    Action.EDIT_FAIR: frozenset(),
    Action.CREATE_BOOTH: frozenset(),
    Action.INVITE: frozenset(),
    Action.EDIT_BOOTH: _RECRUITER,
    Action.EDIT_JOBS: _RECRUITER,
    Action.ATTEND: frozenset({Role.WORKER, Role.RECRUITER, Role.SPEAKER}),
    Action.QUEUE_JOIN: _WORKER,
    Action.QUEUE_ANSWER: frozenset({Role.WORKER, Role.RECRUITER}),
    Action.QUEUE_SERVE: _RECRUITER,
    Action.QUEUE_MODERATE: frozenset(),
    Action.STREAM: _RECRUITER,
    Action.STAGE_SPEAK: _SPEAKER,
    Action.QA_ASK: _WORKER,
    Action.QA_ANSWER: _CHANNEL_STAFF,  # own booth's channel only; stage: speakers, moderators
    Action.QA_MODERATE: frozenset(),
    Action.POLL_HOST: _CHANNEL_STAFF,  # own booth's channel only; stage: speakers, moderators
    Action.POLL_ANSWER: _WORKER,
    Action.SLOTS_MANAGE: _RECRUITER,
    Action.SLOTS_BOOK: _WORKER,
    Action.DOSSIER_KEEP: _WORKER,
    Action.DOSSIER_READ: _RECRUITER,
    Action.INTERVIEW_HISTORY: _WORKER,
    Action.REPORT: frozenset(),
    Action.REPORT_BOOTH: _RECRUITER,
}
BOOTH_SCOPED = frozenset(
    {
        Action.EDIT_BOOTH,
        Action.EDIT_JOBS,
        Action.STREAM,
        Action.QA_ANSWER,
        Action.POLL_HOST,
        Action.QUEUE_SERVE,
        Action.SLOTS_MANAGE,
        Action.DOSSIER_READ,
        Action.REPORT_BOOTH,
    }
)
# Moderators act for people, never as them: they have no line places, dossier or history.
_PERSONAL = frozenset(
    {Action.QUEUE_JOIN, Action.SLOTS_BOOK, Action.DOSSIER_KEEP, Action.INTERVIEW_HISTORY}
)


def roles(action: Action) -> frozenset[Role]:
    """Every role that may take `action` somewhere (moderators: unless it is personal)."""
    return _ALLOWED[action] | (frozenset() if action in _PERSONAL else {Role.MODERATOR})


def may(who: Participant, action: Action, fair_id: str | None) -> bool:
    """The role and fair half of `allowed`: checked before the booth is known (an entry's or a
    question's booth is read from Redis; `allowed` is then checked with it)."""
    if who.role not in roles(action):
        return False
    if who.role is Role.MODERATOR:
        # service staff (fair_id None) may do anything; a fair's moderator only within that fair
        return who.fair_id is None or (action is not Action.CREATE_FAIR and who.fair_id == fair_id)
    return who.fair_id == fair_id


def allowed(who: Participant, action: Action, fair_id: str | None, booth_id: str | None) -> bool:
    if not may(who, action, fair_id):
        return False
    if who.role is Role.MODERATOR:
        return True
    return action not in BOOTH_SCOPED or who.booth_id == booth_id


def require(
    who: Participant, action: Action, fair_id: str | None, booth_id: str | None = None
) -> None:
    if not allowed(who, action, fair_id, booth_id):
        raise Forbidden(f"a {who.role.value} may not {action.value.replace('_', ' ')} here")


def require_may(who: Participant, action: Action, fair_id: str | None) -> None:
    if not may(who, action, fair_id):
        raise Forbidden(f"a {who.role.value} may not {action.value.replace('_', ' ')} here")
