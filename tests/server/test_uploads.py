"""Uploaded files belong to one record each: replacing a logo or a CV deletes the file it
replaced, and a refused upload keeps nothing, so no one can fill the disk by uploading again."""

from __future__ import annotations

from pathlib import Path

from tests.clients import Fixture
from tests.procs import Node

PNG = b"\x89PNG\r\n\x1a\n"


def files(directory: Path) -> set[Path]:
    return set(directory.glob("*")) if directory.exists() else set()


async def test_a_replaced_logo_is_deleted_so_the_booth_keeps_one_file(
    fx: Fixture, node: Node
) -> None:
    logos = node.data_dir / "uploads" / "logos"
    before = files(logos)  # the session's node keeps other tests' logos
    recruiter = await fx.session(fx.recruiter_a)
    path = f"/api/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/logo"

    first = await recruiter.api("PUT", path, content=PNG + b"first")
    assert first.status_code == 200
    assert files(logos) - before == {logos / first.json()["logo"]}
    second = await recruiter.api("PUT", path, content=PNG + b"second")
    assert second.status_code == 200

    assert files(logos) - before == {logos / second.json()["logo"]}
    assert not (logos / first.json()["logo"]).exists()
    gone = await recruiter.http.get(f"/media/logos/{first.json()['logo']}")
    assert gone.status_code == 404


async def test_an_upload_its_record_refuses_keeps_no_file(fx: Fixture, node: Node) -> None:
    worker = await fx.session(fx.worker)  # no dossier yet: the CV has nothing to attach to
    refused = await worker.api(
        "PUT", f"/api/fairs/{fx.fair.id}/dossier/cv", content=b"%PDF-1.4\n%%EOF\n"
    )
    assert refused.status_code == 404
    assert files(node.data_dir / "uploads" / "cv" / fx.fair.id) == set()
