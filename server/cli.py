"""`jobfair serve`: an embedded Redis unless REDIS_URL is set, first-run moderator, demo fair,
then uvicorn with the websocket settings that were measured fastest here.

SIGTERM or Ctrl+C drains (server/drain.py) before uvicorn's own shutdown; a second signal skips
the rest of the drain. The embedded Redis stops last, and the exit code is 0.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
from dataclasses import replace
from pathlib import Path

import uvicorn

from rooms.demo import seed_demo
from rooms.fairs import Fairs
from rooms.models import Participant
from rooms.people import People
from rooms.store.scripts import Scripts
from server import archive_cli, logs
from server.app import create_app
from server.auth import Tokens
from server.drain import DrainingServer
from server.embedded_redis import EmbeddedRedis
from server.errors import ConfigError
from server.preflight import preflight
from server.redis_client import connect_redis
from server.settings import Settings

log = logging.getLogger("jobfair")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jobfair", description="Live video job-fair server")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve fairs over HTTP and websockets")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument("--data-dir", type=Path, help="state and uploads (default ./jobfair-data)")
    serve.add_argument("--demo", action="store_true", default=None, help="create a demo fair")
    serve.add_argument(
        "--demo-size",
        choices=("small", "large"),
        help="small: 3 booths (default); large: 140 booths and 1,000 postings (implies --demo)",
    )
    serve.add_argument("--public-url", help="how browsers reach this server, for links and Origin")
    serve.add_argument("--tls-cert", type=Path, help="PEM certificate: serve HTTPS")
    serve.add_argument("--tls-key", type=Path, help="PEM private key of --tls-cert")
    serve.add_argument(
        "--log-format", choices=logs.FORMATS, help="text (default) or json: one object a line"
    )
    archive_cli.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    logs.configure(log_format=log_format(getattr(args, "log_format", None)))
    if args.command in ("export", "import"):
        try:
            settings = Settings.from_env(data_dir=args.data_dir)
        except ConfigError as exc:
            raise SystemExit(f"jobfair: {exc}") from None
        archive_cli.run(args, settings)
        return
    try:
        settings = Settings.from_env(
            host=args.host,
            port=args.port,
            data_dir=args.data_dir,
            demo=args.demo or (True if args.demo_size else None),
            demo_size=args.demo_size,
            public_url=args.public_url,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
        )
    except ConfigError as exc:
        raise SystemExit(f"jobfair: {exc}") from None
    if bool(settings.tls_cert) != bool(settings.tls_key):
        raise SystemExit("--tls-cert and --tls-key go together")
    embedded = None
    if settings.redis_url is None:
        embedded = EmbeddedRedis(settings.data_dir)
        embedded.start()
        settings = replace(settings, redis_url=embedded.url)
        log.info(
            "embedded redis-server (pid %s) on %s (append-only file in %s)",
            embedded.pid,
            embedded.socket,
            embedded.data_dir,
        )
    try:
        asyncio.run(serve(settings))
    except ConfigError as exc:
        raise SystemExit(f"jobfair: {exc}") from None
    finally:
        if embedded is not None:
            embedded.stop()


def log_format(flag: str | None) -> str:
    """The flag, else JOBFAIR_LOG_FORMAT, else text; a bad value stops the start."""
    chosen = flag or os.environ.get("JOBFAIR_LOG_FORMAT") or "text"
    if chosen not in logs.FORMATS:
        raise SystemExit(f"jobfair: JOBFAIR_LOG_FORMAT: {chosen!r} is not text or json")
    return chosen


async def serve(settings: Settings) -> None:
    app = create_app(settings)  # first: a bad setting stops the start before anything is printed
    await preflight(settings)
    await bootstrap(settings)
    # Thousands of long-lived connections are objects that survive every collection; scanning
    # them again and again made full collections of ~600,000 objects (450-750 ms pauses in
    # fan-out, docs/performance.md). Collect the young generation less often, and move what
    # start-up built out of the collector's sight.
    gc.set_threshold(50_000, 20, 100)
    gc.freeze()
    limits = settings.limits
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        ws="websockets-sansio",
        ws_max_size=limits.ws_max_message,
        ws_ping_interval=limits.ws_ping_interval,
        ws_ping_timeout=limits.ws_ping_timeout,
        ws_per_message_deflate=False,
        ssl_certfile=settings.tls_cert,
        ssl_keyfile=settings.tls_key,
        forwarded_allow_ips=list(settings.trusted_proxies),  # none: uvicorn would trust loopback
        timeout_graceful_shutdown=5,  # after the drain: the last pages and requests
        log_config=None,
    )
    await DrainingServer(config, lambda: app.state.services, limits.drain_seconds).serve()


async def bootstrap(settings: Settings) -> None:
    """First run: a service moderator. With --demo: the demo fair. Prints the sign-in links."""
    assert settings.redis_url is not None
    redis = connect_redis(settings.redis_url)
    try:
        scripts = Scripts(redis)
        fairs, people = Fairs(redis, scripts), People(redis, scripts)
        tokens = Tokens(settings.secret_key, settings.session_hours, settings.invite_days)
        staff, created = await people.ensure_staff("Moderator")
        links = [("moderator (all fairs)", staff)]
        if created:
            log.info("first run: created the service moderator")
        if settings.demo:
            fair, participants, new = await seed_demo(fairs, people, settings.demo_size)
            made = "created" if new else "already there"
            log.info("demo fair %s: %s/fairs/%s", made, settings.base_url, fair.id)
            links += [(_label(p), p) for p in participants]
        print(f"\njobfair is serving on {settings.base_url}/", flush=True)
        for label, who in links:
            print(f"  sign in as {label}: {settings.base_url}/signin?t={tokens.signin(who)}")
        print(flush=True)
    finally:
        await redis.aclose()


def _label(who: Participant) -> str:
    return f"{who.role.value} {who.name}"
