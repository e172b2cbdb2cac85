"""Interview line commands (docs/protocol-queue.md). Every change carries `op`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt, StringConstraints

from rooms.commands.base import BoothInput, Command, Empty, Flag, Id, Input, Op
from rooms.models import Strict
from rooms.permissions import Action
from rooms.queue import SettingsInput, WalkInInput


class Join(BoothInput):
    job_id: Id | Literal[""] | None = None  # "" or None: no particular job
    share: Flag | None = None  # may the booth read the dossier? (None: not asked now)
    op: Op


class EntryOp(Input):
    entry_id: Id
    op: Op


class BoothOp(BoothInput):
    op: Op


class Finish(Input):
    interview_id: Id
    op: Op


class Cap(BoothInput):
    cap: StrictInt | None = Field(default=None, ge=1, le=100_000)  # None: no cap
    op: Op


class Reorder(EntryOp):
    position: StrictInt = Field(ge=1)


class WalkIn(BoothInput, WalkInInput):
    op: Op


class Configure(SettingsInput, Input):
    op: Op


B64Url = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,128}={0,2}$")]


class PushKeys(Strict):
    p256dh: B64Url
    auth: B64Url


class PushSubscription(Strict):
    """What the browser's PushManager.subscribe() gives, as its toJSON() spells it."""

    endpoint: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]{1,1000}$")]
    expirationTime: StrictInt | None = None
    keys: PushKeys


class PushSubscribe(Input):
    subscription: PushSubscription
    lang: Literal["vi", "en", "zh"]  # the page's language: the push is written in it


class Audit(Input):
    booth_id: Id | None = None


COMMANDS = {
    "queue.join": Command(Join, Action.QUEUE_JOIN, "op", "stand in a booth's line"),
    "queue.leave": Command(EntryOp, Action.QUEUE_JOIN, "op", "give up one's place"),
    "queue.accept": Command(
        EntryOp, Action.QUEUE_ANSWER, "op", "accept a call (staff: a walk-in's)"
    ),
    "queue.decline": Command(EntryOp, Action.QUEUE_ANSWER, "op", "decline a call"),
    "push.subscribe": Command(
        PushSubscribe, Action.QUEUE_JOIN, "idempotent", "reach this browser by Web Push on a call"
    ),
    "queue.mine": Command(Empty, Action.ATTEND, "read", "one's places, after (re)connecting"),
    "queue.settings": Command(Empty, Action.ATTEND, "read", "the fair's line settings"),
    "queue.sizes": Command(Empty, Action.ATTEND, "read", "how many wait at each booth"),
    "queue.view": Command(BoothInput, Action.QUEUE_SERVE, "read", "a line as staff see it"),
    "queue.call_next": Command(BoothOp, Action.QUEUE_SERVE, "op", "call the next in line"),
    "queue.call": Command(EntryOp, Action.QUEUE_SERVE, "op", "call this place out of order"),
    "queue.no_show": Command(EntryOp, Action.QUEUE_SERVE, "op", "the called worker did not come"),
    "queue.finish": Command(Finish, Action.QUEUE_SERVE, "op", "end an interview"),
    "queue.pause": Command(BoothOp, Action.QUEUE_MODERATE, "op", "stop calling; joins go on"),
    "queue.resume": Command(BoothOp, Action.QUEUE_MODERATE, "op", "undo pause or close"),
    "queue.close": Command(BoothOp, Action.QUEUE_MODERATE, "op", "no more joins"),
    "queue.cap": Command(Cap, Action.QUEUE_MODERATE, "op", "limit the line's length"),
    "queue.reorder": Command(Reorder, Action.QUEUE_MODERATE, "op", "move a place"),
    "queue.remove": Command(EntryOp, Action.QUEUE_MODERATE, "op", "take a place out"),
    "queue.walk_in": Command(WalkIn, Action.QUEUE_MODERATE, "op", "add someone on site"),
    "queue.configure": Command(
        Configure, Action.QUEUE_MODERATE, "op", "change the fair's settings"
    ),
    "queue.audit": Command(Audit, Action.QUEUE_MODERATE, "read", "the lines' audit records"),
}
