"""Report commands: the live dashboard (the report itself and its files are HTTP downloads)."""

from __future__ import annotations

from typing import ClassVar

from rooms.commands.base import Command, Id, Input
from rooms.permissions import Action


class Watch(Input):
    """No booth: the whole fair (moderators); a recruiter names their own booth."""

    names_booth: ClassVar[bool] = True
    booth_id: Id | None = None

    def booth(self) -> str | None:
        return self.booth_id


COMMANDS = {
    "report.watch": Command(
        Watch, Action.REPORT_BOOTH, "read", "the live dashboard; then its changes, 1/s at most"
    ),
}
