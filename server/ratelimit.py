"""Token buckets: a steady rate with bursts allowed, for websocket messages and HTTP writes."""

from __future__ import annotations

import time
from collections import OrderedDict


class TokenBucket:
    __slots__ = ("_burst", "_rate", "_stamp", "_tokens")

    def __init__(self, per_minute: float, burst: float) -> None:
        self._rate = per_minute / 60.0
        self._burst = burst
        self._tokens = burst
        self._stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


class KeyedLimiter:
    """One bucket per key (a session or a client address), the least recently seen forgotten
    past `max_keys` so that a flood of addresses cannot grow memory."""

    def __init__(self, per_minute: float, burst: float, max_keys: int = 10_000) -> None:
        self._per_minute = per_minute
        self._burst = burst
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def take(self, key: str) -> bool:
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = TokenBucket(self._per_minute, self._burst)
            if len(self._buckets) >= self._max_keys:
                self._buckets.popitem(last=False)
        self._buckets[key] = bucket
        return bucket.take()
