"""Everything one app holds, built in its lifespan: no module-level state anywhere."""

from __future__ import annotations

from dataclasses import dataclass

from babel.support import NullTranslations
from redis.asyncio import Redis
from starlette.requests import HTTPConnection
from starlette.templating import Jinja2Templates

from rooms.fairs import Fairs
from rooms.people import People
from rooms.store.scripts import Scripts
from server.auth import Tokens
from server.bus import Bus
from server.metrics import Metrics
from server.settings import Settings
from server.ws.hub import Hub


@dataclass
class Services:
    settings: Settings
    redis: Redis
    scripts: Scripts
    fairs: Fairs
    people: People
    tokens: Tokens
    hub: Hub
    bus: Bus
    metrics: Metrics
    templates: Jinja2Templates
    catalogs: dict[str, NullTranslations]


def services(conn: HTTPConnection) -> Services:
    found: Services = conn.app.state.services
    return found
