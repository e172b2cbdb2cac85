"""In Chromium with fake cameras: a worker accepts a call and both sides land in the interview room;
the recruiter sees the worker's video playing (frames decoded, from the page's own WebRTC stats)
and the dossier with the CV, they chat both ways, the recruiter adds time, records an outcome and
ends the interview; the moderator console's outcomes card shows it and opens its record, and the
worker finds it in their history."""

from __future__ import annotations

import re

from playwright.async_api import Frame, Page, expect

from tests.browser.conftest import OpenPage
from tests.clients import Fixture

FRAMES_DECODED = """async () => {
  const { call } = await import("/static/js/interview.js");
  if (!call.viewPc) return 0;
  let decoded = 0;
  (await call.viewPc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") decoded = s.framesDecoded || 0;
  });
  return decoded;
}"""
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


async def frames_decoded(page: Page | Frame) -> int:
    return int(await page.evaluate(FRAMES_DECODED))


async def fill_in_dossier(fx: Fixture) -> None:
    worker = await fx.session(fx.worker)
    saved = await worker.api(
        "PUT",
        f"/api/fairs/{fx.fair.id}/dossier",
        {"name": fx.worker.name, "contact": "0912345678", "skills": ["Hàn điện", "May"]},
    )
    assert saved.status_code == 200, saved.text
    cv = await worker.api("PUT", f"/api/fairs/{fx.fair.id}/dossier/cv", content=PNG)
    assert cv.status_code == 200, cv.text


async def test_a_called_worker_and_the_recruiter_meet_talk_and_the_outcome_is_recorded(
    fx: Fixture, open_page: OpenPage
) -> None:
    await fill_in_dossier(fx)
    booth = f"/fairs/{fx.fair.id}/booths/{fx.booth_a.id}"
    room = re.compile(rf"/fairs/{fx.fair.id}/interviews/[\w-]+$")
    worker = await open_page(fx.worker, booth)
    await expect(worker.locator("#conn-status")).to_have_attribute("data-kind", "ok")
    await worker.click("#queue .queue-join")
    await worker.click(".consent-prompt .consent-yes")  # "let Công ty A read your profile and CV?"
    await expect(worker.locator("#queue .queue-number")).to_have_text("1")
    recruiter = await open_page(fx.recruiter_a, f"{booth}/console")
    await expect(recruiter.locator("#queue .queue-line li")).to_have_count(1)
    moderator = await open_page(fx.moderator, f"/fairs/{fx.fair.id}/moderate")
    await expect(moderator.locator("#outcomes tfoot .interviewed")).to_have_text("0")

    await recruiter.click("#queue .queue-call-next")
    await worker.locator(".queue-prompt .queue-accept").click()
    await expect(worker).to_have_url(room)
    # the recruiter's room opens by itself in the panel beside the console (the booth stays)
    frame = recruiter.locator("#interview-frame")
    await expect(frame).to_have_attribute("src", room)
    assert worker.url.endswith(str(await frame.get_attribute("src")))
    panel = recruiter.frame_locator("#interview-frame")
    room_frame = next(f for f in recruiter.frames if room.search(f.url))

    # face to face: each sees the other's camera, decoded and moving
    for side in (panel, worker):
        await expect(side.locator("#iv-state")).to_have_attribute(
            "data-kind", "live", timeout=20_000
        )
    first = await frames_decoded(room_frame)
    await recruiter.wait_for_timeout(1500)
    assert await frames_decoded(room_frame) > first + 10

    # the recruiter reads the dossier and may download the CV
    dossier = panel.locator("#iv-dossier-body")
    await expect(dossier).to_contain_text("Hàn điện, May")
    cv = dossier.locator("a.iv-cv")
    assert await cv.get_attribute("href") == f"/api/fairs/{fx.fair.id}/dossiers/{fx.worker.id}/cv"

    # the chat, both ways; text stays text
    await worker.fill("#iv-say input", "<b>Xin chào</b>")
    await worker.press("#iv-say input", "Enter")
    heard = panel.locator("#iv-messages .theirs .iv-text")
    await expect(heard).to_have_text("<b>Xin chào</b>")
    assert await panel.locator("#iv-messages b").count() == 0
    await panel.locator("#iv-say input").fill("Chào bạn, bắt đầu nhé")
    await panel.locator("#iv-say button").click()
    await expect(worker.locator("#iv-messages .theirs .iv-text")).to_have_text(
        "Chào bạn, bắt đầu nhé"
    )

    # the timer runs against the slot (15 min); the recruiter adds 5, both timers show it
    await expect(worker.locator("#iv-timer")).to_have_text(re.compile(r"^0:0\d / 15:00$"))
    await panel.locator("#iv-extend").click()
    for side in (panel, worker):
        await expect(side.locator("#iv-timer")).to_have_text(re.compile(r"/ 20:00$"))
    await expect(worker.locator("#iv-extend")).to_have_count(0)  # only the recruiter's page

    # notes and outcome, seen live on the moderator's outcomes card
    await panel.locator("#iv-record textarea").fill("Hàn tốt, mời phỏng vấn trực tiếp")
    await panel.locator('#iv-record input[value="on_site"]').check()
    await panel.locator("#iv-record button[type=submit]").click()
    await expect(panel.locator("#iv-saved")).not_to_be_empty()
    row = moderator.locator(f'#outcomes tr[data-booth="{fx.booth_a.id}"]')
    await expect(row.locator(".interviewed")).to_have_text("1")
    await expect(row.locator(".passed")).to_have_text("1")
    await expect(moderator.locator("#outcomes tfoot .passed")).to_have_text("1")

    # ending frees the recruiter (the panel closes on the console) and tells the worker
    await panel.locator("#iv-end").click()
    await expect(recruiter.locator("#interview-panel")).to_be_hidden()
    await expect(recruiter).to_have_url(re.compile(rf"{booth}/console$"))
    await expect(recruiter.locator("#queue .queue-recent li")).to_have_count(1)
    await expect(worker.locator("#iv-ended")).to_be_visible()
    await expect(worker.locator("#iv-say input")).to_be_disabled()

    # the worker's history; the moderator reads the record (never the media)
    await worker.click("#iv-ended a[href$='/interviews']")
    item = worker.locator(".iv-history-item")
    await expect(item).to_have_count(1)
    await expect(item).to_have_attribute("data-outcome", "on_site")
    await expect(item.locator(".iv-employer")).to_have_text("Công ty A")

    await moderator.click("#tab-reports")  # outcomes are with the reports
    await row.locator(".outcome-booth").click()
    await moderator.locator("#outcomes .outcome-read").click()
    await expect(moderator.locator("#outcomes .outcome-notes")).to_have_text(
        "Hàn tốt, mời phỏng vấn trực tiếp"
    )
