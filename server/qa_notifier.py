"""Q&A events on this node: who watches which channel, per-viewer rendering, coalesced votes.

A connection watches a channel once it asked `qa.list` for it (a booth page watches its booth, a
moderator the channels they open). The scripts publish each question change with the whole
question; here `rooms.qa.view` renders at most three variants (staff, author, everyone else) and
each watcher gets the one it may see, so a pending question or an anonymous author's name never
reaches another attendee's socket. Votes publish a tiny `qa.voted` notice; per channel, notices are
collected for `debounce` seconds and sent as one `qa.scores` frame of the changed counts only.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rooms.events import Event
from rooms.qa import Question, Viewer, view, viewer_of, visible
from server.channels import ChannelWatchers, Key
from server.ws.connection import Connection
from server.ws.hub import Hub
from server.ws.protocol import event


class QANotifier:
    def __init__(self, debounce: float = 0.25, max_watched: int = 8) -> None:
        self.debounce = debounce
        self._channels = ChannelWatchers(max_watched)
        self._scores: dict[Key, dict[str, int]] = {}
        self._timers: dict[Key, asyncio.TimerHandle] = {}

    def attach(self, hub: Hub) -> None:
        hub.intercept("qa.question", self.on_question)
        hub.intercept("qa.voted", self.on_voted)
        hub.intercept("qa.settings", self.on_settings)

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._scores.clear()

    def watch(self, conn: Connection, channel: str) -> None:
        """From now on `conn` gets the channel's events (server/channels.py)."""
        self._channels.watch(conn, channel)

    def _each(self, key: Key) -> list[Connection]:
        return self._channels.each(key)

    def on_question(self, fair_id: str, ev: Event) -> None:
        q = Question.from_hash(ev.data["q"])
        was = str(ev.data.get("was", ""))
        frames: dict[Viewer, str | None] = {}
        for conn in self._each((fair_id, q.channel)):
            viewer = viewer_of(conn.user, fair_id, q)
            if viewer not in frames:
                frames[viewer] = _render(q, was, viewer)
            text = frames[viewer]
            if text is not None:
                conn.push(text)

    def on_settings(self, fair_id: str, ev: Event) -> None:
        text = event("qa.settings", ev.data, None)
        for conn in self._each((fair_id, str(ev.data["channel"]))):
            conn.push(text)

    def on_voted(self, fair_id: str, ev: Event) -> None:
        key = (fair_id, str(ev.data["c"]))
        if not self._channels.watched(key):
            return  # nobody here watches the channel
        self._scores.setdefault(key, {})[str(ev.data["q"])] = int(ev.data["v"])
        if key not in self._timers:
            loop = asyncio.get_running_loop()
            self._timers[key] = loop.call_later(self.debounce, self._flush, key)

    def _flush(self, key: Key) -> None:
        self._timers.pop(key, None)
        scores = self._scores.pop(key, None)
        if not scores:
            return
        text = event("qa.scores", {"channel": key[1], "scores": scores}, None)
        for conn in self._each(key):
            conn.push(text)


def _render(q: Question, was: str, viewer: Viewer) -> str | None:
    """The frame `viewer` gets for this change: the question, its removal from their list (it
    was visible to them and no longer is), or nothing (they never saw it)."""
    shown = view(q, viewer)
    if shown is not None:
        return event("qa.question", shown, None)
    if was and visible(was, viewer):
        removed: dict[str, Any] = {"channel": q.channel, "id": q.id, "merged_into": q.merged_into}
        return event("qa.removed", removed, None)
    return None
