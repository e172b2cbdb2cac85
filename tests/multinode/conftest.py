"""A second jobfair node on the session's Redis, for tests of what crosses nodes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.procs import Node, RedisProcess


@pytest.fixture
def node_b(redis_server: RedisProcess, tmp_path: Path) -> Iterator[Node]:
    node = Node(tmp_path / "b", redis_server.url).start()
    yield node
    node.stop()
