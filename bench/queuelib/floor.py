"""The floor for bench/queue.py: a bare Starlette app that sends each connected client one frame.

What the machine can do at best with the same web stack, so the node's figure can be read against
it (../shared/research/websocket-fanout.md). One route; a client that sends any text triggers a
round: a plain serial `await send_text` to every other client, each frame personalised and of the
size of the node's `queue.position` frame. No queue, no writer task, no protection against a slow
reader: that is what makes it a floor. Served by uvicorn with the node's websocket settings
(server/cli.py) and its garbage-collector settings.

    python -m bench.queuelib.floor --port 8100
"""

from __future__ import annotations

import argparse
import asyncio
import gc

import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from server.settings import Limits

# the node's frame, less what varies per client and round: same length as a queue.position frame
BOOTH = "b" * 11  # a booth id's length
HEAD = '{"type":"event","event":"queue.position","data":{"booth_id":"' + BOOTH + '"'
TAIL = ',"eta":[90000,300000],"size":5000,"line":"open"}}'


def build() -> Starlette:
    clients: dict[WebSocket, str] = {}

    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        clients[websocket] = f"{len(clients):011d}"
        try:
            while True:
                text = await websocket.receive_text()
                for other, entry in list(clients.items()):
                    if other is not websocket:
                        await other.send_text(
                            f'{HEAD},"entry_id":"{entry}","position":{text}{TAIL}'
                        )
        except WebSocketDisconnect:
            pass
        finally:
            clients.pop(websocket, None)

    return Starlette(routes=[WebSocketRoute("/ws", socket)])


async def serve(port: int) -> None:
    gc.set_threshold(50_000, 20, 100)
    gc.freeze()
    limits = Limits()  # the node's heartbeat: its cost is part of both figures
    config = uvicorn.Config(
        build(),
        host="127.0.0.1",
        port=port,
        ws="websockets-sansio",
        ws_ping_interval=limits.ws_ping_interval,
        ws_ping_timeout=limits.ws_ping_timeout,
        ws_per_message_deflate=False,
        log_level="warning",
    )
    await uvicorn.Server(config).serve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
