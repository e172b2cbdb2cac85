"""How many replicas must hold a durable change before it is acknowledged.

Redis replicates asynchronously: a change the primary acknowledged may not have reached a replica
when the primary dies, and the promoted replica then never saw it. Queue and outcome changes are
followed by `WAIT replicas timeout_ms` on the same connection, so their acknowledgement means "on
the primary and on a replica". When no replica answers in time (it is down, or it has just been
promoted and has no replica of its own), waiting on every change would only add the timeout to
each of them: the change is acknowledged from the primary alone, the node logs it, counts it, and
does not wait again for `retry_after` seconds. docs/state.md "Replication and failover".
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class Replication:
    replicas: int = 0  # 0: acknowledge on the primary alone (a single Redis, the embedded one)
    timeout_ms: int = 500
    retry_after: float = 5.0
    unreplicated: int = 0  # durable changes acknowledged without a replica (for /metrics)
    _skip_until: float = 0.0

    def wanted(self) -> bool:
        """Whether the next durable change should WAIT; counts the ones that will not."""
        if self.replicas <= 0:
            return False
        if time.monotonic() < self._skip_until:
            self.unreplicated += 1
            return False
        return True

    def record(self, acknowledged: int) -> None:
        """The reply of a WAIT: fewer replicas than wanted starts a degraded spell."""
        if acknowledged >= self.replicas:
            return
        self.unreplicated += 1
        self._skip_until = time.monotonic() + self.retry_after
        log.warning(
            "replication degraded: %d of %d replicas acknowledged within %d ms; changes are "
            "acknowledged by the primary alone for %.0f s",
            acknowledged,
            self.replicas,
            self.timeout_ms,
            self.retry_after,
        )
