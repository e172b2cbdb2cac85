"""In Chromium: a worker registers, and sees a booth appear live when a moderator creates it."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import OpenPage
from tests.clients import Fixture


async def test_a_registered_worker_sees_a_new_booth_appear_without_reload(
    fx: Fixture, open_page: OpenPage
) -> None:
    worker = await open_page(None, f"/fairs/{fx.fair.id}")
    await worker.fill("input[name=name]", "Giàng Thị Mỷ")
    await worker.fill("input[name=contact]", "0911 222 333")
    await worker.click("#register button[type=submit]")
    await expect(worker.locator("#booths article.booth")).to_have_count(2)
    await expect(worker.locator("#conn-status")).to_have_attribute("data-kind", "ok")

    moderator = await open_page(fx.moderator, f"/fairs/{fx.fair.id}/moderate")
    await moderator.click("#tab-booths")
    await moderator.fill("#new-booth input[name=employer]", "Công ty Giày da Phú Yên")
    await moderator.fill("#new-booth textarea[name=description]", "<b>Tuyển 300</b> công nhân")
    await moderator.click("#new-booth button[type=submit]")

    booth = worker.locator("#booths article.booth", has_text="Công ty Giày da Phú Yên")
    await expect(booth).to_be_visible()
    await expect(booth).to_contain_text("<b>Tuyển 300</b> công nhân")  # shown as text, not HTML
    await expect(worker.locator("#booths article.booth")).to_have_count(3)


async def test_a_job_edited_by_the_recruiter_changes_on_the_booth_page(
    fx: Fixture, open_page: OpenPage
) -> None:
    worker = await open_page(fx.worker, f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}")
    await expect(worker.locator("#conn-status")).to_have_attribute("data-kind", "ok")
    recruiter = await open_page(
        fx.recruiter_a, f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}/console"
    )
    new_job = recruiter.locator("details.new-job")
    await new_job.locator("summary").click()
    await new_job.locator("input[name=title]").fill("Công nhân đóng gói")
    await new_job.locator("input[name=openings]").fill("40")
    await new_job.locator("input[name=salary_min_vnd]").fill("7000000")
    await new_job.locator("input[name=salary_max_vnd]").fill("9000000")
    await new_job.locator("input[name=location]").fill("Lai Châu")
    await new_job.locator("button[type=submit]").click()
    job = worker.locator("#jobs article.job", has_text="Công nhân đóng gói")
    await expect(job).to_contain_text("40")
    await expect(job).to_contain_text("7.000.000")
