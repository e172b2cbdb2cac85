"""Signed, expiring, scoped tokens, and the principal behind a request or websocket.

A token names a participant with their role, fair and booth. It is only half the check: the
participant must still exist in Redis with that same scope, so removing one revokes their links.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.requests import HTTPConnection

from rooms.errors import DomainError, Forbidden, NotFound
from rooms.models import Participant, Role
from rooms.people import People

SESSION_COOKIE = "jf_session"
CSRF_COOKIE = "jf_csrf"
CSRF_HEADER = "x-csrf-token"


class Unauthenticated(DomainError):
    code = "unauthenticated"


@dataclass(frozen=True)
class Claims:
    user_id: str
    role: Role
    fair_id: str | None
    booth_id: str | None


class Tokens:
    """Two purposes, two salts: a sign-in link cannot be replayed as a session cookie."""

    def __init__(self, secret: str, session_hours: float, invite_days: float) -> None:
        self._signin = URLSafeTimedSerializer(secret, salt="jobfair.signin")
        self._session = URLSafeTimedSerializer(secret, salt="jobfair.session")
        self.session_seconds = int(session_hours * 3600)
        self.invite_seconds = int(invite_days * 86400)

    def signin(self, who: Participant) -> str:
        return str(self._signin.dumps(_claims(who)))

    def session(self, who: Participant) -> str:
        return str(self._session.dumps(_claims(who)))

    def read_signin(self, token: str) -> Claims:
        return _read(self._signin, token, self.invite_seconds, "sign-in link")

    def read_session(self, token: str) -> Claims:
        return _read(self._session, token, self.session_seconds, "session")


def _claims(who: Participant) -> dict[str, str | None]:
    return {"u": who.id, "r": who.role.value, "f": who.fair_id, "b": who.booth_id}


def _read(serializer: URLSafeTimedSerializer, token: str, max_age: int, what: str) -> Claims:
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise Unauthenticated(f"this {what} has expired") from None
    except BadSignature:
        raise Unauthenticated(f"this {what} is not valid") from None
    return Claims(user_id=data["u"], role=Role(data["r"]), fair_id=data["f"], booth_id=data["b"])


async def resolve(people: People, claims: Claims) -> Participant:
    """The participant the claims name, if they still exist with the same scope."""
    try:
        who = await people.get(claims.fair_id, claims.user_id)
    except NotFound:
        raise Unauthenticated("this account no longer exists") from None
    if (who.role, who.fair_id, who.booth_id) != (claims.role, claims.fair_id, claims.booth_id):
        raise Unauthenticated("this session no longer matches the account")
    return who


async def current_user(conn: HTTPConnection, people: People, tokens: Tokens) -> Participant | None:
    token = conn.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return await resolve(people, tokens.read_session(token))
    except Unauthenticated:
        return None


async def signed_in(conn: HTTPConnection, people: People, tokens: Tokens) -> Participant:
    """The session's participant, or `Unauthenticated` (401: sign in first)."""
    user = await current_user(conn, people, tokens)
    if user is None:
        raise Unauthenticated("sign in first")
    return user


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def check_csrf(conn: HTTPConnection, submitted: str | None) -> None:
    """Double-submit: the token in the page (sent as header or form field) must match the cookie."""
    cookie = conn.cookies.get(CSRF_COOKIE, "")
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise Forbidden("missing or wrong CSRF token; reload the page")
