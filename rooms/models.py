"""The fair's entities as validated models; they are stored in Redis as JSON.

Input models carry the limits (lengths, ranges) so that nothing invalid is ever stored.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Contact = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=5,
        max_length=120,
        # a phone number (digits, spaces, +, -, dots, parentheses) or an e-mail address
        pattern=r"^(\+?[0-9][0-9 .()\-]{6,}|[^@\s]+@[^@\s]+\.[^@\s]+)$",
    ),
]


class Role(StrEnum):
    WORKER = "worker"
    RECRUITER = "recruiter"
    SPEAKER = "speaker"  # a guest of the fair's main stage (the moderator invites them)
    MODERATOR = "moderator"


class Abroad(StrEnum):
    """Where a job is: at home, or one of the labour-export markets the seeds name."""

    DOMESTIC = ""
    JAPAN = "JP"
    KOREA = "KR"
    TAIWAN = "TW"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FairInput(Strict):
    title: Name
    description: Text = ""
    # an IANA name: every page and report shows times in it (declared before the times: a time
    # given without an offset is read on this zone's clock)
    timezone: str = "Asia/Ho_Chi_Minh"
    starts_at: datetime
    ends_at: datetime
    language: Literal["vi", "en", "zh"] = "vi"  # pages' language when the browser asks none of ours

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("timezone must be an IANA time zone name") from None
        return value

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _on_the_fair_clock(cls, value: datetime, info: ValidationInfo) -> datetime:
        """A time typed without an offset is the fair's wall-clock time, never the server's."""
        if value.tzinfo is not None:
            return value
        zone = info.data.get("timezone")
        if zone is None:  # the zone itself was refused: that error is the one to report
            raise ValueError("a time needs a valid timezone")
        return value.replace(tzinfo=ZoneInfo(zone))

    @model_validator(mode="after")
    def _ends_after_start(self) -> FairInput:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class Fair(FairInput):
    id: str
    created_at: float


Sector = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]


class BoothInput(Strict):
    employer: Name
    sector: Sector = ""  # the employer's trade, as workers filter the lobby by it
    description: Text = ""
    slot_minutes: int = Field(default=15, ge=3, le=120)  # an interview's planned length
    low_bandwidth: bool = False  # the recruiter streams 320x180 at 250 kbps for weak links


class Booth(BoothInput):
    id: str
    fair_id: str
    created_at: float
    logo: str = ""  # file name of the stored logo, empty when none


Currency = Literal["VND", "JPY", "KRW", "TWD", "CNY"]


class JobInput(Strict):
    title: Name
    openings: int = Field(ge=1, le=100_000)
    # a month's pay in `currency` (the field names predate it: amounts are not always VND)
    salary_min_vnd: int = Field(ge=0, le=1_000_000_000)
    salary_max_vnd: int = Field(ge=0, le=1_000_000_000)
    currency: Currency = "VND"  # the posting's: a job in Japan may pay in yen
    location: Name
    abroad: Abroad = Abroad.DOMESTIC
    requirements: Text = ""

    @model_validator(mode="after")
    def _salary_range(self) -> JobInput:
        if self.salary_max_vnd < self.salary_min_vnd:
            raise ValueError("salary_max_vnd must not be below salary_min_vnd")
        return self


class Job(JobInput):
    id: str
    booth_id: str
    created_at: float


class WorkerInput(Strict):
    name: Name
    contact: Contact


class Participant(Strict):
    """Anyone signed in: a worker of one fair, a recruiter of one booth, or a moderator.

    A moderator with `fair_id` None is staff of the whole service (may create fairs).
    """

    id: str
    role: Role
    name: Name
    contact: str = ""
    fair_id: str | None = None
    booth_id: str | None = None
    created_at: float


class NameInput(Strict):
    name: Name
