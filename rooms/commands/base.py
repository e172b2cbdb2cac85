"""What every command is made of: a typed input model, an action from the permission table, and
whether a retry is safe (`op`: exactly once through the op id; `idempotent`: the same effect
again; `read`: changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from pydantic import StrictBool, StringConstraints

from rooms.models import Strict
from rooms.permissions import Action

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
# a client's id for one action; a retry carries the same one (rooms/store/scripts/_op.lua)
Op = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
QuestionId = Op
Channel = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]  # a booth or stage
Sdp = Annotated[str, StringConstraints(min_length=1, max_length=32 * 1024)]
Message = Annotated[str, StringConstraints(max_length=4000)]  # the domain trims and caps it
Flag = StrictBool
Retry = Literal["read", "idempotent", "op", "create"]

STAGE = "stage"


class Input(Strict):
    """A command's data. When it `names_booth`, the permission check covers `booth()` (None: no
    booth, the fair's stage) before anything is read."""

    names_booth: ClassVar[bool] = False

    def booth(self) -> str | None:
        return None


class BoothInput(Input):
    names_booth: ClassVar[bool] = True
    booth_id: Id

    def booth(self) -> str | None:
        return self.booth_id


class ChannelInput(Input):
    names_booth: ClassVar[bool] = True
    channel: Channel

    def booth(self) -> str | None:
        return None if self.channel == STAGE else self.channel


@dataclass(frozen=True, slots=True)
class Command:
    input: type[Input]
    action: Action
    retry: Retry
    doc: str
    route: str = ""  # an HTTP write: its method and path; "" for a websocket message


class Empty(Input):
    """A command that takes no data."""
