"""The recruiter, on the host's fast link: the booth console in headless Chromium (fake camera,
stream.js's two layers), or an aiortc client sending two pre-encoded clips (tests/layered.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, Playwright

from bench.weaklinklib.viewer import ARGS, CHROMIUM
from tests.clients import Session
from tests.layered import HIGH, LOW, LayeredPublisher

# What the publisher's large video layer is sending now (resolution, frame rate, bytes so far).
OUTBOUND = """async () => {
  const { publisher } = await import("/static/js/console.js");
  let out = null;
  (await publisher.pc.getStats()).forEach((s) => {
    const larger = !out || (s.frameWidth || 0) > out.width;
    if (s.type === "outbound-rtp" && s.kind === "video" && larger) out = {
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
        limited = {"none": "", "": ""}.get(self.limitation, f", limited by {self.limitation}")
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


class ClipRecruiter:
    """The same interface as `Recruiter`, publishing pre-encoded clips over the websocket: what
    it sends is fixed (640x360 at 1 Mbps and 320x180 at 200 kbps, or the small one alone), so a
    run costs no encoder CPU beside the browsers measured."""

    def __init__(self, session: Session, fair_id: str, booth_path: str) -> None:
        self.session, self.fair_id, self.booth_path = session, fair_id, booth_path
        self.publisher: LayeredPublisher | None = None
        self.small_only = False

    @classmethod
    async def go_live(cls, signin: str) -> ClipRecruiter:
        parts = urlsplit(signin)
        session = Session(f"{parts.scheme}://{parts.netloc}")
        landed = (await session.signin(signin)).headers["location"]  # the booth's console
        path = urlsplit(landed).path.removesuffix("/console")
        recruiter = cls(session, path.split("/")[2], path)
        await recruiter.publish()
        return recruiter

    async def publish(self) -> None:
        if self.publisher is not None:
            await self.publisher.close()
        ws = await self.session.ws(self.fair_id)
        await ws.recv()  # welcome
        booth = self.booth_path.rsplit("/", 1)[1]
        self.publisher = LayeredPublisher(ws, booth_id=booth, small_only=self.small_only)
        reply = await self.publisher.go_live()
        if reply["type"] != "ack":
            raise RuntimeError(f"the clip publisher was refused: {reply}")

    async def set_video(self, max_bitrate: int, width: int, height: int) -> None:
        small_only = width <= LOW[0][0]
        if small_only != self.small_only:
            self.small_only = small_only
            await self.publish()

    async def sending(self, seconds: float = 3.0) -> Sending:
        (width, height), bitrate = LOW if self.small_only else HIGH
        return Sending(bitrate / 1000, width, height, 30.0, "none")

    async def close(self) -> None:
        if self.publisher is not None:
            await self.publisher.close()
        await self.session.close()
