"""Web Push: "your turn" reaches a phone whose screen is off, through the browser vendor's push
service (an option: on when JOBFAIR_VAPID_SUBJECT is set; docs/protocol-queue.md).

A worker's page subscribes (`push.subscribe`) once the worker joined a line and allowed
notifications; the subscription is kept per (fair, worker). When a call succeeds, the node that
executed it, and only that node, sends one encrypted message to each of the worker's browsers;
the service worker (/sw.js) shows it. The text is translated here, in the language the page had.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
from pywebpush import WebPushException, webpush_async
from redis.asyncio import Redis

from rooms.errors import InvalidInput
from rooms.fairs import Fairs
from rooms.store import keys
from server.i18n import Catalogs
from server.settings import Settings
from server.vapid import load_vapid, public_key

log = logging.getLogger(__name__)

KEEP_SECONDS = 2 * 24 * 3600  # a subscription outlives a fair day and its reloads
MOST_BROWSERS = 5  # per worker: a phone, a laptop, ... not a list that grows without end
SEND_TIMEOUT = 10.0
TTL_SECONDS = 60  # the push service may hold the message this long: a call expires soon after


class WebPush:
    def __init__(self, settings: Settings, redis: Redis, fairs: Fairs, catalogs: Catalogs) -> None:
        self._redis = redis
        self._fairs = fairs
        self._catalogs = catalogs
        self._subject = settings.vapid_subject
        self._allow_http = settings.push_allow_http
        self._vapid = load_vapid(settings.vapid_private_key) if self._subject else None
        self.public_key = public_key(self._vapid) if self._vapid else ""
        self._tasks: set[asyncio.Task[None]] = set()

    async def subscribe(
        self, fair_id: str, worker_id: str, subscription: dict[str, Any], lang: str
    ) -> None:
        if self._vapid is None:
            raise InvalidInput("web push is off on this server")
        endpoint = str(subscription["endpoint"])
        if not endpoint.startswith("https://") and not self._allow_http:
            raise InvalidInput("a push endpoint is an https:// URL")
        key = keys.push_subscriptions(fair_id, worker_id)
        kept = await self._redis.hkeys(key)
        async with self._redis.pipeline(transaction=True) as pipe:
            for old in kept[: max(0, len(kept) - MOST_BROWSERS + 1)]:
                if old != endpoint:
                    pipe.hdel(key, old)
            pipe.hset(key, endpoint, json.dumps({"subscription": subscription, "lang": lang}))
            pipe.expire(key, KEEP_SECONDS)
            await pipe.execute()

    def called(self, fair_id: str, entry: dict[str, Any]) -> None:
        """The call `entry` was just made on this node: push it, without delaying the answer."""
        if self._vapid is None or entry.get("state") != "called":
            return
        task = asyncio.get_running_loop().create_task(self._send(fair_id, entry), name="web-push")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _send(self, fair_id: str, entry: dict[str, Any]) -> None:
        key = keys.push_subscriptions(fair_id, str(entry["worker_id"]))
        try:
            kept = await self._redis.hgetall(key)
            if not kept:
                return
            booth = await self._fairs.get_booth(fair_id, str(entry["booth_id"]))
        except Exception as exc:  # a push is a best effort; the page's own alarm still rings
            log.warning("web push for a call in %s not sent: %s", fair_id, exc)
            return
        timeout = aiohttp.ClientTimeout(total=SEND_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for endpoint, raw in kept.items():
                kept_sub = json.loads(raw)
                _ = self._catalogs.gettext(str(kept_sub["lang"]))
                message = {
                    "title": _("It is your turn!"),
                    "body": f"{booth.employer} {_('is calling you to an interview.')}",
                    "tag": f"call-{entry['id']}",
                    "url": f"/fairs/{fair_id}/booths/{entry['booth_id']}",
                }
                await self._post(session, key, endpoint, kept_sub["subscription"], message)

    async def _post(
        self,
        session: aiohttp.ClientSession,
        key: str,
        endpoint: str | bytes,
        subscription: dict[str, Any],
        message: dict[str, str],
    ) -> None:
        try:
            await webpush_async(
                subscription,
                json.dumps(message),
                vapid_private_key=self._vapid,
                vapid_claims={"sub": self._subject},
                ttl=TTL_SECONDS,
                headers={"Urgency": "high"},
                aiohttp_session=session,
            )
        except WebPushException as exc:
            status = exc.response.status if exc.response is not None else 0
            if status in (404, 410):  # the browser unsubscribed: forget it
                await self._redis.hdel(key, endpoint)
            log.warning("web push refused (%s)", status or exc)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("web push not delivered: %s", type(exc).__name__)
