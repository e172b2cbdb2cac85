"""Bench-only baseline server: stock aiortc ``MediaRelay`` behind two HTTP endpoints.

Run as a script by :mod:`relay_target` (``python relay_server.py --port P``). ``POST /publish``
and ``POST /view`` take ``{"sdp": offer}`` and return ``{"sdp": answer}``. It is the naive
design the forwarder must beat: the publisher's video is decoded once and re-encoded for every
viewer, which is what ``MediaRelay`` does when its proxies feed aiortc senders.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator

import uvicorn
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class Relay:
    """All state of the one room: the publisher's track and every peer connection."""

    def __init__(self) -> None:
        self.media = MediaRelay()
        self.source: MediaStreamTrack | None = None
        self.source_ready = asyncio.Event()
        self.peers: set[RTCPeerConnection] = set()

    async def publish(self, offer: str) -> str:
        pc = self._peer()

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                self.source = track
                self.source_ready.set()

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        return pc.localDescription.sdp

    async def view(self, offer: str) -> str:
        await asyncio.wait_for(self.source_ready.wait(), 10)
        assert self.source is not None
        pc = self._peer()
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        pc.addTrack(self.media.subscribe(self.source))
        await pc.setLocalDescription(await pc.createAnswer())
        return pc.localDescription.sdp

    def _peer(self) -> RTCPeerConnection:
        pc = RTCPeerConnection()
        self.peers.add(pc)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed"):
                self.peers.discard(pc)
                await pc.close()

        return pc

    async def close(self) -> None:
        await asyncio.gather(*(pc.close() for pc in list(self.peers)))
        self.peers.clear()


def create_app() -> Starlette:
    relay = Relay()

    async def publish(request: Request) -> JSONResponse:
        body = await request.json()
        return JSONResponse({"sdp": await relay.publish(body["sdp"])})

    async def view(request: Request) -> JSONResponse:
        body = await request.json()
        return JSONResponse({"sdp": await relay.view(body["sdp"])})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await relay.close()

    return Starlette(
        routes=[
            Route("/publish", publish, methods=["POST"]),
            Route("/view", view, methods=["POST"]),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning", loop="asyncio")


if __name__ == "__main__":
    main()
