"""What must hold before a node serves: a reachable Redis, a usable certificate, a TURN server
that accepts the credentials this node mints. Each failure is one line naming the setting
(`jobfair serve` exits with it), never a traceback or a node that half works."""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from pathlib import Path
from urllib.parse import urlsplit

from aioice import stun
from aioice.turn import create_turn_endpoint
from redis.asyncio import Redis
from redis.exceptions import RedisError

from server.errors import ConfigError
from server.redis_pool import blocking_pool
from server.settings import Settings
from server.turn import turn_ice_server

TIMEOUT = 5.0

log = logging.getLogger(__name__)


async def preflight(settings: Settings) -> None:
    if settings.tls_cert is not None and settings.tls_key is not None:
        check_tls(settings.tls_cert, settings.tls_key)
    if settings.redis_url is not None:
        await check_redis(settings.redis_url)
    if settings.turn_secret:
        await check_turn(settings)


def check_tls(cert: Path, key: Path) -> None:
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"--tls-cert/--tls-key: cannot load {cert} with {key}: {exc}") from None


async def check_redis(url: str) -> None:
    pool = blocking_pool(
        url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT, timeout=TIMEOUT
    )
    redis = Redis.from_pool(pool)  # a Sentinel URL too: the pool asks the sentinels
    try:
        await redis.ping()
    except (RedisError, OSError) as exc:
        raise ConfigError(f"REDIS_URL: cannot reach {_redacted(url)}: {exc}") from None
    finally:
        await redis.aclose()


async def check_turn(settings: Settings) -> None:
    """Allocate a relay on the first `turn:` URL (UDP) with a freshly minted credential: a
    refusal means the secrets differ, and stops the node."""
    url = next((u for u in settings.turn_urls if u.startswith("turn:")), None)
    if url is None:
        return  # only turns: URLs: their certificate names a host that may not resolve here
    host, port = _turn_address(url)
    server = turn_ice_server(settings, "preflight", time.time())
    try:
        transport, _ = await asyncio.wait_for(
            create_turn_endpoint(
                asyncio.DatagramProtocol,
                server_addr=(host, port),
                username=server["username"],
                password=server["credential"],
                lifetime=60,
            ),
            TIMEOUT,
        )
    except stun.TransactionFailed as exc:
        code = exc.response.attributes.get("ERROR-CODE", (0, ""))[0]
        if code == 401:
            raise ConfigError(
                f"JOBFAIR_TURN_SECRET: {url} refuses the credentials it mints "
                "(not the TURN server's static-auth-secret)"
            ) from None
        raise ConfigError(f"JOBFAIR_TURN_URLS: {url} refused a relay: {exc}") from None
    except (TimeoutError, stun.TransactionError, OSError) as exc:
        # Not fatal: behind a 1:1 NAT that does not loop back, the public address that browsers
        # use may be out of this machine's reach while coturn serves them well.
        log.warning("JOBFAIR_TURN_URLS: no answer from %s (%s): not checked", url, exc or "timeout")
        return
    transport.close()


def _turn_address(url: str) -> tuple[str, int]:
    hostport = url.split(":", 1)[1].split("?", 1)[0]
    host, colon, port = hostport.rpartition(":")
    if not colon:
        host, port = hostport, "3478"
    try:
        return host, int(port)
    except ValueError:
        raise ConfigError(f"JOBFAIR_TURN_URLS: {url!r} has no valid port") from None


def _redacted(url: str) -> str:
    """The URL without its password (REDIS_URL may carry one)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()
