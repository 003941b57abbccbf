"""Signed cookies for the dashboard: the session and the sign-in's state (no session table).

A cookie's value is base64(JSON) + "." + base64(HMAC-SHA256), keyed by a key derived from the app's
secret; the expiry travels inside the signed part, so an old cookie a browser kept is refused too.
Cookies are HttpOnly and SameSite=Lax, and Secure whenever the request came over TLS (directly or
through a proxy that says so).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

SESSION_COOKIE = "dealbell_session"
SIGN_IN_COOKIE = "dealbell_sign_in"  # the state and nonce of a sign-in under way
SESSION_SECONDS = 8 * 3600  # a working day; then Sign in with Slack again
SIGN_IN_SECONDS = 600  # to get through Slack's consent screen


def derive_key(secret: str) -> bytes:
    """The cookies' own key: the app's secret is used for other things too."""
    return hmac.new(secret.encode(), b"dealbell dashboard cookies", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, purpose: str, values: dict[str, Any], lifetime: int, now: float | None = None) -> str:
    body = _b64(json.dumps({**values, "exp": int((now or time.time()) + lifetime), "for": purpose}).encode())
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def unsign(key: bytes, purpose: str, value: str | None, now: float | None = None) -> dict[str, Any] | None:
    """The values of a cookie this server signed for `purpose` and not yet expired; None otherwise."""
    if not value or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        values = json.loads(_unb64(body))
    except ValueError:
        return None
    if values.get("for") != purpose or values.get("exp", 0) <= (now or time.time()):
        return None
    return values


@dataclass(frozen=True)
class Session:
    workspace_id: int
    user_id: str
    csrf: str  # the token every form of this session carries


def new_session_values(workspace_id: int, user_id: str) -> dict[str, Any]:
    return {"w": workspace_id, "u": user_id, "csrf": secrets.token_urlsafe(24)}


def session_of(key: bytes, request: web.Request) -> Session | None:
    values = unsign(key, SESSION_COOKIE, request.cookies.get(SESSION_COOKIE))
    if values is None:
        return None
    return Session(int(values["w"]), str(values["u"]), str(values["csrf"]))


def over_tls(request: web.Request) -> bool:
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def set_cookie(
    response: web.StreamResponse, request: web.Request, name: str, value: str, lifetime: int
) -> None:
    response.set_cookie(
        name, value, max_age=lifetime, path="/", httponly=True, samesite="Lax", secure=over_tls(request)
    )


def clear_cookie(response: web.StreamResponse, name: str) -> None:
    response.del_cookie(name, path="/")
