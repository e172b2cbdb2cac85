"""Everything one app holds, built in its lifespan: no module-level state anywhere."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from starlette.requests import HTTPConnection
from starlette.templating import Jinja2Templates

from rooms.dossiers import Dossiers
from rooms.fairs import Fairs
from rooms.interview_room import InterviewRoom
from rooms.nodes import Nodes
from rooms.people import People
from rooms.polls import Polls
from rooms.qa import QA
from rooms.queue import Queue
from rooms.queue_views import QueueViews
from rooms.reports.reader import Reports
from rooms.slots import Slots
from rooms.store.scripts import Scripts
from server.attendance import Attendance
from server.auth import Tokens
from server.bus import Bus
from server.dashboard import Dashboards
from server.health import Health
from server.i18n import Catalogs
from server.interview_media import InterviewMedia
from server.metrics import Metrics
from server.poll_notifier import PollNotifier
from server.qa_notifier import QANotifier
from server.queue_notifier import QueueNotifier
from server.settings import Settings
from server.streaming import Streaming
from server.upload_store import UploadStore
from server.web_push import WebPush
from server.ws.hub import Hub


@dataclass
class Services:
    settings: Settings
    redis: Redis
    scripts: Scripts
    fairs: Fairs
    dossiers: Dossiers
    people: People
    tokens: Tokens
    hub: Hub
    bus: Bus
    health: Health
    metrics: Metrics
    templates: Jinja2Templates
    catalogs: Catalogs
    node_id: str
    nodes: Nodes
    streaming: Streaming
    uploads: UploadStore
    interview_room: InterviewRoom
    interview_media: InterviewMedia
    qa: QA
    qa_notifier: QANotifier
    polls: Polls
    poll_notifier: PollNotifier
    queue: Queue
    queue_views: QueueViews
    queue_notifier: QueueNotifier
    web_push: WebPush
    slots: Slots
    reports: Reports
    attendance: Attendance
    dashboards: Dashboards


def services(conn: HTTPConnection) -> Services:
    found: Services = conn.app.state.services
    return found
