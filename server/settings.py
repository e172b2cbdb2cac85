"""Configuration from the environment and `jobfair serve` flags (flags win)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any

from server.errors import ConfigError
from server.redis_pool import SENTINEL_SCHEME, sentinel_url
from server.vapid import load_vapid, new_vapid_key


@dataclass(frozen=True)
class Limits:
    """Size and rate limits on every input; see docs/protocol.md."""

    ws_max_message: int = 64 * 1024  # larger frames close the socket with 1009
    ws_rate_per_minute: int = 100  # sustained messages per connection
    ws_burst: int = 30  # messages allowed at once on top of the rate
    ws_send_queue: int = 256  # events queued to a client that does not read, before it is dropped
    ws_send_timeout: float = 5.0  # seconds a single send may block before the client is dropped
    ws_ping_interval: float = 10.0  # heartbeat; a dead peer is reaped within interval + timeout
    ws_ping_timeout: float = 15.0
    http_max_body: int = 64 * 1024
    upload_max_bytes: int = 5 * 1024 * 1024
    http_rate_per_minute: int = 120  # writes per session, or per client address before sign-in
    http_burst: int = 40
    drain_seconds: float = 300.0  # on SIGTERM or Ctrl+C, running interviews may go on this long
    # the longest one Redis command waits, its retries and the wait for a pooled connection
    # included; then the request fails with `unavailable` (503). Its outcome is then unknown: a
    # retry with the same op id is safe.
    redis_timeout: float = 2.0
    redis_probe_interval: float = 0.5  # each node pings Redis this often (server/health.py) ...
    redis_probe_timeout: float = 0.5  # ... and is degraded when a ping is unanswered this long
    attendance_lease: float = 15.0  # a dead node's open report periods close this long after
    watched_seconds: float = 30.0  # a worker "watched" a booth after this long on its stream


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("./jobfair-data")
    uploads: str = ""  # "": <data_dir>/uploads; a shared directory, file:// or s3://bucket/prefix
    redis_url: str | None = None  # None: start an embedded redis-server in data_dir
    # queue and outcome changes wait for this many replicas (WAIT) before they are acknowledged;
    # None: 1 behind Redis Sentinel, else 0 (docs/state.md "Replication and failover")
    redis_wait_replicas: int | None = None
    redis_wait_ms: int = 500
    secret_key: str = ""
    public_url: str = ""  # how browsers reach us; used in printed links and the Origin check
    allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()  # addresses/networks whose X-Forwarded-For is believed
    tls_cert: Path | None = None
    tls_key: Path | None = None
    ice_servers: tuple[dict[str, Any], ...] = ()
    turn_secret: str = ""  # coturn's static-auth-secret: pages get credentials minted with it
    turn_urls: tuple[str, ...] = ()  # the TURN server's URLs that those credentials are for
    turn_ttl: float = 12 * 3600.0  # seconds a page's TURN credential lasts (a fair day)
    rtc_public_ip: str | None = None  # the address a 1:1 NAT forwards to this machine
    rtc_ports: tuple[int, int] | None = None  # UDP ports of this node's WebRTC candidates
    session_hours: float = 24.0
    invite_days: float = 7.0
    # Web Push ("your turn" on a phone with its screen off): on when a subject is set; the key is
    # JOBFAIR_VAPID_PRIVATE_KEY, else one kept in the data dir (server/web_push.py)
    vapid_subject: str = ""  # mailto:ops@example.org or https://... (the push service may write)
    vapid_private_key: str = ""  # PEM, or the raw P-256 key in base64url
    push_allow_http: bool = False  # http:// push endpoints: a stand-in push service in tests only
    demo: bool = False
    demo_size: str = "small"  # "large": 140 booths and 1,000 postings (rooms/demo_large.py)
    limits: Limits = field(default_factory=Limits)

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        scheme = "https" if self.tls_cert else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def wait_replicas(self) -> int:
        if self.redis_wait_replicas is not None:
            return self.redis_wait_replicas
        return 1 if (self.redis_url or "").startswith(f"{SENTINEL_SCHEME}://") else 0

    @property
    def origins(self) -> frozenset[str]:
        return frozenset((self.base_url, *self.allowed_origins))

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        env = os.environ
        values: dict[str, Any] = {}
        if "JOBFAIR_HOST" in env:
            values["host"] = env["JOBFAIR_HOST"]
        if "JOBFAIR_PORT" in env:
            values["port"] = int(env["JOBFAIR_PORT"])
        if "JOBFAIR_DATA_DIR" in env:
            values["data_dir"] = Path(env["JOBFAIR_DATA_DIR"])
        if env.get("JOBFAIR_UPLOADS"):
            values["uploads"] = env["JOBFAIR_UPLOADS"]
        if env.get("REDIS_URL"):
            values["redis_url"] = env["REDIS_URL"]
        if env.get("REDIS_SENTINELS"):
            master = env.get("REDIS_MASTER_NAME", "jobfair")
            values["redis_url"] = sentinel_url(env["REDIS_SENTINELS"], master)
        if env.get("REDIS_WAIT_REPLICAS"):
            values["redis_wait_replicas"] = _int(env, "REDIS_WAIT_REPLICAS")
        if env.get("REDIS_WAIT_MS"):
            values["redis_wait_ms"] = _int(env, "REDIS_WAIT_MS")
        if env.get("JOBFAIR_SECRET"):
            values["secret_key"] = env["JOBFAIR_SECRET"]
        if env.get("JOBFAIR_PUBLIC_URL"):
            values["public_url"] = env["JOBFAIR_PUBLIC_URL"]
        if env.get("JOBFAIR_ALLOWED_ORIGINS"):
            values["allowed_origins"] = tuple(env["JOBFAIR_ALLOWED_ORIGINS"].split(","))
        if env.get("JOBFAIR_TRUSTED_PROXIES"):
            values["trusted_proxies"] = _networks(env["JOBFAIR_TRUSTED_PROXIES"])
        if env.get("JOBFAIR_ICE_SERVERS"):
            values["ice_servers"] = tuple(json.loads(env["JOBFAIR_ICE_SERVERS"]))
        values.update(_rtc_from_env(env))
        values.update(_push_from_env(env))
        values["limits"] = _limits_from_env(env)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values).with_secret().with_vapid()

    def with_secret(self) -> Settings:
        """Use the configured secret, else one kept in the data dir (made on first run, 0600).

        Every node of a multi-node fair must share it: set JOBFAIR_SECRET, or share the data dir.
        """
        if self.secret_key:
            return self
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
        return replace(self, secret_key=path.read_text().strip())

    def with_vapid(self) -> Settings:
        """With Web Push on, the configured VAPID key, else one made once in the data dir (0600):
        subscriptions are bound to its public key, so it must outlive restarts and be shared by
        every node. A key that cannot sign stops the start."""
        if not self.vapid_subject:
            return self
        key = self.vapid_private_key
        if not key:
            path = self.data_dir / "vapid.pem"
            if not path.exists():
                self.data_dir.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(new_vapid_key())
            key = path.read_text()
        load_vapid(key)
        return replace(self, vapid_private_key=key)


def _push_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if subject := env.get("JOBFAIR_VAPID_SUBJECT", "").strip():
        if not subject.startswith(("mailto:", "https://")):
            raise ConfigError(f"JOBFAIR_VAPID_SUBJECT: {subject!r} is not a mailto: or https: URL")
        values["vapid_subject"] = subject
    if env.get("JOBFAIR_VAPID_PRIVATE_KEY"):
        if not subject:
            raise ConfigError("JOBFAIR_VAPID_SUBJECT: needed with JOBFAIR_VAPID_PRIVATE_KEY")
        values["vapid_private_key"] = env["JOBFAIR_VAPID_PRIVATE_KEY"].strip()
    if env.get("JOBFAIR_PUSH_ALLOW_HTTP") == "1":
        values["push_allow_http"] = True
    return values


def _networks(raw: str) -> tuple[str, ...]:
    """Comma-separated IPs or CIDRs, checked here: uvicorn would silently ignore a typo."""
    try:
        return tuple(str(ip_network(item.strip(), strict=False)) for item in raw.split(","))
    except ValueError as exc:
        raise ConfigError(f"JOBFAIR_TRUSTED_PROXIES: {exc}") from None


def _int(env: Mapping[str, str], name: str) -> int:
    try:
        value = int(env[name])
    except ValueError:
        raise ConfigError(f"{name}: {env[name]!r} is not a whole number") from None
    if value < 0:
        raise ConfigError(f"{name}: must not be negative")
    return value


def _rtc_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """TURN and the node's own WebRTC address, checked here so that a typo stops the start with
    one line naming the setting, not a page that cannot connect."""
    values: dict[str, Any] = {}
    if env.get("JOBFAIR_TURN_SECRET"):
        values["turn_secret"] = env["JOBFAIR_TURN_SECRET"]
        urls = tuple(u.strip() for u in env.get("JOBFAIR_TURN_URLS", "").split(",") if u.strip())
        if not urls:
            raise ConfigError("JOBFAIR_TURN_URLS: needed with JOBFAIR_TURN_SECRET (turn:host:3478)")
        if bad := [u for u in urls if not u.startswith(("turn:", "turns:"))]:
            raise ConfigError(f"JOBFAIR_TURN_URLS: {bad[0]!r} is not a turn: or turns: URL")
        values["turn_urls"] = urls
    if env.get("JOBFAIR_TURN_TTL"):
        values["turn_ttl"] = _number("JOBFAIR_TURN_TTL", env["JOBFAIR_TURN_TTL"])
    if env.get("JOBFAIR_RTC_PUBLIC_IP"):
        raw = env["JOBFAIR_RTC_PUBLIC_IP"].strip()
        try:
            address = ip_address(raw)
        except ValueError:
            raise ConfigError(f"JOBFAIR_RTC_PUBLIC_IP: {raw!r} is not an IP address") from None
        if address.version != 4:
            raise ConfigError(f"JOBFAIR_RTC_PUBLIC_IP: {raw!r} is not an IPv4 address")
        values["rtc_public_ip"] = str(address)
    if env.get("JOBFAIR_RTC_PORTS"):
        values["rtc_ports"] = _port_range(env["JOBFAIR_RTC_PORTS"])
    return values


def _number(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a number") from None
    if value <= 0:
        raise ConfigError(f"{name}: must be above 0")
    return value


def _port_range(raw: str) -> tuple[int, int]:
    first, dash, last = raw.partition("-")
    try:
        ports = int(first), int(last if dash else first)
    except ValueError:
        raise ConfigError(f"JOBFAIR_RTC_PORTS: {raw!r} is not a range like 40000-44999") from None
    if not 1024 <= ports[0] <= ports[1] <= 65535:
        raise ConfigError(f"JOBFAIR_RTC_PORTS: {raw!r} is not a range within 1024-65535")
    return ports


def _limits_from_env(env: Mapping[str, str]) -> Limits:
    """`JOBFAIR_LIMIT_<FIELD>` overrides any limit, e.g. JOBFAIR_LIMIT_WS_PING_INTERVAL=5."""
    values: dict[str, Any] = {}
    for f in fields(Limits):
        raw = env.get(f"JOBFAIR_LIMIT_{f.name.upper()}")
        if raw is not None:
            values[f.name] = type(getattr(Limits(), f.name))(raw)
    return Limits(**values)
