"""TURN credentials for pages, minted with coturn's shared secret (the TURN REST API scheme,
coturn's `use-auth-secret`): a page never holds a static password, and what it holds expires.

The username is `<expiry unix time>:<participant id>`, the password the base64 HMAC-SHA1 of the
username under the secret; coturn recomputes it and refuses it once the expiry has passed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from server.settings import Settings


def turn_password(secret: str, username: str) -> str:
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def turn_ice_server(settings: Settings, user_id: str, now: float) -> dict[str, Any]:
    """An RTCIceServer for `user_id`'s page, valid for settings.turn_ttl seconds from `now`."""
    username = f"{int(now + settings.turn_ttl)}:{user_id}"
    return {
        "urls": list(settings.turn_urls),
        "username": username,
        "credential": turn_password(settings.turn_secret, username),
    }


def page_ice_servers(settings: Settings, user_id: str | None, now: float) -> list[dict[str, Any]]:
    """The configured ICE servers, plus minted TURN credentials for a signed-in user (relays
    are not handed to anonymous visitors, who have no video to send or watch)."""
    servers = list(settings.ice_servers)
    if settings.turn_secret and user_id is not None:
        servers.append(turn_ice_server(settings, user_id, now))
    return servers
