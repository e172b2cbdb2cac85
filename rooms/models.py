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
    starts_at: datetime
    ends_at: datetime
    language: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"  # an IANA name: reports' dates and times are in it

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("timezone must be an IANA time zone name") from None
        return value

    @model_validator(mode="after")
    def _ends_after_start(self) -> FairInput:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class Fair(FairInput):
    id: str
    created_at: float


class BoothInput(Strict):
    employer: Name
    description: Text = ""
    slot_minutes: int = Field(default=15, ge=3, le=120)  # an interview's planned length
    low_bandwidth: bool = False  # the recruiter streams 320x180 at 250 kbps for weak links


class Booth(BoothInput):
    id: str
    fair_id: str
    created_at: float
    logo: str = ""  # file name of the stored logo, empty when none


class JobInput(Strict):
    title: Name
    openings: int = Field(ge=1, le=100_000)
    salary_min_vnd: int = Field(ge=0, le=1_000_000_000)
    salary_max_vnd: int = Field(ge=0, le=1_000_000_000)
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
