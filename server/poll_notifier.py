"""Poll events on this node: watchers of a channel, results coalesced per poll.

A poll's opening, closing and draw (`poll.changed`, the whole poll) are rendered at most twice,
for the channel's hosts (who see a quiz's correct option at once) and for everyone else, and go
to the connections watching the channel (`poll.list`). Each counted answer publishes a tiny
`poll.counted` notice; per poll, notices are merged for `interval` seconds and sent as one
`poll.results` frame, so a burst of 10,000 answers is four frames a second per watcher at most.
"""

from __future__ import annotations

import asyncio

from rooms.events import Event
from rooms.polls import is_host, view
from server.channels import ChannelWatchers, Key
from server.ws.connection import Connection
from server.ws.hub import Hub
from server.ws.protocol import event

PollKey = tuple[str, str, str]  # (fair id, channel, poll id)


class PollNotifier:
    def __init__(self, interval: float = 0.25, max_watched: int = 8) -> None:
        self.interval = interval
        self._channels = ChannelWatchers(max_watched)
        self._counts: dict[PollKey, tuple[dict[int, int], int]] = {}  # option -> n; total
        self._timers: dict[PollKey, asyncio.TimerHandle] = {}

    def attach(self, hub: Hub) -> None:
        hub.intercept("poll.changed", self.on_changed)
        hub.intercept("poll.counted", self.on_counted)

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._counts.clear()

    def watch(self, conn: Connection, channel: str) -> None:
        self._channels.watch(conn, channel)

    def on_changed(self, fair_id: str, ev: Event) -> None:
        p, counts = ev.data["p"], ev.data["counts"]
        key: Key = (fair_id, str(p["channel"]))
        frames: dict[bool, str] = {}
        for conn in self._channels.each(key):
            host = is_host(conn.user, fair_id, key[1])
            if host not in frames:
                frames[host] = event("poll.changed", view(p, counts, host), None)
            conn.push(frames[host])

    def on_counted(self, fair_id: str, ev: Event) -> None:
        channel, poll_id = str(ev.data["c"]), str(ev.data["p"])
        if not self._channels.watched((fair_id, channel)):
            return  # nobody here watches the channel
        key = (fair_id, channel, poll_id)
        options, total = self._counts.get(key, ({}, 0))
        option, n = int(ev.data["o"]), int(ev.data["n"])
        options[option] = max(n, options.get(option, 0))  # counts only grow
        self._counts[key] = (options, max(total, int(ev.data["t"])))
        if key not in self._timers:
            loop = asyncio.get_running_loop()
            self._timers[key] = loop.call_later(self.interval, self._flush, key)

    def _flush(self, key: PollKey) -> None:
        self._timers.pop(key, None)
        counted = self._counts.pop(key, None)
        if counted is None:
            return
        options, total = counted
        data = {"channel": key[1], "id": key[2], "counts": options, "total": total}
        text = event("poll.results", data, None)
        for conn in self._channels.each((key[0], key[1])):
            conn.push(text)
