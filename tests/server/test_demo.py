"""`jobfair serve --demo` on a real node with its embedded Redis: a restart on the same data dir
prints every demo sign-in link again, and each link still signs its person in."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.procs import Node


def test_restarting_the_demo_prints_every_sign_in_link_again(tmp_path: Path) -> None:
    first = Node(tmp_path / "data", redis_url=None).start("--demo")
    try:
        created = first.signin_links()
    finally:
        first.stop()
    again = Node(tmp_path / "data", redis_url=None).start("--demo")
    try:
        restarted = again.signin_links()
        assert sorted(restarted) == sorted(created)
        assert sorted(created) == [
            "moderator (all fairs)",
            "recruiter Lò Thị Mai",
            "recruiter Nguyễn Thu Hà",
            "recruiter Trần Văn Minh",
            "worker Cà Văn Duy",
        ]
        link = restarted["worker Cà Văn Duy"]
        landed = httpx.get(link, follow_redirects=True)
        assert landed.status_code == 200 and "Cà Văn Duy" in landed.text
    finally:
        again.stop()
