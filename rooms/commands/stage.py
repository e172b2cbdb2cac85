"""The fair's main stage: one more stream of the fair (`stage`), broadcast by its speakers and
moderators, who may hand it to an invited booth's recruiter ("now presenting") and take it back;
viewers watch it with `stream.view` and `booth_id: "stage"`, like any booth. Publishing and
presenting replace the stage's media (a retry is harmless); inviting sets a state."""

from __future__ import annotations

from rooms.commands.base import BoothInput, Command, Empty, Id, Input, Sdp
from rooms.permissions import Action


class Speak(Input):
    sdp: Sdp


class Guest(Input):
    booth_id: Id | None  # None: nobody


class Present(BoothInput):
    sdp: Sdp


COMMANDS = {
    "stage.publish": Command(
        Speak, Action.STAGE_SPEAK, "idempotent", "go live on the stage, or take it back (no gap)"
    ),
    "stage.stop": Command(Empty, Action.STAGE_SPEAK, "idempotent", "end the stage's stream"),
    "stage.invite": Command(
        Guest, Action.STAGE_SPEAK, "idempotent", "the booth whose recruiter may present next"
    ),
    "stage.present": Command(
        Present, Action.STREAM, "idempotent", "an invited booth's recruiter takes the stage over"
    ),
}
