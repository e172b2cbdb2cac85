"""`create_app(settings)`: the Starlette app, its routes and its lifespan (Redis, bus, hub)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ExceptionHandler
from starlette.websockets import WebSocket, WebSocketState

import web
from rooms.dossiers import Dossiers
from rooms.errors import DomainError
from rooms.fairs import Fairs
from rooms.interview_room import InterviewRoom
from rooms.nodes import Nodes, new_node_id
from rooms.people import People
from rooms.polls import Polls
from rooms.qa import QA
from rooms.queue import Queue
from rooms.queue_views import QueueViews
from rooms.reports.periods import Periods
from rooms.reports.reader import Reports
from rooms.slots import Slots
from rooms.store.replication import Replication
from rooms.store.scripts import Scripts
from rooms.streams import Streams
from server.attendance import Attendance
from server.auth import Tokens
from server.bus import Bus
from server.dashboard import Dashboards
from server.errors import json_error
from server.health import Health
from server.http import api, dossiers, error_pages, interviews, pages, reports
from server.http.faults import Faults
from server.http.guard import Guard
from server.i18n import Catalogs
from server.interview_media import InterviewMedia
from server.lease import keep_lease
from server.loop_lag import LoopLag
from server.media_metrics import MediaCollector
from server.metrics import Metrics
from server.noderpc import NodeRpc
from server.poll_notifier import PollNotifier
from server.qa_notifier import QANotifier
from server.queue_metrics import QueueCollector
from server.queue_notifier import QueueNotifier
from server.redis_client import connect_probe, connect_redis
from server.rtc.aiortc_internals import CandidatePolicy
from server.services import Services
from server.settings import Settings
from server.streaming import Streaming
from server.sweeper import Sweeper
from server.tasks import cancel
from server.upload_store import open_store
from server.web_push import WebPush
from server.ws.endpoint import fair_socket
from server.ws.hub import Hub
from server.ws.protocol import CLOSE_TRY_AGAIN

log = logging.getLogger(__name__)


async def redis_error_handler(conn: HTTPConnection, exc: Exception) -> Response | None:
    """Redis failed or timed out: the outcome is unknown (a command cut short may still run).
    Say so without the exception's text, which names hosts and ports: 503 `unavailable`, or a
    websocket closed with 1013 (try again later)."""
    route = getattr(conn.scope.get("route"), "path", "?")  # never the path: it may carry tokens
    log.warning("storage did not answer on %s: %s", route, type(exc).__name__)
    if isinstance(conn, WebSocket):
        with contextlib.suppress(RuntimeError):  # already closed
            if conn.client_state == WebSocketState.CONNECTING:
                await conn.accept()  # a close before accept reaches a browser as 403/1006
            await conn.close(CLOSE_TRY_AGAIN, "storage unavailable; try again")
        return None
    return json_error("unavailable", "storage unavailable; try again", 503)


def routes() -> list[BaseRoute]:
    return [
        *pages.ROUTES,
        *api.ROUTES,
        *dossiers.ROUTES,
        *interviews.ROUTES,
        *reports.ROUTES,
        WebSocketRoute("/ws/fairs/{fair_id}", fair_socket),
        Mount("/static", StaticFiles(directory=web.ROOT / "static"), name="static"),
    ]


def create_app(settings: Settings) -> Starlette:
    if settings.redis_url is None:
        raise ValueError("create_app needs a redis_url (the CLI starts an embedded Redis)")
    redis_url, limits = settings.redis_url, settings.limits
    uploads = open_store(settings.uploads, settings.data_dir)  # a bad setting stops the start

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        redis = connect_redis(redis_url, limits.redis_timeout)
        probe = connect_probe(redis_url, limits.redis_probe_timeout)
        scripts = Scripts(redis, Replication(settings.wait_replicas, settings.redis_wait_ms))
        hub: Hub
        health: Health

        def deliver(fair_id: str, raw: str) -> None:
            hub.deliver(fair_id, raw)

        def bus_changed() -> None:
            health.evaluate()

        bus = Bus(probe, deliver, bus_changed, limits.redis_timeout)
        hub = Hub(bus.subscribe, bus.unsubscribe)
        metrics = Metrics()
        health = Health(
            probe,
            lambda: bus.up,
            hub.broadcast,
            limits.redis_probe_interval,
            limits.redis_probe_timeout,
            on_rtt=metrics.redis_rtt.observe,
        )
        qa_notifier = QANotifier()
        qa_notifier.attach(hub)
        poll_notifier = PollNotifier()
        poll_notifier.attach(hub)
        node_id = new_node_id()
        nodes, fairs = Nodes(redis), Fairs(redis, scripts)
        await nodes.renew(node_id)
        rpc = NodeRpc(redis, node_id)
        streams = Streams(redis, scripts)
        candidates = CandidatePolicy(settings.rtc_public_ip, settings.rtc_ports)
        queue, queue_views = Queue(redis, scripts), QueueViews(redis)

        async def interviewing(fair_id: str, booth_id: str) -> dict[str, float]:
            """Recruiter -> expected end of their interview under way (booth streams pause)."""
            begun = await queue_views.interviewing(fair_id, booth_id)
            if not begun:
                return {}
            length = (await fairs.get_booth(fair_id, booth_id)).slot_minutes * 60
            return {recruiter: at + length for recruiter, at in begun.items()}

        streaming = Streaming(streams, rpc, settings.ice_servers, candidates, interviewing)
        hub.intercept("queue.changed", streaming.queue_changed)
        interview_media = InterviewMedia(
            redis, scripts, nodes, rpc, settings.ice_servers, candidates
        )
        slots = Slots(redis, scripts)
        queue_notifier, sweeper = QueueNotifier(hub, queue_views), Sweeper(queue, hub, slots)
        reports_ = Reports(redis, watched_seconds=settings.limits.watched_seconds)
        periods = Periods(redis, scripts, settings.limits.attendance_lease)
        attendance = Attendance(periods, node_id, queue.fair_ids)
        dashboards = Dashboards(reports_)
        catalogs = Catalogs()
        web_push = WebPush(settings, redis, fairs, catalogs)
        metrics.redis_up.set_function(lambda: float(health.ok))
        metrics.send_queued.set_function(hub.queued)
        metrics.collect_from(
            MediaCollector({"booth": streaming.hub, "interview": interview_media.hub})
        )
        queue_metrics = QueueCollector(reports_, hub.fair_ids)
        metrics.collect_from(queue_metrics, queue_metrics.refresh)
        loop_lag = LoopLag(metrics.loop_lag.observe)
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
            health=health,
            metrics=metrics,
            templates=Jinja2Templates(directory=web.ROOT / "templates"),
            catalogs=catalogs,
            node_id=node_id,
            nodes=nodes,
            streaming=streaming,
            uploads=uploads,
            interview_room=InterviewRoom(redis, scripts),
            interview_media=interview_media,
            qa=QA(redis, scripts),
            qa_notifier=qa_notifier,
            polls=Polls(redis, scripts),
            poll_notifier=poll_notifier,
            queue=queue,
            queue_views=queue_views,
            queue_notifier=queue_notifier,
            web_push=web_push,
            slots=slots,
            reports=reports_,
            attendance=attendance,
            dashboards=dashboards,
        )
        await bus.start()
        health.start()
        loop_lag.start()
        await rpc.start()
        await streaming.start()
        sweeper.start()
        attendance.start()
        lease = asyncio.create_task(keep_lease(node_id, nodes, fairs, streams), name="lease")
        try:
            yield
        finally:
            await cancel(lease)
            await sweeper.close()
            await attendance.close()
            await dashboards.close()
            await queue_notifier.close()
            await web_push.close()
            await streaming.close()
            await interview_media.close()
            await rpc.close()
            await health.close()
            await loop_lag.close()
            await bus.close()
            qa_notifier.close()
            poll_notifier.close()
            await nodes.release(node_id)
            await redis.aclose()
            await probe.aclose()

    return Starlette(
        routes=routes(),
        lifespan=lifespan,
        middleware=[Middleware(Faults), Middleware(Guard, settings=settings)],
        exception_handlers={
            DomainError: error_pages.domain_error,  # a page for a person, JSON for scripts
            HTTPException: error_pages.http_error,
            RedisError: cast(ExceptionHandler, redis_error_handler),  # serves both kinds
        },
    )
