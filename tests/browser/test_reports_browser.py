"""In Chromium: the organizer's live dashboard shows a booth's line grow when a worker joins,
without a reload; the report page at 360 px wide has no horizontal scroll (vi and en), and its
charts carry text alternatives."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import ARTIFACTS, OpenPage
from tests.clients import Fixture, connect, ok


async def test_the_dashboard_line_grows_live_when_a_worker_joins(
    fx: Fixture, open_page: OpenPage
) -> None:
    dashboard = await open_page(fx.moderator, f"/fairs/{fx.fair.id}/dashboard?lang=en")
    line = dashboard.locator(f'[data-booth="{fx.booth_a.id}"] [data-key="line"]')
    await expect(line).to_have_text("0")
    worker = await connect(fx, fx.worker)
    await ok(worker, "queue.join", {"booth_id": fx.booth_a.id, "share": False})
    await expect(line).to_have_text("1", timeout=10_000)
    await expect(dashboard.locator('#dash-fair [data-key="online_now"]')).to_have_text("1")


async def test_the_report_page_fits_a_360_px_phone(fx: Fixture, open_page: OpenPage) -> None:
    worker = await connect(fx, fx.worker)
    await ok(worker, "queue.join", {"booth_id": fx.booth_a.id, "share": False})
    ARTIFACTS.mkdir(exist_ok=True)
    for lang in ("vi", "en"):
        page = await open_page(fx.moderator, f"/fairs/{fx.fair.id}/report?lang={lang}")
        await page.set_viewport_size({"width": 360, "height": 740})
        await expect(
            page.locator('[data-row="total"] [data-key="joined_line"]').first
        ).to_have_text("1")
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        chart = page.locator("svg#funnel")
        await expect(chart).to_have_attribute("role", "img")
        assert await chart.locator("title").text_content()
        assert "Công ty A" in (await chart.locator("desc").text_content() or "")
        await page.screenshot(path=ARTIFACTS / f"report-360-{lang}.png", full_page=True)
        dash = await open_page(fx.moderator, f"/fairs/{fx.fair.id}/dashboard?lang={lang}")
        await dash.set_viewport_size({"width": 360, "height": 740})
        await expect(
            dash.locator(f'[data-booth="{fx.booth_a.id}"] [data-key="line"]')
        ).to_have_text("1")
        assert (
            await dash.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            <= 0
        )
        await dash.screenshot(path=ARTIFACTS / f"dashboard-360-{lang}.png", full_page=True)
