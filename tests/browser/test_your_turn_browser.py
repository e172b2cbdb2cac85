"""In Chromium: a worker waits on the lobby page, then the tab goes to the background (emulated
through the DevTools protocol: frozen while the call is made, resumed as a phone wakes it);
notifications were granted through the DevTools protocol. The recruiter's call reaches them: a
system notification is shown, the tab's title changes, and the countdown is against the
server's deadline."""

from __future__ import annotations

import time

from playwright.async_api import expect

from tests.browser.conftest import OpenPage
from tests.clients import Fixture, connect, ok

# what the page asked the browser to show (the Notification API itself draws nothing headless)
SPY = """(() => {
  const Real = window.Notification;
  window.__shown = [];
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.__shown.push({ title, ...options });
    }
  };
  Object.defineProperty(window.Notification, "permission", { get: () => Real.permission });
  window.Notification.requestPermission = (...a) => Real.requestPermission(...a);
})();"""


async def test_a_call_reaches_a_worker_whose_tab_is_in_the_background(
    fx: Fixture, open_page: OpenPage
) -> None:
    worker_ws = await connect(fx, fx.worker)
    await ok(worker_ws, "queue.join", {"booth_id": fx.booth_a.id, "share": False})
    page = await open_page(fx.worker, "/")
    # Playwright sends the DevTools protocol's Browser.grantPermissions for this context
    await page.context.grant_permissions(["notifications"], origin=fx.base)
    cdp = await page.context.new_cdp_session(page)
    await page.add_init_script(SPY)
    await page.goto(f"{fx.base}/fairs/{fx.fair.id}?lang=en")
    await expect(page.locator("#queue .queue-others")).to_contain_text("Công ty A")
    assert await page.evaluate("Notification.permission") == "granted"
    title = await page.title()

    await cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
    recruiter = await connect(fx, fx.recruiter_a)
    called = await ok(recruiter, "queue.call_next", {"booth_id": fx.booth_a.id})
    await cdp.send("Page.setWebLifecycleState", {"state": "active"})  # the phone wakes the tab

    await page.wait_for_function("window.__shown.length > 0")
    shown = await page.evaluate("window.__shown")
    assert shown[0]["title"] == "It is your turn!"
    assert "Công ty A" in shown[0]["body"]
    await expect(page).not_to_have_title(title)
    await expect(page).to_have_title("🔔 It is your turn!")
    left = int(await page.locator(".queue-countdown").text_content() or "0")
    server_left = called["deadline"] - time.time()
    assert abs(left - server_left) <= 2, (left, server_left)
