"""A minimal client of the Janus HTTP API (sessions, handles, plugin messages).

Janus answers a plugin message with an ``ack`` and delivers the real reply later as an event on
the session's long poll, tagged with the request's transaction; one poller per session
resolves the waiting futures. Events nobody waits for (``webrtcup``, ``media``...) are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from typing import Any

import httpx

_REQUEST_TIMEOUT_S = 30.0
_POLL_TIMEOUT_S = 60.0  # Janus holds a long poll up to 30 s
_MAX_EVENTS = 16


class JanusError(RuntimeError):
    """Janus refused a request (core ``error`` or a plugin ``error`` field)."""


class JanusSession:
    """One Janus session and its long poll; handles are plain integer ids."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(timeout=_POLL_TIMEOUT_S)
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._poller: asyncio.Task[None] | None = None
        self.session_id: int | None = None

    async def open(self) -> None:
        reply = await self._post(self._base_url, {"janus": "create"})
        self.session_id = int(reply["data"]["id"])
        self._poller = asyncio.create_task(self._poll())

    async def attach(self, plugin: str) -> int:
        reply = await self._post(self._session_url, {"janus": "attach", "plugin": plugin})
        return int(reply["data"]["id"])

    async def message(
        self, handle: int, body: dict[str, Any], jsep: dict[str, str] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Send a plugin request; return the plugin's reply data and its JSEP, if any."""
        request: dict[str, Any] = {"janus": "message", "body": body}
        if jsep is not None:
            request["jsep"] = jsep
        transaction = secrets.token_hex(8)
        waiter = asyncio.get_running_loop().create_future()
        self._pending[transaction] = waiter
        try:
            reply = await self._post(f"{self._session_url}/{handle}", request, transaction)
            if reply["janus"] == "ack":
                reply = await asyncio.wait_for(waiter, _REQUEST_TIMEOUT_S)
        finally:
            self._pending.pop(transaction, None)
        data = reply.get("plugindata", {}).get("data", {})
        if "error" in data:
            raise JanusError(f"{body.get('request')}: {data['error']}")
        return data, reply.get("jsep")

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self.session_id is not None:
            with contextlib.suppress(httpx.HTTPError, JanusError):
                await self._post(self._session_url, {"janus": "destroy"})
            self.session_id = None
        await self._http.aclose()

    @property
    def _session_url(self) -> str:
        return f"{self._base_url}/{self.session_id}"

    async def _post(
        self, url: str, request: dict[str, Any], transaction: str | None = None
    ) -> dict[str, Any]:
        request["transaction"] = transaction or secrets.token_hex(8)
        response = await self._http.post(url, json=request, timeout=_REQUEST_TIMEOUT_S)
        response.raise_for_status()
        reply: dict[str, Any] = response.json()
        if reply.get("janus") == "error":
            raise JanusError(str(reply.get("error")))
        return reply

    async def _poll(self) -> None:
        while True:
            try:
                response = await self._http.get(
                    self._session_url, params={"maxev": _MAX_EVENTS, "rid": secrets.token_hex(4)}
                )
                events = response.json()
            except (httpx.HTTPError, ValueError):
                await asyncio.sleep(0.5)
                continue
            for event in events if isinstance(events, list) else [events]:
                waiter = self._pending.get(event.get("transaction", ""))
                if waiter is not None and not waiter.done():
                    waiter.set_result(event)
