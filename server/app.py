"""`create_app(settings)`: the Starlette app, its routes and its lifespan (Redis, bus, hub)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

import web
from rooms.dossiers import Dossiers
from rooms.errors import DomainError
from rooms.fairs import Fairs
from rooms.interview_room import InterviewRoom
from rooms.nodes import Nodes, new_node_id
from rooms.people import People
from rooms.qa import QA
from rooms.queue import Queue
from rooms.queue_views import QueueViews
from rooms.slots import Slots
from rooms.store.replication import Replication
from rooms.store.scripts import Scripts
from rooms.streams import Streams
from server.auth import Tokens
from server.bus import Bus
from server.errors import domain_error_handler, http_error_handler, json_error
from server.http import api, dossiers, interviews, pages
from server.http.faults import Faults
from server.http.guard import Guard
from server.i18n import load_catalogs
from server.interview_media import InterviewMedia
from server.lease import keep_lease
from server.metrics import Metrics
from server.noderpc import NodeRpc
from server.qa_notifier import QANotifier
from server.queue_notifier import QueueNotifier
from server.redis_pool import blocking_pool
from server.services import Services
from server.settings import Settings
from server.streaming import Streaming
from server.sweeper import Sweeper
from server.upload_store import open_store
from server.ws.endpoint import fair_socket
from server.ws.hub import Hub

REDIS_CONNECTIONS = 64  # per node; more commands wait for one


def connect_redis(url: str) -> Redis:
    """Commands retry through a short outage (a Redis restart) before they fail with 503.

    The pool waits for a free connection (up to 10 s) instead of failing at once: a crowd
    connecting together (hundreds of handshakes) must queue for Redis, not get 503s."""
    pool = blocking_pool(
        url,
        max_connections=REDIS_CONNECTIONS,
        timeout=10,
        decode_responses=True,
        health_check_interval=15,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=6),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )
    return Redis.from_pool(pool)


async def redis_error_handler(request: Request, exc: Exception) -> Response:
    return json_error("unavailable", f"storage unavailable: {exc}", 503)


def routes() -> list[BaseRoute]:
    return [
        *pages.ROUTES,
        *api.ROUTES,
        *dossiers.ROUTES,
        *interviews.ROUTES,
        WebSocketRoute("/ws/fairs/{fair_id}", fair_socket),
        Mount("/static", StaticFiles(directory=web.ROOT / "static"), name="static"),
    ]


def create_app(settings: Settings) -> Starlette:
    if settings.redis_url is None:
        raise ValueError("create_app needs a redis_url (the CLI starts an embedded Redis)")
    redis_url = settings.redis_url
    uploads = open_store(settings.uploads, settings.data_dir)  # a bad setting stops the start

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        redis = connect_redis(redis_url)
        scripts = Scripts(redis, Replication(settings.wait_replicas, settings.redis_wait_ms))
        hub: Hub

        def deliver(fair_id: str, raw: str) -> None:
            hub.deliver(fair_id, raw)

        def resync(fair_id: str) -> None:
            hub.resync(fair_id)

        bus = Bus(redis, deliver, resync)
        hub = Hub(bus.subscribe, bus.unsubscribe)
        qa_notifier = QANotifier()
        qa_notifier.attach(hub)
        node_id = new_node_id()
        nodes, fairs = Nodes(redis), Fairs(redis, scripts)
        await nodes.renew(node_id)
        rpc = NodeRpc(redis, node_id)
        streams = Streams(redis, scripts)
        streaming = Streaming(streams, rpc, settings.ice_servers)
        interview_media = InterviewMedia(redis, scripts, nodes, rpc, settings.ice_servers)
        queue, queue_views = Queue(redis, scripts), QueueViews(redis)
        slots = Slots(redis, scripts)
        queue_notifier, sweeper = QueueNotifier(hub, queue_views), Sweeper(queue, hub, slots)
        app.state.services = Services(
            settings=settings,
            redis=redis,
            scripts=scripts,
            fairs=fairs,
            dossiers=Dossiers(redis, scripts),
            people=People(redis, scripts),
            tokens=Tokens(settings.secret_key, settings.session_hours, settings.invite_days),
            hub=hub,
            bus=bus,
            metrics=Metrics(),
            templates=Jinja2Templates(directory=web.ROOT / "templates"),
            catalogs=load_catalogs(),
            node_id=node_id,
            nodes=nodes,
            streaming=streaming,
            uploads=uploads,
            interview_room=InterviewRoom(redis, scripts),
            interview_media=interview_media,
            qa=QA(redis, scripts),
            qa_notifier=qa_notifier,
            queue=queue,
            queue_views=queue_views,
            queue_notifier=queue_notifier,
            slots=slots,
        )
        await bus.start()
        await rpc.start()
        await streaming.start()
        sweeper.start()
        lease = asyncio.create_task(keep_lease(node_id, nodes, fairs, streams), name="lease")
        try:
            yield
        finally:
            lease.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await lease
            await sweeper.close()
            await queue_notifier.close()
            await streaming.close()
            await interview_media.close()
            await rpc.close()
            await bus.close()
            qa_notifier.close()
            await nodes.release(node_id)
            await redis.aclose()

    return Starlette(
        routes=routes(),
        lifespan=lifespan,
        middleware=[Middleware(Faults), Middleware(Guard, settings=settings)],
        exception_handlers={
            DomainError: domain_error_handler,
            HTTPException: http_error_handler,
            RedisError: redis_error_handler,
        },
    )
