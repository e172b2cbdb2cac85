"""Dossiers and CVs over HTTP: checked by content, stored outside the web root, readable only by
the worker, the fair's moderators and recruiters of booths the worker shared it with."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clients import Fixture, Session
from tests.procs import Node

DOSSIER = {
    "name": "Lò Văn Duy",
    "contact": "0912345678",
    "birth_year": 2003,
    "home_province": "Điện Biên",
    "education": "Cao đẳng",
    "skills": ["hàn", "lái xe"],
    "desired_job": "Kỹ thuật viên",
    "languages": ["tiếng Nhật N5"],
    "abroad_countries": ["JP"],
}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
async def worker(fx: Fixture) -> Session:
    session = await fx.session(fx.worker)
    saved = await session.api("PUT", f"/api/fairs/{fx.fair.id}/dossier", DOSSIER)
    assert saved.status_code == 200
    return session


async def test_a_cv_is_refused_unless_its_content_is_a_pdf_jpg_or_png(
    fx: Fixture, worker: Session, node: Node
) -> None:
    path = f"/api/fairs/{fx.fair.id}/dossier/cv"
    html_named_pdf = await worker.api(
        "PUT", path, content=b"<html><script>alert(1)</script></html>",
        headers={"content-type": "application/pdf", "x-file-name": "cv.pdf"},
    )  # fmt: skip
    renamed_exe = await worker.api("PUT", path, content=b"MZ\x90\x00" + bytes(4000))
    oversized = await worker.api("PUT", path, content=PDF + bytes(5 * 1024 * 1024 + 70_000))
    assert [r.status_code for r in (html_named_pdf, renamed_exe, oversized)] == [415, 415, 413]
    assert "PDF, JPG or PNG" in html_named_pdf.json()["message"]
    stored = list((node.data_dir / "uploads" / "cv" / fx.fair.id).glob("*.*"))
    assert stored == []  # nothing refused was kept


async def test_a_pdf_cv_is_stored_outside_the_web_root_and_read_only_by_shared_booths(
    fx: Fixture, worker: Session, node: Node
) -> None:
    uploaded = await worker.api("PUT", f"/api/fairs/{fx.fair.id}/dossier/cv", content=PDF)
    assert uploaded.status_code == 200 and uploaded.json()["cv_kind"] == "pdf"
    cv_url = uploaded.json()["cv_url"]
    [stored] = list((node.data_dir / "uploads" / "cv" / fx.fair.id).glob("*.pdf"))
    assert stored.read_bytes() == PDF and Path("web") not in stored.parents

    recruiter_a = await fx.session(fx.recruiter_a)
    assert (await recruiter_a.http.get(cv_url)).status_code == 403  # not shared yet
    shared = await worker.api("PUT", f"/api/fairs/{fx.fair.id}/dossier/shares/{fx.booth_a.id}")
    assert shared.json()["shared_with"] == [fx.booth_a.id]

    download = await recruiter_a.http.get(cv_url)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"
    profile = await recruiter_a.http.get(f"/api/fairs/{fx.fair.id}/dossiers/{fx.worker.id}")
    assert profile.json()["desired_job"] == "Kỹ thuật viên" and "cv_file" not in profile.json()

    recruiter_b = await fx.session(fx.recruiter_b)
    other_worker = await fx.session(fx.outsider)
    assert (await recruiter_b.http.get(cv_url)).status_code == 403
    assert (await other_worker.http.get(cv_url)).status_code == 403
    moderator = await fx.session(fx.moderator)
    assert (await moderator.http.get(cv_url)).status_code == 200

    await worker.api("DELETE", f"/api/fairs/{fx.fair.id}/dossier/shares/{fx.booth_a.id}")
    assert (await recruiter_a.http.get(cv_url)).status_code == 403


async def test_a_new_cv_replaces_the_old_file(fx: Fixture, worker: Session, node: Node) -> None:
    path = f"/api/fairs/{fx.fair.id}/dossier/cv"
    await worker.api("PUT", path, content=PDF)
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    replaced = await worker.api("PUT", path, content=png)
    assert replaced.json()["cv_kind"] == "png"
    files = list((node.data_dir / "uploads" / "cv" / fx.fair.id).glob("*.*"))
    assert [f.suffix for f in files] == [".png"]


async def test_bad_dossier_input_is_refused(fx: Fixture) -> None:
    worker = await fx.session(fx.worker)
    path = f"/api/fairs/{fx.fair.id}/dossier"
    responses = [
        await worker.api("PUT", path, {**DOSSIER, "birth_year": 1800}),
        await worker.api("PUT", path, {**DOSSIER, "abroad_countries": ["XX"]}),
        await worker.api("PUT", path, {**DOSSIER, "skills": ["x"] * 50}),
        await worker.api("PUT", path, content=b"{"),
    ]
    assert [r.status_code for r in responses] == [400, 400, 400, 400]
    assert (await worker.http.get(path)).status_code == 404  # nothing was stored
    recruiter = await fx.session(fx.recruiter_a)
    assert (await recruiter.api("PUT", path, DOSSIER)).status_code == 403
