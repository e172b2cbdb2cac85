"""In Chromium: a worker joins a booth's line, answering no to sharing their dossier, the
recruiter calls next, the worker sees the prompt (countdown, tab title) and accepts (both go into
the interview room, where the recruiter sees that no dossier was shared), and the recruiter
finishes the interview from the console; the worker's answer is remembered at the next join."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import OpenPage
from tests.clients import Fixture


async def test_a_worker_joins_is_called_accepts_and_the_recruiter_finishes(
    fx: Fixture, open_page: OpenPage
) -> None:
    booth = f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}"
    worker = await open_page(fx.worker, booth)
    await expect(worker.locator("#conn-status")).to_have_attribute("data-kind", "ok")
    await worker.click("#queue .queue-join")
    consent = worker.locator(".consent-prompt")
    await expect(consent).to_contain_text("Công ty A")
    await consent.locator(".consent-no").click()
    await expect(consent).to_have_count(0)
    await expect(worker.locator("#queue .queue-number")).to_have_text("1")
    await expect(worker.locator("#queue .queue-status")).to_contain_text(re.compile(r"\d"))

    recruiter = await open_page(fx.recruiter_a, f"{booth}/console")
    line = recruiter.locator("#queue .queue-line li")
    await expect(line).to_have_count(1)
    await expect(line.first).to_contain_text(fx.worker.name)
    await recruiter.click("#queue .queue-call-next")

    prompt = worker.locator(".queue-prompt")
    await expect(prompt).to_be_visible()
    await expect(prompt).to_contain_text("Công ty A")
    await expect(prompt.locator(".queue-countdown")).to_have_text(re.compile(r"^(60|59|58|57)$"))
    await expect(worker).to_have_title(re.compile("🔔"))
    await prompt.locator(".queue-accept").click()
    room = re.compile(rf"/fairs/{fx.fair.id}/interviews/[\w-]+$")
    await expect(worker).to_have_url(room)
    await expect(recruiter.locator("#interview-frame")).to_have_attribute("src", room)  # beside
    panel = recruiter.frame_locator("#interview-frame")
    not_shared = "chưa chia sẻ hồ sơ"  # "has not shared their dossier": no error, a plain statement
    await expect(panel.locator("#iv-dossier-body")).to_contain_text(not_shared)

    await recruiter.goto(fx.base + f"{booth}/console")  # a reloaded console lists the room
    await expect(recruiter.locator("#queue .queue-active .queue-room")).to_have_attribute(
        "href", worker.url.removeprefix(fx.base)
    )
    finish = recruiter.locator("#queue .queue-active .queue-finish")
    await expect(finish).to_be_visible()
    await finish.click()
    await expect(recruiter.locator("#queue .queue-recent li")).to_have_count(1)
    await expect(worker.locator("#iv-ended")).to_be_visible()
    await worker.goto(fx.base + booth)
    await worker.click("#queue .queue-join")  # answered before: not asked again
    await expect(worker.locator("#queue .queue-number")).to_have_text("1")
    await expect(consent).to_have_count(0)

    # the dossier page says who can read what, and changes the answer
    await worker.goto(fx.base + f"/fairs/{fx.fair.id}/dossier")
    readers = worker.locator("#readers-booths")
    await expect(readers).to_contain_text("Chưa có công ty nào")  # no company
    row = worker.locator(f"#shares [data-booth='{fx.booth_a.id}']")
    await expect(row).to_contain_text("bạn đã từ chối")  # you said no
    await row.locator("input").check()
    await expect(readers).to_contain_text("Công ty A")
    await expect(worker.locator("#readers")).to_contain_text("Điều hành viên")  # moderators too
