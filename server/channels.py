"""Which of this node's connections watch which channel (a booth or the stage) of a fair.

A connection watches a channel once it listed it (`qa.list`, `poll.list`); past `max_watched`
channels, the one it opened longest ago stops, so a moderator switching channels does not pile
them up. Closed connections fall out by themselves (weak references); an emptied channel's entry
is removed the next time it is looked up.
"""

from __future__ import annotations

import weakref

from server.ws.connection import Connection

Key = tuple[str, str]  # (fair id, channel)


class ChannelWatchers:
    def __init__(self, max_watched: int = 8) -> None:
        self.max_watched = max_watched
        self._watchers: dict[Key, weakref.WeakSet[Connection]] = {}
        self._watched: weakref.WeakKeyDictionary[Connection, list[str]] = (
            weakref.WeakKeyDictionary()
        )

    def watch(self, conn: Connection, channel: str) -> None:
        channels = self._watched.setdefault(conn, [])
        if channel in channels:
            channels.remove(channel)
        channels.append(channel)
        self._watchers.setdefault((conn.fair_id, channel), weakref.WeakSet()).add(conn)
        while len(channels) > self.max_watched:
            oldest = channels.pop(0)
            watchers = self._watchers.get((conn.fair_id, oldest))
            if watchers is not None:
                watchers.discard(conn)

    def watched(self, key: Key) -> bool:
        return key in self._watchers

    def each(self, key: Key) -> list[Connection]:
        watchers = self._watchers.get(key)
        if watchers is None:
            return []
        if not watchers:
            del self._watchers[key]
            return []
        return [conn for conn in watchers if not conn.closed.is_set()]
