"""In Chromium: while the node's Redis is frozen, an open page says it is reconnecting; once Redis
answers again it says connected, and live changes appear again."""

from __future__ import annotations

import re
import signal
from pathlib import Path

from playwright.async_api import Browser, expect

from server.auth import Tokens
from tests.server.test_redis_faults import faulty_node

RECONNECTING = re.compile("^(reconnecting…|đang kết nối lại…)$")  # English or Vietnamese


async def test_a_page_shows_reconnecting_while_redis_is_frozen(
    browser: Browser, tmp_path: Path, tokens: Tokens
) -> None:
    async with faulty_node(tmp_path, tokens) as run:
        fx = run.fx
        context = await browser.new_context()
        try:
            page = await context.new_page()
            # the sign-in lands on the fair's page; opening it again made a second page whose
            # socket came up only after Redis froze (seen in a CI run), so "connected" was the first
            await page.goto(fx.link(fx.worker))
            await expect(page).to_have_url(f"{fx.base}/fairs/{fx.fair.id}")
            status = page.locator("#conn-status")
            await expect(status).to_have_attribute("data-kind", "ok")

            run.signal_redis(signal.SIGSTOP)
            await expect(status).to_have_text(RECONNECTING, timeout=5000)
            run.signal_redis(signal.SIGCONT)
            await expect(status).to_have_attribute("data-kind", "ok", timeout=5000)

            staff = await fx.session(fx.moderator)
            path = f"/api/fairs/{fx.fair.id}/booths"
            assert (await staff.api("POST", path, {"employer": "Công ty Sau Sự Cố"})).is_success
            await expect(page.locator("#booths article.booth")).to_have_count(3)
        finally:
            await context.close()
