"""Web Push against a stand-in push service on loopback: a worker's browser subscribes over the
fair websocket; when a recruiter on another node calls them, exactly one encrypted, VAPID-signed
message reaches the push service, and the browser's keys decrypt it to the translated call."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import http_ece
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.people import People
from rooms.store import keys
from server.auth import Tokens
from server.errors import ConfigError
from server.settings import Settings
from server.vapid import new_vapid_key
from tests.clients import Fixture, connect, ok
from tests.procs import Node, RedisProcess

SUBJECT = "mailto:ops@example.org"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class PushService:
    """Stands in for a browser vendor's push service: keeps every POST; answers `status`."""

    base: str = ""
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    status: int = 201
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.received.append((request.path, headers, await request.read()))
        self.arrived.set()
        return web.Response(status=self.status)


@dataclass
class Browser:
    """A browser's push subscription: its own ECDH key and auth secret (RFC 8291)."""

    endpoint: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def subscription(self) -> dict[str, Any]:
        point = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64(point), "auth": b64(self.auth)}}

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth)
        found: dict[str, Any] = json.loads(plain)
        return found


@pytest.fixture
async def push_service() -> AsyncIterator[PushService]:
    service = PushService()
    app = web.Application()
    app.router.add_post("/push/{token}", service.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    service.base = f"http://127.0.0.1:{port}"
    yield service
    await runner.cleanup()


@pytest.fixture(scope="module")
def push_nodes(
    redis_server: RedisProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Node]]:
    """Two nodes with Web Push on, sharing one VAPID key and one Redis."""
    env = {
        "JOBFAIR_VAPID_SUBJECT": SUBJECT,
        "JOBFAIR_VAPID_PRIVATE_KEY": new_vapid_key(),
        "JOBFAIR_PUSH_ALLOW_HTTP": "1",
    }
    nodes = [Node(tmp_path_factory.mktemp("push"), redis_server.url, **env) for _ in range(2)]
    for n in nodes:
        n.start()
    yield nodes
    for n in nodes:
        n.stop()


async def page_key(fx: Fixture) -> str:
    """The VAPID public key a page subscribes with (data-push on the body)."""
    session = await fx.session(fx.worker)
    html = (await session.http.get(f"/fairs/{fx.fair.id}")).text
    return html.split('data-push="', 1)[1].split('"', 1)[0]


def check_vapid(headers: dict[str, str], audience: str, key: str) -> None:
    """`authorization: vapid t=<JWT>, k=<key>`: the JWT is ES256-signed by the page's key."""
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    assert fields["k"] == key
    head, claims, sig = fields["t"].split(".")
    assert json.loads(unb64(claims))["aud"] == audience
    assert json.loads(unb64(claims))["sub"] == SUBJECT
    raw = unb64(sig)
    der = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
    public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))


async def test_a_call_reaches_the_subscribed_browser_once_encrypted_and_signed(
    redis: Redis,
    fairs: Fairs,
    people: People,
    tokens: Tokens,
    push_nodes: list[Node],
    push_service: PushService,
) -> None:
    worker_fx = await Fixture.build(fairs, people, tokens, push_nodes[0].url)
    staff_fx = Fixture(**{**worker_fx.__dict__, "base": push_nodes[1].url, "opened": []})
    try:
        key = await page_key(worker_fx)
        browser = Browser(f"{push_service.base}/push/w1")
        ws = await connect(worker_fx, worker_fx.worker)
        await ok(ws, "queue.join", {"booth_id": worker_fx.booth_a.id})
        sub = {"subscription": browser.subscription(), "lang": "vi"}
        await ok(ws, "push.subscribe", sub)
        await ok(ws, "push.subscribe", sub)  # again after a reload: still one browser
        recruiter = await connect(staff_fx, staff_fx.recruiter_a)
        called = await ok(recruiter, "queue.call_next", {"booth_id": staff_fx.booth_a.id})

        await asyncio.wait_for(push_service.arrived.wait(), 10)
        await asyncio.sleep(0.5)  # a second sender (the other node) would show up by now
        assert len(push_service.received) == 1
        path, headers, body = push_service.received[0]
        assert path == "/push/w1"
        assert headers["content-encoding"] == "aes128gcm"
        assert int(headers["ttl"]) > 0
        check_vapid(headers, push_service.base, key)
        message = browser.decrypt(body)
        assert message["title"] == "Đến lượt bạn!"
        assert message["body"].startswith("Công ty A ")
        assert message["tag"] == f"call-{called['id']}"
        assert message["url"] == f"/fairs/{worker_fx.fair.id}/booths/{worker_fx.booth_a.id}"
    finally:
        await worker_fx.aclose()
        await staff_fx.aclose()


async def test_a_browser_the_push_service_calls_gone_is_forgotten(
    redis: Redis,
    fairs: Fairs,
    people: People,
    tokens: Tokens,
    push_nodes: list[Node],
    push_service: PushService,
) -> None:
    fx = await Fixture.build(fairs, people, tokens, push_nodes[0].url)
    try:
        push_service.status = 410
        ws = await connect(fx, fx.worker)
        await ok(ws, "queue.join", {"booth_id": fx.booth_a.id})
        sub = Browser(f"{push_service.base}/push/gone").subscription()
        await ok(ws, "push.subscribe", {"subscription": sub, "lang": "en"})
        kept = keys.push_subscriptions(fx.fair.id, fx.worker.id)
        assert await redis.hlen(kept) == 1
        recruiter = await connect(fx, fx.recruiter_a)
        await ok(recruiter, "queue.call_next", {"booth_id": fx.booth_a.id})
        await asyncio.wait_for(push_service.arrived.wait(), 10)
        for _ in range(50):
            if not await redis.hlen(kept):
                break
            await asyncio.sleep(0.05)
        assert await redis.hlen(kept) == 0
    finally:
        await fx.aclose()


async def test_only_workers_subscribe_and_only_to_https_without_the_test_switch(
    fx: Fixture,
) -> None:
    """The session node has Web Push off: a subscription is refused, and staff may not send one."""
    sub = {"subscription": Browser("https://push.example/x").subscription(), "lang": "vi"}
    worker = await connect(fx, fx.worker)
    refused = await worker.request("push.subscribe", sub)
    assert refused["type"] == "error" and refused["code"] == "invalid_input"
    recruiter = await connect(fx, fx.recruiter_a)
    forbidden = await recruiter.request("push.subscribe", sub)
    assert forbidden["code"] == "forbidden"
    assert await page_key(fx) == ""
    worker_js = await (await fx.session()).http.get("/sw.js")  # the root scope covers every page
    assert worker_js.headers["content-type"].startswith("text/javascript")
    assert "showNotification" in worker_js.text


def test_a_vapid_key_is_made_once_in_the_data_dir_and_a_bad_one_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOBFAIR_VAPID_SUBJECT", SUBJECT)
    first = Settings.from_env(data_dir=tmp_path)
    again = Settings.from_env(data_dir=tmp_path)
    assert first.vapid_private_key == again.vapid_private_key != ""
    assert (tmp_path / "vapid.pem").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("JOBFAIR_VAPID_PRIVATE_KEY", "not-a-key")
    with pytest.raises(ConfigError, match="JOBFAIR_VAPID_PRIVATE_KEY"):
        Settings.from_env(data_dir=tmp_path)
    monkeypatch.setenv("JOBFAIR_VAPID_SUBJECT", "ops@example.org")
    with pytest.raises(ConfigError, match="JOBFAIR_VAPID_SUBJECT"):
        Settings.from_env(data_dir=tmp_path)
    monkeypatch.delenv("JOBFAIR_VAPID_SUBJECT")
    monkeypatch.delenv("JOBFAIR_VAPID_PRIVATE_KEY")
    assert Settings.from_env(data_dir=tmp_path / "off").vapid_private_key == ""
