"""Events that clients see, and who may see them.

Scripts publish an event in the same step as the change it reports (see store/scripts/put.lua), on
the fair's channel; every node subscribed to that channel pushes it to its own clients.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from redis.asyncio import Redis

from rooms.models import Role
from rooms.store import keys

AudienceKind = Literal["fair", "staff", "booth_staff", "user"]


@dataclass(frozen=True, slots=True)
class Audience:
    """`fair`: everyone in the fair; `staff`: moderators; `booth_staff`: moderators and the booth's
    recruiters; `user`: one participant."""

    kind: AudienceKind = "fair"
    booth_id: str | None = None
    user_id: str | None = None

    def admits(self, user_id: str, role: Role, booth_id: str | None) -> bool:
        if self.kind == "fair" or role is Role.MODERATOR:
            return True
        if self.kind == "booth_staff":
            return role is Role.RECRUITER and booth_id == self.booth_id
        if self.kind == "user":
            return user_id == self.user_id
        return False

    def to_json(self) -> dict[str, str]:
        out: dict[str, str] = {"kind": self.kind}
        if self.booth_id:
            out["booth_id"] = self.booth_id
        if self.user_id:
            out["user_id"] = self.user_id
        return out


EVERYONE = Audience()


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    data: dict[str, Any]
    to: Audience = field(default=EVERYONE)

    def encode(self) -> str:
        return json.dumps(
            {"type": self.type, "data": self.data, "to": self.to.to_json()},
            separators=(",", ":"),
            ensure_ascii=False,
        )


def decode_envelope(raw: str) -> tuple[int | None, Event]:
    """Parse what a script published: `{"rev": N, "e": event}` (rev absent for transient events)."""
    envelope = json.loads(raw)
    body = envelope["e"]
    to = body.get("to") or {}
    audience = Audience(
        kind=to.get("kind", "fair"), booth_id=to.get("booth_id"), user_id=to.get("user_id")
    )
    return envelope.get("rev"), Event(type=body["type"], data=body["data"], to=audience)


async def publish(redis: Redis, fair_id: str, event: Event) -> None:
    """Publish an event that reports no stored change (it bumps no revision)."""
    await redis.publish(keys.events(fair_id), '{"e":' + event.encode() + "}")
