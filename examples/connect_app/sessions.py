"""The minimal local sign-in: the user's name in a signed, HttpOnly, SameSite=Lax cookie.

It stands for whatever login the real app has; pinkit only needs a stable key per user. The
cookie is signed with HMAC-SHA256 under ``CONNECT_APP_SECRET`` (shared by every worker), so a
visitor cannot pose as someone else by editing it. SameSite=Lax keeps other sites' forms from
posting with it (the app's state-changing routes are all POST); Pinterest's redirect back to
the callback is a top-level GET, which does carry it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time

__all__ = ["COOKIE", "MAX_AGE_S", "USERNAME", "read_session", "sign_session"]

COOKIE = "connect_app_session"
MAX_AGE_S = 12 * 3600
USERNAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def _mac(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def sign_session(secret: str, username: str, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    payload = json.dumps({"u": username, "t": issued}, separators=(",", ":")).encode()
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{body}.{_mac(secret, body)}"


def read_session(secret: str, cookie: str | None, now: float | None = None) -> str | None:
    """The signed-in user's name, or None (no cookie, a forged or expired one)."""
    if not cookie or "." not in cookie:
        return None
    body, _, mac = cookie.rpartition(".")
    if not hmac.compare_digest(mac, _mac(secret, body)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        username, issued = str(data["u"]), float(data["t"])
    except (ValueError, KeyError, TypeError):
        return None
    if (time.time() if now is None else now) - issued > MAX_AGE_S:
        return None
    return username if USERNAME.fullmatch(username) else None
