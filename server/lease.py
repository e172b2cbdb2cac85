"""This node's lease in Redis, renewed while it lives; and, on every node, the reaping of booth
streams whose holding node's lease has expired (that node crashed: its viewers are told)."""

from __future__ import annotations

import asyncio
import logging

from redis.exceptions import RedisError

from rooms.fairs import Fairs
from rooms.nodes import LEASE_SECONDS, Nodes
from rooms.streams import Streams

log = logging.getLogger(__name__)

INTERVAL = LEASE_SECONDS / 3


async def keep_lease(node_id: str, nodes: Nodes, fairs: Fairs, streams: Streams) -> None:
    while True:
        try:
            await nodes.renew(node_id)
            ended = await streams.reap([f.id for f in await fairs.list_fairs()], nodes, node_id)
            if ended:
                log.info("ended %d stream(s) held by nodes that are gone", ended)
        except RedisError as exc:
            log.warning("could not renew the node lease: %s", exc)
        except Exception:  # a bug must not end the lease: the node would look dead
            log.exception("node lease round failed; trying again")
        await asyncio.sleep(INTERVAL)
