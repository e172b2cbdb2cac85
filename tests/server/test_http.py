"""HTTP against a real uvicorn node: sign-in, registration, scope, CSRF, limits, uploads."""

from __future__ import annotations

import re
import struct
import zlib

import httpx
from redis.asyncio import Redis

from rooms.store import keys
from tests.clients import JOB, Fixture


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


async def test_healthz_reports_redis(fx: Fixture) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{fx.base}/healthz")
    assert response.json() == {"status": "ok", "redis": "ok"}


async def test_a_worker_registers_without_a_password_and_lands_in_the_lobby(
    fx: Fixture, redis: Redis
) -> None:
    s = await fx.session()
    response = await s.http.post(
        f"/fairs/{fx.fair.id}/register",
        data={"name": "Vàng A Sử", "contact": "0977 111 222", "csrf": s.csrf},
    )
    assert response.status_code == 303 and response.headers["location"] == f"/fairs/{fx.fair.id}"
    me = (await s.http.get("/api/me")).json()
    assert (me["name"], me["role"], me["fair_id"]) == ("Vàng A Sử", "worker", fx.fair.id)
    lobby = await s.http.get(f"/fairs/{fx.fair.id}")
    assert 'id="booths"' in lobby.text and "Vàng A Sử" in lobby.text


async def test_registration_without_the_csrf_token_is_refused(fx: Fixture, redis: Redis) -> None:
    s = await fx.session()
    before = await redis.hlen(keys.people(fx.fair.id))
    response = await s.http.post(
        f"/fairs/{fx.fair.id}/register", data={"name": "X", "contact": "0912345678"}
    )
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert await redis.hlen(keys.people(fx.fair.id)) == before


async def test_a_bad_registration_shows_the_form_again_with_the_reason(fx: Fixture) -> None:
    s = await fx.session()
    response = await s.http.post(
        f"/fairs/{fx.fair.id}/register", data={"name": "X", "contact": "abc", "csrf": s.csrf}
    )
    assert response.status_code == 400 and "contact" in response.text


async def test_a_tampered_signin_link_is_refused(fx: Fixture) -> None:
    s = await fx.session()
    link = fx.link(fx.worker)
    response = await s.http.get(link[:-2] + ("AA" if not link.endswith("AA") else "BB"))
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"


async def test_moderator_invites_a_recruiter_who_lands_in_their_booth_console(fx: Fixture) -> None:
    mod = await fx.session(fx.moderator)
    invite = await mod.api(
        "POST", f"/api/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/invites", {"name": "Hà"}
    )
    assert invite.status_code == 201
    recruiter = await fx.session()
    landed = await recruiter.signin(invite.json()["link"])
    assert landed.headers["location"] == f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/console"
    own = await recruiter.http.get(landed.headers["location"])
    other = await recruiter.http.get(f"/fairs/{fx.fair.id}/booths/{fx.booth_b.id}/console")
    assert (own.status_code, other.status_code) == (200, 403)


async def test_each_role_may_only_write_within_its_scope(fx: Fixture, redis: Redis) -> None:
    fair, a, b = fx.fair.id, fx.booth_a.id, fx.booth_b.id
    worker = await fx.session(fx.worker)
    recruiter = await fx.session(fx.recruiter_a)
    outsider_mod = await fx.session(fx.moderator)
    refused = [
        await worker.api("POST", f"/api/fairs/{fair}/booths", {"employer": "X"}),
        await worker.api("POST", f"/api/fairs/{fair}/booths/{a}/jobs", JOB),
        await worker.api("PATCH", f"/api/fairs/{fair}/booths/{a}", {"description": "x"}),
        await recruiter.api("POST", f"/api/fairs/{fair}/booths/{b}/jobs", JOB),
        await recruiter.api("PATCH", f"/api/fairs/{fair}/booths/{b}", {"description": "x"}),
        await recruiter.api("POST", f"/api/fairs/{fair}/booths", {"employer": "X"}),
        await recruiter.api("POST", f"/api/fairs/{fair}/booths/{a}/invites", {"name": "X"}),
        await recruiter.api("PATCH", f"/api/fairs/{fair}", {"title": "X"}),
        await outsider_mod.api("POST", "/api/fairs", {}),
        await outsider_mod.api("PATCH", f"/api/fairs/{fx.other_fair.id}", {"title": "X"}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert await redis.hlen(keys.jobs(fair)) == 0
    assert await redis.hlen(keys.booths(fair)) == 2
    allowed = await recruiter.api("POST", f"/api/fairs/{fair}/booths/{a}/jobs", JOB)
    assert allowed.status_code == 201


async def test_writes_need_the_csrf_header(fx: Fixture, redis: Redis) -> None:
    mod = await fx.session(fx.moderator)
    response = await mod.api(
        "POST", f"/api/fairs/{fx.fair.id}/booths", {"employer": "X"}, headers={"x-csrf-token": "no"}
    )
    assert response.status_code == 403
    assert await redis.hlen(keys.booths(fx.fair.id)) == 2


async def test_malformed_and_oversized_input_gets_a_json_error_and_stores_nothing(
    fx: Fixture, redis: Redis
) -> None:
    mod = await fx.session(fx.moderator)
    path = f"/api/fairs/{fx.fair.id}/booths"
    not_json = await mod.api("POST", path, content=b"{not json")
    wrong_shape = await mod.api("POST", path, [1, 2])
    too_big = await mod.api("POST", path, {"employer": "X", "description": "y" * 70_000})
    bad_field = await mod.api("POST", path, {"employer": "X", "logo": "../../etc/passwd"})
    responses = (not_json, wrong_shape, too_big, bad_field)
    assert [r.status_code for r in responses] == [400, 400, 413, 400]
    assert all("message" in r.json() for r in responses)
    assert await redis.hlen(keys.booths(fx.fair.id)) == 2


async def test_unknown_fair_is_a_json_404(fx: Fixture) -> None:
    s = await fx.session(fx.staff)
    response = await s.api("PATCH", "/api/fairs/nope", {"title": "x"})
    assert response.status_code == 404 and response.json()["error"] == "not_found"


async def test_a_logo_is_checked_by_content_and_served_with_nosniff(fx: Fixture) -> None:
    recruiter = await fx.session(fx.recruiter_a)
    path = f"/api/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/logo"
    html = await recruiter.api("PUT", path, content=b"<html><script>alert(1)</script></html>")
    exe = await recruiter.api("PUT", path, content=b"MZ\x90\x00" + b"\x00" * 100)
    assert (html.status_code, exe.status_code) == (415, 415)
    png = await recruiter.api("PUT", path, content=tiny_png())
    assert png.status_code == 200
    served = await recruiter.http.get(f"/media/logos/{png.json()['logo']}")
    assert served.status_code == 200 and served.content == tiny_png()
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    traversal = await recruiter.http.get("/media/logos/..%2Fsecret.key")
    assert traversal.status_code == 404


async def test_metrics_are_exposed_in_prometheus_format(fx: Fixture) -> None:
    worker = await fx.session(fx.worker)
    ws = await worker.ws(fx.fair.id)
    await ws.recv()
    body = (await worker.http.get("/metrics")).text
    await ws.close()
    for name in ("jobfair_ws_connections", "jobfair_ws_messages_out_total", "jobfair_errors_total"):
        assert name in body
    assert "jobfair_ws_connections 1.0" in body
    sent = re.search(r"^jobfair_ws_messages_out_total (\S+)$", body, re.MULTILINE)
    assert sent is not None and float(sent[1]) >= 1  # the welcome at least, counted once sent
