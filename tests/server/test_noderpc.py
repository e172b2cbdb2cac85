"""Node-to-node requests over Redis: answers, refusals carried across, absent and silent nodes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from rooms.errors import Forbidden, InvalidState
from server.noderpc import NodeRpc


@pytest.fixture
async def pair(redis: Redis) -> AsyncIterator[tuple[NodeRpc, NodeRpc]]:
    a, b = NodeRpc(redis, "node-a", timeout=1.0), NodeRpc(redis, "node-b", timeout=1.0)

    async def echo(data: dict[str, Any]) -> dict[str, Any]:
        return {"seen_by": "node-b", **data}

    async def refuse(data: dict[str, Any]) -> dict[str, Any]:
        raise Forbidden("not yours")

    async def hang(data: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(5)
        return {}

    for op, handler in (("echo", echo), ("refuse", refuse), ("hang", hang)):
        b.register(op, handler)
    await a.start()
    await b.start()
    yield a, b
    await a.close()
    await b.close()


async def test_a_request_is_answered_by_the_named_node(pair: tuple[NodeRpc, NodeRpc]) -> None:
    a, _ = pair
    assert await a.call("node-b", "echo", {"x": 1}) == {"seen_by": "node-b", "x": 1}


async def test_a_refusal_arrives_as_the_same_domain_error(pair: tuple[NodeRpc, NodeRpc]) -> None:
    a, _ = pair
    with pytest.raises(Forbidden, match="not yours"):
        await a.call("node-b", "refuse", {})


async def test_a_node_that_is_gone_is_reported_at_once(pair: tuple[NodeRpc, NodeRpc]) -> None:
    a, _ = pair
    with pytest.raises(InvalidState, match="not reachable"):
        await a.call("node-gone", "echo", {})


async def test_a_node_that_does_not_answer_times_out(pair: tuple[NodeRpc, NodeRpc]) -> None:
    a, _ = pair
    with pytest.raises(InvalidState, match="did not answer"):
        await a.call("node-b", "hang", {})


async def test_concurrent_requests_get_their_own_answers(pair: tuple[NodeRpc, NodeRpc]) -> None:
    a, _ = pair
    replies = await asyncio.gather(*(a.call("node-b", "echo", {"n": n}) for n in range(50)))
    assert [r["n"] for r in replies] == list(range(50))
