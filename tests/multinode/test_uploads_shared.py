"""Uploads on every node: two nodes share one upload store (a directory on one machine, or an
S3 bucket across machines, here moto's), so a CV or logo uploaded through one node is served
byte for byte through the other, with the same permission checks on both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from rooms.fairs import Fairs
from rooms.models import Participant
from rooms.people import People
from server.auth import Tokens
from tests.clients import Fixture, Session
from tests.procs import Node, RedisProcess
from tests.s3 import MotoS3

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture(params=["directory", "s3"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    if request.param == "directory":
        yield {"JOBFAIR_UPLOADS": str(tmp_path / "shared-uploads")}
        return
    s3 = MotoS3(tmp_path / "moto")
    s3.start()
    try:
        yield s3.env()
    finally:
        s3.stop()


@pytest.fixture
async def two_nodes(
    redis_server: RedisProcess, tmp_path: Path, store_env: dict[str, str]
) -> AsyncIterator[tuple[Node, Node]]:
    a = Node(tmp_path / "a", redis_server.url, **store_env).start()
    try:
        b = Node(tmp_path / "b", redis_server.url, **store_env).start()
        try:
            yield a, b
        finally:
            b.stop()
    finally:
        a.stop()


async def signed_in(node: Node, fx: Fixture, who: Participant) -> Session:
    session = Session(node.url)
    fx.opened.append(session)
    await session.signin(f"{node.url}/signin?t={fx.tokens.signin(who)}")
    return session


async def test_a_cv_uploaded_through_one_node_downloads_identical_through_the_other(
    redis: Redis, fairs: Fairs, people: People, tokens: Tokens, two_nodes: tuple[Node, Node]
) -> None:
    a, b = two_nodes
    fx = await Fixture.build(fairs, people, tokens, a.url)
    try:
        worker = await signed_in(a, fx, fx.worker)
        dossier = {"name": "Lò Văn Duy", "contact": "0912345678", "desired_job": "Thợ hàn"}
        assert (await worker.api("PUT", f"/api/fairs/{fx.fair.id}/dossier", dossier)).is_success
        uploaded = await worker.api("PUT", f"/api/fairs/{fx.fair.id}/dossier/cv", content=PDF)
        assert uploaded.status_code == 200, uploaded.text
        shared = await worker.api("PUT", f"/api/fairs/{fx.fair.id}/dossier/shares/{fx.booth_a.id}")
        assert shared.status_code == 200
        cv_url = uploaded.json()["cv_url"]

        for node in (a, b):
            recruiter = await signed_in(node, fx, fx.recruiter_a)
            download = await recruiter.http.get(cv_url)
            assert download.status_code == 200 and download.content == PDF
            assert download.headers["content-disposition"].startswith("attachment")
            other_booth = await signed_in(node, fx, fx.recruiter_b)
            assert (await other_booth.http.get(cv_url)).status_code == 403

        # a replacement through node b is what node a serves from then on
        again = await (await signed_in(b, fx, fx.worker)).api(
            "PUT", f"/api/fairs/{fx.fair.id}/dossier/cv", content=PNG
        )
        assert again.status_code == 200 and again.json()["cv_kind"] == "png"
        recruiter = await signed_in(a, fx, fx.recruiter_a)
        assert (await recruiter.http.get(cv_url)).content == PNG
    finally:
        await fx.aclose()


async def test_a_logo_uploaded_through_one_node_is_served_by_the_other(
    redis: Redis, fairs: Fairs, people: People, tokens: Tokens, two_nodes: tuple[Node, Node]
) -> None:
    a, b = two_nodes
    fx = await Fixture.build(fairs, people, tokens, a.url)
    try:
        recruiter = await signed_in(a, fx, fx.recruiter_a)
        path = f"/api/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/logo"
        logo = (await recruiter.api("PUT", path, content=PNG)).json()["logo"]
        visitor = await signed_in(b, fx, fx.worker)
        served = await visitor.http.get(f"/media/logos/{logo}")
        assert served.status_code == 200 and served.content == PNG
        assert served.headers["content-type"] == "image/png"
        assert (await visitor.http.get("/media/logos/..%2Fsecret.key")).status_code == 404
    finally:
        await fx.aclose()
