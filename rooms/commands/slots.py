"""Booked interview time commands (docs/protocol-queue.md, "Booked slots")."""

from __future__ import annotations

from rooms.commands.base import BoothInput, Command, Empty, Flag, Id, Input, Op
from rooms.permissions import Action
from rooms.slots import SlotsInput


class Publish(BoothInput, SlotsInput):
    op: Op


class SlotOp(Input):
    slot_id: Id
    op: Op


class Book(SlotOp):
    share: Flag | None = None  # may the booth read the dossier? (None: not asked now)


COMMANDS = {
    "slots.list": Command(BoothInput, Action.ATTEND, "read", "a booth's interview times"),
    "slots.mine": Command(Empty, Action.SLOTS_BOOK, "read", "one's bookings"),
    "slots.publish": Command(Publish, Action.SLOTS_MANAGE, "op", "offer interview times"),
    "slots.remove": Command(SlotOp, Action.SLOTS_MANAGE, "op", "withdraw a time"),
    "slots.book": Command(Book, Action.SLOTS_BOOK, "op", "book a time"),
    "slots.cancel": Command(SlotOp, Action.SLOTS_BOOK, "op", "cancel a booking"),
}
