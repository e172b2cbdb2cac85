"""The recruiter: the booth console in headless Chromium on the host (fast link), fake camera."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, Playwright

from weaklinklib.viewer import ARGS, CHROMIUM

# What the publisher's video sender is sending now (resolution, frame rate, bytes so far).
OUTBOUND = """async () => {
  const { publisher } = await import("/static/js/console.js");
  let out = null;
  (await publisher.pc.getStats()).forEach((s) => {
    if (s.type === "outbound-rtp" && s.kind === "video") out = {
      bytesSent: s.bytesSent, t: s.timestamp, width: s.frameWidth, height: s.frameHeight,
      fps: s.framesPerSecond, limitation: s.qualityLimitationReason };
  });
  return out;
}"""

# Capture and encode as a "low bandwidth booth" setting would (no renegotiation needed).
SET_VIDEO = """async ([maxBitrate, width, height]) => {
  const { publisher } = await import("/static/js/console.js");
  const sender = publisher.pc.getSenders().find((s) => s.track?.kind === "video");
  await sender.track.applyConstraints({ width: { ideal: width }, height: { ideal: height } });
  const params = sender.getParameters();
  params.encodings[0].maxBitrate = maxBitrate;
  await sender.setParameters(params);
}"""


@dataclass
class Sending:
    kbps: float
    width: int
    height: int
    fps: float
    limitation: str

    def __str__(self) -> str:
        limited = f", limited by {self.limitation}" if self.limitation != "none" else ""
        return f"{self.width}x{self.height} {self.fps:.0f} fps {self.kbps:.0f} kbps{limited}"


class Recruiter:
    def __init__(self, page: Page, browser: Browser) -> None:
        self.page, self.browser = page, browser

    @classmethod
    async def go_live(cls, pw: Playwright, signin: str, clip: Path | None) -> Recruiter:
        """`clip`: a Y4M file for the fake camera (None: Chromium's own test pattern)."""
        args = ARGS + ([f"--use-file-for-fake-video-capture={clip}"] if clip else [])
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        page = await (await browser.new_context()).new_page()
        await page.goto(signin)  # a recruiter lands on their booth's console
        if not urlsplit(page.url).path.endswith("/console"):
            raise RuntimeError(f"the recruiter's sign-in landed on {page.url}, not a console")
        await page.click("#go-live")
        await page.wait_for_selector("#stream-state[data-kind=live]", timeout=30_000)
        return cls(page, browser)

    @property
    def booth_path(self) -> str:
        return urlsplit(self.page.url).path.removesuffix("/console")

    async def set_video(self, max_bitrate: int, width: int, height: int) -> None:
        await self.page.evaluate(SET_VIDEO, [max_bitrate, width, height])

    async def sending(self, seconds: float = 3.0) -> Sending:
        """The video it sends, averaged over `seconds`."""
        first: dict[str, Any] = await self.page.evaluate(OUTBOUND)
        await self.page.wait_for_timeout(seconds * 1000)
        last: dict[str, Any] = await self.page.evaluate(OUTBOUND)
        kbps = (last["bytesSent"] - first["bytesSent"]) * 8 / (last["t"] - first["t"])
        return Sending(
            kbps,
            last.get("width") or 0,
            last.get("height") or 0,
            last.get("fps") or 0.0,
            last.get("limitation") or "",
        )

    async def close(self) -> None:
        await self.browser.close()
