"""State changes the hub reports, so the server layer can publish them (e.g. to Redis)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class OfflineReason(StrEnum):
    LEFT = "left"  # the publisher's connection closed or failed
    UNPUBLISHED = "unpublished"  # the server ended the publisher, viewers stay
    REPLACED = "replaced"  # a new publisher took over; a StreamLive follows when its media flows
    STOPPED = "stopped"  # the stream was stopped with all its viewers (or the hub closed)


@dataclass(frozen=True, slots=True)
class StreamLive:
    """The publisher's first frame arrived: viewers can watch."""

    stream_id: str


@dataclass(frozen=True, slots=True)
class StreamHandedOver:
    """Viewers now see the publisher that took over (`StreamHub.hand_over`); no gap, no
    reconnection."""

    stream_id: str


@dataclass(frozen=True, slots=True)
class StreamOffline:
    stream_id: str
    reason: OfflineReason


@dataclass(frozen=True, slots=True)
class ViewerCountChanged:
    """How many watch, and how many of them are on each level (`high`, `low`, `audio`; a viewer
    on `text` still gets audio and counts there)."""

    stream_id: str
    count: int
    levels: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ViewerLevelChanged:
    """What one viewer now gets (server/rtc/layers.py): `high` or `low` video layer, `audio`
    only, or `text` (audio still sent, but failing); `loss_pct` is its recent packet loss."""

    stream_id: str
    viewer_id: str
    level: str
    loss_pct: float


StreamEvent = (
    StreamLive | StreamHandedOver | StreamOffline | ViewerCountChanged | ViewerLevelChanged
)

# Called on the event loop, synchronously: it must not block (hand the event to a bounded queue or
# a task of its own). An exception it raises is logged and does not reach the media path.
EventCallback = Callable[[StreamEvent], None]
