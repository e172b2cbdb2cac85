"""Backup and restore. Of one fair: `jobfair export` writes its lines, interview outcomes, dossiers
and CVs to a file; after the fair is wiped (every key, its uploads), `jobfair import` gives back
the same fair, key for key and byte for byte, served again by the running node. Of everything:
deploy/redis/backup (an RDB snapshot and the uploads directory) and deploy/redis/restore, on
Debian's redis-server with deploy/redis/redis.conf, after its data and the uploads are gone."""

from __future__ import annotations

import asyncio
import getpass
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from rooms.fairs import Fairs
from rooms.interview_room import InterviewRoom, NotesInput
from rooms.people import People
from rooms.queue import Queue
from rooms.store import keys
from rooms.store.scripts import Scripts
from server.auth import Tokens
from server.fair_archive import export_fair
from server.upload_store import DirectoryStore
from tests.clients import Fixture, Session
from tests.procs import ROOT, Node, RedisProcess, free_port
from tests.redis_ha import debian_binary

PDF = b"%PDF-1.5\n" + bytes(range(256)) * 16 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def jobfair(node: Node, redis_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "JOBFAIR_"))}
    return subprocess.run(
        [sys.executable, "-m", "server", *args, "--data-dir", str(node.data_dir)],
        env={**env, "REDIS_URL": redis_url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def snapshot(redis: Redis, uploads: Path, fair_id: str) -> dict[str, Any]:
    """Every key of the fair by type and value (time to live left out: it runs), and uploads."""
    archive = await export_fair(redis, DirectoryStore(uploads), fair_id)
    for record in archive["keys"].values():
        record.pop("ttl_ms")
    return archive


@dataclass
class Made:
    """What `populate` made: a CV to download, a finished interview with its outcome."""

    cv_url: str
    entry_id: str
    interview_id: str
    recruiter: Session


async def populate(fx: Fixture, redis: Redis, people: People) -> Made:
    """A dossier with a CV, a booth logo, a line with one worker waiting and one interview done
    with an outcome recorded."""
    fair, booth = fx.fair.id, fx.booth_a.id
    worker = await fx.session(fx.worker)
    dossier = {"name": "Lò Văn Duy", "contact": "0912345678", "desired_job": "Thợ hàn"}
    assert (await worker.api("PUT", f"/api/fairs/{fair}/dossier", dossier)).is_success
    cv_url = (await worker.api("PUT", f"/api/fairs/{fair}/dossier/cv", content=PDF)).json()[
        "cv_url"
    ]
    recruiter = await fx.session(fx.recruiter_a)
    logo = await recruiter.api("PUT", f"/api/fairs/{fair}/booths/{booth}/logo", content=PNG)
    assert logo.is_success

    scripts = Scripts(redis)
    queue, room = Queue(redis, scripts), InterviewRoom(redis, scripts)
    entry = await queue.join(fair, fx.worker, booth, "", "j1", share=True)
    waiting = await people.register_worker(fair, {"name": "Cà Văn Tú", "contact": "0977777777"})
    await queue.join(fair, waiting, booth, "", "j2")
    await queue.call_next(fair, fx.recruiter_a, booth, "c1")
    interview = (await queue.accept(fair, fx.worker, entry["id"], "a1"))["interview_id"]
    await room.record(fair, interview, fx.recruiter_a, NotesInput(outcome="offer", notes="Tốt"))
    await queue.finish(fair, fx.recruiter_a, interview, "f1")
    return Made(cv_url, entry["id"], interview, recruiter)


async def check_restored(fx: Fixture, redis: Redis, made: Made) -> None:
    """The fair is served again: the CV byte for byte, the entry done, the outcome kept."""
    download = await made.recruiter.http.get(made.cv_url)
    assert download.status_code == 200 and download.content == PDF
    scripts = Scripts(redis)
    assert (await Queue(redis, scripts).entry(fx.fair.id, made.entry_id))["state"] == "done"
    notes = await InterviewRoom(redis, scripts).notes(fx.fair.id, made.interview_id)
    assert notes.outcome == "offer"


async def test_an_exported_fair_comes_back_whole_after_a_wipe(
    fx: Fixture,
    redis: Redis,
    redis_server: RedisProcess,
    people: People,
    node: Node,
    tmp_path: Path,
) -> None:
    fair = fx.fair.id
    made = await populate(fx, redis, people)
    before = await snapshot(redis, node.data_dir / "uploads", fair)
    assert len(before["uploads"]) == 2 and keys.interview_notes(fair) in before["keys"]

    archive = tmp_path / "fair.jobfair.json.gz"
    exported = jobfair(node, redis_server.url, "export", fair, "-o", str(archive))
    assert exported.returncode == 0, exported.stderr

    # the wipe: every key of the fair, its place in the fair list, its files
    await redis.delete(*[k async for k in redis.scan_iter(match=f"{keys.fair_tag(fair)}:*")])
    await redis.zrem(keys.FAIRS, fair)
    shutil.rmtree(node.data_dir / "uploads" / "cv" / fair)
    for name in before["uploads"]:
        (node.data_dir / "uploads" / name).unlink(missing_ok=True)
    assert (await made.recruiter.http.get(made.cv_url)).status_code in (401, 404)

    imported = jobfair(node, redis_server.url, "import", str(archive))
    assert imported.returncode == 0, imported.stderr
    assert await snapshot(redis, node.data_dir / "uploads", fair) == before
    await check_restored(fx, redis, made)

    again = jobfair(node, redis_server.url, "import", str(archive))
    assert again.returncode != 0
    assert again.stderr.strip().splitlines() == [
        f"jobfair import: fair {fair} exists here; import with --replace to overwrite it"
    ]
    assert jobfair(node, redis_server.url, "import", str(archive), "--replace").returncode == 0
    assert await snapshot(redis, node.data_dir / "uploads", fair) == before


async def test_a_backup_restored_after_redis_and_uploads_are_wiped_gives_the_same_fair(
    tmp_path: Path, tokens: Tokens
) -> None:
    redis_dir, uploads, backup = tmp_path / "redis", tmp_path / "uploads", tmp_path / "backup"
    redis_dir.mkdir()
    conf = shutil.copy(ROOT / "deploy" / "redis" / "redis.conf", tmp_path / "redis.conf")
    port = free_port()
    argv = [debian_binary("redis-server"), str(conf), "--port", str(port), "--dir", str(redis_dir)]
    env = {
        **os.environ,
        "REDIS_CLI": f"redis-cli -p {port}",
        "REDIS_DIR": str(redis_dir),
        "UPLOADS": str(uploads),
        "REDIS_USER": getpass.getuser(),
    }
    server = spawn(argv)
    node = None
    try:
        redis = Redis(port=port, decode_responses=True)
        await until_ping(redis)
        scripts = Scripts(redis)
        fairs, people = Fairs(redis, scripts), People(redis, scripts)
        url = f"redis://127.0.0.1:{port}/0"
        node = Node(tmp_path / "node", url, JOBFAIR_UPLOADS=str(uploads)).start()
        fx = await Fixture.build(fairs, people, tokens, node.url)
        made = await populate(fx, redis, people)
        before = await snapshot(redis, uploads, fx.fair.id)

        backed_up = deploy_script("backup", backup, env)
        assert backed_up.returncode == 0, backed_up.stderr

        server.terminate()  # the wipe: Redis stopped, its data and every upload gone
        server.wait(timeout=10)
        shutil.rmtree(redis_dir)
        redis_dir.mkdir()
        shutil.rmtree(uploads)

        restored = deploy_script("restore", backup, env)
        assert restored.returncode == 0, restored.stderr
        server = spawn(argv)
        await until_ping(redis)
        assert await snapshot(redis, uploads, fx.fair.id) == before
        await check_restored(fx, redis, made)  # through the node that was running all along
        await fx.aclose()
        await redis.aclose()
    finally:
        if node is not None:
            node.stop()
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def spawn(argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL)


def deploy_script(name: str, backup: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = ROOT / "deploy" / "redis" / name
    return subprocess.run([str(script), str(backup)], env=env, capture_output=True, text=True)


async def until_ping(redis: Redis) -> None:
    for _ in range(100):
        try:
            if await redis.ping():
                return
        except RedisError:
            await asyncio.sleep(0.1)
    raise AssertionError("redis-server did not start")
