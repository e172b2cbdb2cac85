"""Booth stream state: live and offline announced with the lobby's revision, sessions that a stale
"left" cannot end, and streams of a crashed node reaped once its lease expires."""

from __future__ import annotations

import json

import pytest
from redis.asyncio import Redis

from rooms.errors import NotFound
from rooms.fairs import Fairs
from rooms.models import BoothInput
from rooms.nodes import Nodes
from rooms.store import keys
from rooms.streams import OfflineReason, Streams
from tests.clients import FAIR_INPUT


@pytest.fixture
def streams(redis: Redis, fairs: Fairs) -> Streams:
    return Streams(redis, fairs.scripts)


async def test_going_live_shows_in_the_snapshot_and_is_published(
    fairs: Fairs, streams: Streams, redis: Redis
) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    booth = await fairs.create_booth(fair.id, BoothInput(employer="A"))
    pubsub = redis.pubsub()
    await pubsub.subscribe(keys.events(fair.id))
    await pubsub.get_message(timeout=1)
    await streams.go_live(fair.id, booth.id, "node-1", "recruiter-1")
    message = await pubsub.get_message(timeout=2, ignore_subscribe_messages=True)
    await pubsub.aclose()
    assert message is not None
    published = json.loads(message["data"])
    assert published["e"]["type"] == "stream.live"
    assert "node" not in published["e"]["data"] and "session" not in published["e"]["data"]
    snapshot = await fairs.snapshot(fair.id)
    assert snapshot["streams"][booth.id]["live"] is True
    assert snapshot["rev"] == published["rev"]


async def test_a_booth_that_does_not_exist_cannot_go_live(fairs: Fairs, streams: Streams) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    with pytest.raises(NotFound):
        await streams.go_live(fair.id, "nope", "node-1", "r")


async def test_a_stale_session_cannot_end_the_current_stream(
    fairs: Fairs, streams: Streams
) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    booth = await fairs.create_booth(fair.id, BoothInput(employer="A"))
    old = await streams.go_live(fair.id, booth.id, "node-1", "r")
    new = await streams.go_live(fair.id, booth.id, "node-1", "r")
    assert not await streams.go_offline(fair.id, booth.id, old.session, OfflineReason.LEFT)
    assert (await streams.get(fair.id, booth.id)) == new
    assert await streams.go_offline(fair.id, booth.id, new.session, OfflineReason.LEFT)
    assert await streams.get(fair.id, booth.id) is None
    assert not await streams.go_offline(fair.id, booth.id, None, OfflineReason.LEFT)


async def test_viewer_counts_apply_only_to_the_session_they_name(
    fairs: Fairs, streams: Streams
) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    booth = await fairs.create_booth(fair.id, BoothInput(employer="A"))
    old = await streams.go_live(fair.id, booth.id, "node-1", "r")
    current = await streams.go_live(fair.id, booth.id, "node-1", "r")
    await streams.set_viewers(fair.id, current, 7, {"high": 5, "low": 1, "audio": 1})
    await streams.set_viewers(fair.id, old, 99, {})
    state = await streams.get(fair.id, booth.id)
    assert state is not None and state.viewers == 7


async def test_streams_of_a_node_whose_lease_expired_are_reaped(
    fairs: Fairs, streams: Streams, redis: Redis
) -> None:
    nodes = Nodes(redis)
    fair = await fairs.create_fair(FAIR_INPUT)
    a = await fairs.create_booth(fair.id, BoothInput(employer="A"))
    b = await fairs.create_booth(fair.id, BoothInput(employer="B"))
    await nodes.renew("alive")
    await streams.go_live(fair.id, a.id, "alive", "r1")
    await streams.go_live(fair.id, b.id, "crashed", "r2")
    assert await streams.reap([fair.id], nodes, "reaper") == 1
    assert set(await streams.live(fair.id)) == {a.id}


async def test_a_node_never_reaps_its_own_streams_even_when_its_lease_lapsed(
    fairs: Fairs, streams: Streams, redis: Redis
) -> None:
    fair = await fairs.create_fair(FAIR_INPUT)
    booth = await fairs.create_booth(fair.id, BoothInput(employer="A"))
    await streams.go_live(fair.id, booth.id, "me", "r1")  # no lease: Redis lost it, or never had
    assert await streams.reap([fair.id], Nodes(redis), "me") == 0
    assert set(await streams.live(fair.id)) == {booth.id}
