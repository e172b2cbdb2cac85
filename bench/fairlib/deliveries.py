"""Delivery latency to the last recipient, per kind of event, for bench/fair.py.

An event is opened when the bench sends the change that causes it, with the set of clients that
must see it; each client's first matching frame takes it off the set; the time from sending to
the moment the set is empty is the event's latency. An event whose set is not empty when the run
ends counts as missed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Pending:
    kind: str
    t0: float
    waiting: set[int]
    info: dict[str, Any] = field(default_factory=dict)  # what a matching frame must show
    last: float | None = None  # when the latest recipient had it


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Deliveries:
    def __init__(self) -> None:
        self.open: dict[object, Pending] = {}
        self.done: dict[str, list[float]] = {}
        self.missed: dict[str, int] = {}
        self.empty: dict[str, int] = {}  # events nobody had to receive (not timed)

    def start(
        self, kind: str, key: object, t0: float, waiting: set[int], **info: Any
    ) -> Pending | None:
        if key in self.open:  # the last one of this key never reached everyone
            self.missed[kind] = self.missed.get(kind, 0) + 1
        if not waiting:
            self.open.pop(key, None)
            self.empty[kind] = self.empty.get(kind, 0) + 1
            return None
        pending = self.open[key] = Pending(kind, t0, set(waiting), info)
        return pending

    def got(self, key: object, client: int, at: float) -> None:
        pending = self.open.get(key)
        if pending is not None and client in pending.waiting:
            pending.last = at if pending.last is None else max(pending.last, at)
            self._take(key, pending, client)

    def drop(self, key: object, client: int) -> None:
        """`client` need not receive it after all (it was the one called)."""
        pending = self.open.get(key)
        if pending is not None and client in pending.waiting:
            self._take(key, pending, client)

    def _take(self, key: object, pending: Pending, client: int) -> None:
        pending.waiting.discard(client)
        if pending.waiting:
            return
        del self.open[key]
        if pending.last is None:
            self.empty[pending.kind] = self.empty.get(pending.kind, 0) + 1
        else:
            self.done.setdefault(pending.kind, []).append((pending.last - pending.t0) * 1000)

    def cancel(self, key: object) -> None:
        self.open.pop(key, None)

    def close(self) -> None:
        for pending in self.open.values():
            self.missed[pending.kind] = self.missed.get(pending.kind, 0) + 1
        self.open.clear()
