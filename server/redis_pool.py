"""Where a node's Redis connections go: one Redis URL, or the primary that Redis Sentinel names.

`REDIS_SENTINELS=host:port,…` + `REDIS_MASTER_NAME` become one URL,
`redis+sentinel://[:password@]host:port,host:port/master_name[/db]`, so that everything that
passes `settings.redis_url` around (the CLI, the app, the tests) needs no second code path. Each
new connection asks the sentinels for the current primary: when a replica is promoted, the
connections to the dead primary fail, are retried, and reconnect to the new one, commands and
pub/sub alike, without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from redis.asyncio import BlockingConnectionPool, ConnectionPool
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool

from server.errors import ConfigError

SENTINEL_SCHEME = "redis+sentinel"
SENTINEL_TIMEOUT = 1.0  # a sentinel that does not answer within this is skipped for the next one


@dataclass(frozen=True)
class SentinelTarget:
    sentinels: tuple[tuple[str, int], ...]
    master_name: str
    password: str | None = None
    db: int = 0


def sentinel_url(sentinels: str, master_name: str) -> str:
    """REDIS_SENTINELS and REDIS_MASTER_NAME as one `redis+sentinel://` URL."""
    addresses = parse_addresses(sentinels, "REDIS_SENTINELS")
    if not master_name or "/" in master_name:
        raise ConfigError(f"REDIS_MASTER_NAME: {master_name!r} is not a master name")
    return f"{SENTINEL_SCHEME}://{','.join(f'{h}:{p}' for h, p in addresses)}/{master_name}"


def parse_addresses(text: str, setting: str) -> tuple[tuple[str, int], ...]:
    out = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        host, sep, port = item.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"{setting}: {item!r} is not host:port")
        out.append((host.strip("[]"), int(port)))
    if not out:
        raise ConfigError(f"{setting}: no sentinel address given")
    return tuple(out)


def parse_sentinel_url(url: str) -> SentinelTarget:
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        raise ConfigError(f"REDIS_URL: {parts.scheme!r} is not {SENTINEL_SCHEME}")
    hosts = parts.netloc.rpartition("@")[2]
    name, _, db = parts.path.strip("/").partition("/")
    if not name or (db and not db.isdigit()):
        raise ConfigError("REDIS_URL: a sentinel URL ends in /master_name or /master_name/db")
    return SentinelTarget(
        sentinels=parse_addresses(hosts, "REDIS_URL"),
        master_name=name,
        password=unquote(parts.password) if parts.password else None,
        db=int(db or 0),
    )


class BlockingSentinelPool(SentinelConnectionPool, BlockingConnectionPool):
    """Sentinel's discovery with the blocking pool's wait for a free connection."""

    async def disconnect(self, inuse_connections: bool = True) -> None:
        await super().disconnect(inuse_connections)
        if inuse_connections:  # the client is closing (a failover only drops idle ones)
            await self.sentinel_manager.aclose()


def blocking_pool(url: str, **options: Any) -> ConnectionPool:
    """A `BlockingConnectionPool` for `url`, following Sentinel for a `redis+sentinel://` one.

    `options` are those of `BlockingConnectionPool.from_url` (pool size, timeouts, retry)."""
    if not url.startswith(f"{SENTINEL_SCHEME}://"):
        return BlockingConnectionPool.from_url(url, **options)
    target = parse_sentinel_url(url)
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        target.sentinels,
        sentinel_kwargs={
            "socket_timeout": SENTINEL_TIMEOUT,
            "socket_connect_timeout": SENTINEL_TIMEOUT,
        },
    )
    return BlockingSentinelPool(  # type: ignore[no-untyped-call]
        target.master_name,
        sentinel,
        password=target.password,
        db=target.db,
        **options,
    )
