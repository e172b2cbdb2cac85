"""Requests from one node to another over Redis pub/sub.

A viewer's websocket may be on node B while the booth's media is held by node A: B asks A to
answer the viewer's offer. Each node listens on its own channel; a request names the channel to
reply on. A node that is gone answers nobody: the caller gets a clear error after a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from rooms.errors import DomainError, InvalidState, from_code
from rooms.store import keys
from server.tasks import cancel

log = logging.getLogger(__name__)

RpcHandler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class NodeRpc:
    def __init__(self, redis: Redis, node_id: str, timeout: float = 10.0) -> None:
        self.redis = redis
        self.node_id = node_id
        self.channel = keys.node_rpc(node_id)
        self.timeout = timeout
        self._handlers: dict[str, RpcHandler] = {}
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Task[None] | None = None

    def register(self, op: str, handler: RpcHandler) -> None:
        self._handlers[op] = handler

    async def start(self) -> None:
        ready = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(ready), name="node-rpc")
        await ready.wait()

    async def close(self) -> None:
        await cancel(self._listener)
        self._listener = None
        for task in list(self._tasks):
            task.cancel()
        for future in self._waiting.values():
            future.cancel()

    async def call(self, node_id: str, op: str, payload: dict[str, Any]) -> dict[str, Any]:
        request_id = secrets.token_hex(8)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        message = {"op": op, "id": request_id, "reply": self.channel, "data": payload}
        try:
            receivers = await self.redis.publish(keys.node_rpc(node_id), json.dumps(message))
            if not receivers:
                raise InvalidState("the server holding this stream is not reachable")
            reply = await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            raise InvalidState("the server holding this stream did not answer") from None
        finally:
            self._waiting.pop(request_id, None)
        if reply.get("ok"):
            data: dict[str, Any] = reply.get("data") or {}
            return data
        error = reply.get("error") or {}
        raise from_code(error.get("code", ""), error.get("message", "")) or InvalidState(
            error.get("message", "the other server failed")
        )

    async def _listen(self, ready: asyncio.Event) -> None:
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                ready.set()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._dispatch(json.loads(message["data"]))
            except RedisError as exc:
                log.warning("node rpc channel lost (%s); reconnecting", exc)
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "op" not in message:
            future = self._waiting.get(message.get("id", ""))
            if future is not None and not future.done():
                future.set_result(message)
            return
        task = asyncio.create_task(self._serve(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, message: dict[str, Any]) -> None:
        reply: dict[str, Any] = {"id": message.get("id")}
        handler = self._handlers.get(message.get("op", ""))
        try:
            if handler is None:
                raise InvalidState(f"unknown request {message.get('op')!r}")
            reply |= {"ok": True, "data": await handler(message.get("data") or {})}
        except DomainError as exc:
            reply |= {"ok": False, "error": {"code": exc.code, "message": exc.message}}
        except Exception as exc:
            log.exception("node rpc %s failed", message.get("op"))
            reply |= {"ok": False, "error": {"code": "invalid_state", "message": str(exc)}}
        with contextlib.suppress(RedisError):
            await self.redis.publish(str(message.get("reply")), json.dumps(reply))
