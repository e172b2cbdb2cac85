"""Two `jobfair serve` processes on one Redis: a change made through node A reaches a page
connected to node B."""

from __future__ import annotations

from tests.clients import Fixture, Session
from tests.procs import Node


async def test_a_booth_created_on_node_a_appears_on_node_b(fx: Fixture, node_b: Node) -> None:
    watcher = Session(node_b.url)
    await watcher.signin(fx.link(fx.worker).replace(fx.base, node_b.url))
    ws = await watcher.ws(fx.fair.id)
    await ws.recv()
    moderator_on_a = await fx.session(fx.moderator)
    created = await moderator_on_a.api(
        "POST", f"/api/fairs/{fx.fair.id}/booths", {"employer": "Công ty Cao su Mường Lay"}
    )
    event = await ws.event("booth.created")
    await ws.close()
    await watcher.close()
    assert created.status_code == 201
    assert event["data"]["employer"] == "Công ty Cao su Mường Lay"


async def test_a_session_signed_by_one_node_is_honoured_by_the_other(
    fx: Fixture, node_b: Node
) -> None:
    on_a = await fx.session(fx.recruiter_a)
    on_b = Session(node_b.url)
    on_b.http.cookies.update(on_a.http.cookies)
    me = await on_b.http.get("/api/me")
    await on_b.close()
    assert me.status_code == 200 and me.json()["id"] == fx.recruiter_a.id
