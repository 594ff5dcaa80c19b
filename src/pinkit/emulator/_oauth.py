"""OAuth state: apps, authorization codes, access and refresh tokens.

Plain functions over a transaction, shared by the token endpoint, the consent page, the
dispatcher (bearer authentication) and the control plane, so that every way of getting a token
goes through the same rules. Tokens are stored under their SHA-256, never in clear, and carry
Pinterest's prefixes (``pina_`` access, ``pinr_`` refresh, ``pinc_`` client credentials) which
clients rely on for log redaction.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from pinkit._operations import scopes

from ._errors import ApiError
from ._registry import Principal
from ._store import Tx

__all__ = [
    "ALL_SCOPES",
    "ACCESS_TOKEN_TTL",
    "CODE_TTL",
    "REFRESH_TOKEN_TTL",
    "authenticate_basic",
    "authenticate_bearer",
    "create_app",
    "create_code",
    "exchange_code",
    "grant_client_credentials",
    "issue_user_tokens",
    "parse_scopes",
    "redirect_allowed",
    "refresh",
    "revoke",
]

ALL_SCOPES: tuple[str, ...] = scopes()

ACCESS_TOKEN_TTL = 30 * 86400  # 2592000 s, api-facts §3.2
REFRESH_TOKEN_TTL = 60 * 86400  # continuous refresh tokens
CODE_TTL = 600  # authorization codes are short-lived (RFC 6749 §4.1.2 recommends <= 10 min)

APP, CODE, ACCESS, REFRESH = "oauth_app", "oauth_code", "access_token", "refresh_token"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(36)}"


def parse_scopes(raw: str | None) -> list[str]:
    """Scopes from a comma- (authorize URL) or space-separated string; 400 if unknown."""
    scopes = [s for s in (raw or "").replace(",", " ").split() if s]
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown:
        raise ApiError(400, f"Invalid scope: {', '.join(unknown)}.")
    return list(dict.fromkeys(scopes))


def _scope_string(scopes: Iterable[str]) -> str:
    return " ".join(scopes)


# -- apps -------------------------------------------------------------------------------------
def create_app(
    tx: Tx,
    *,
    owner: str,
    redirect_uris: list[str],
    name: str | None = None,
    any_loopback: bool = False,
) -> dict[str, Any]:
    client_id = tx.new_id()
    app = {
        "client_id": client_id,
        "client_secret": secrets.token_hex(20),
        "name": name or f"Emulator app {client_id}",
        "redirect_uris": redirect_uris,
        "any_loopback": any_loopback,
        "owner": owner,
    }
    tx.insert(APP, app, owner=owner, id=client_id)
    return app


def get_app(tx: Tx, client_id: str) -> dict[str, Any] | None:
    return tx.get(APP, client_id)


def redirect_allowed(app: dict[str, Any], redirect_uri: str) -> bool:
    """Exact match with a registered URI; apps flagged ``any_loopback`` (the built-in default
    app, used by ``pinkit auth login``) also accept any http loopback URI on any port."""
    if redirect_uri in app["redirect_uris"]:
        return True
    if app.get("any_loopback"):
        parts = urlsplit(redirect_uri)
        return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    return False


def authenticate_basic(tx: Tx, authorization: str | None) -> dict[str, Any] | None:
    """The app whose ``client_id:client_secret`` is in an HTTP Basic header, else None."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    app = get_app(tx, client_id) if sep else None
    if app is None or not secrets.compare_digest(app["client_secret"], secret):
        return None
    return app


# -- authorization codes ------------------------------------------------------------------------
def create_code(
    tx: Tx, *, app: dict[str, Any], redirect_uri: str, scopes: list[str], user_id: str, now: float
) -> str:
    code = secrets.token_urlsafe(24)
    tx.insert(
        CODE,
        {
            "client_id": app["client_id"],
            "redirect_uri": redirect_uri,
            "scopes": scopes,
            "user_id": user_id,
            "expires_at": now + CODE_TTL,
        },
        id=_digest(code),
    )
    return code


def exchange_code(
    tx: Tx, *, app: dict[str, Any], code: str, redirect_uri: str, now: float
) -> dict[str, Any]:
    """Trade a one-shot code for tokens (the code is consumed even when the trade fails)."""
    data = tx.get(CODE, _digest(code)) if code else None
    if data is None:
        raise ApiError(400, "Invalid authorization code.", code=1)
    tx.delete(CODE, _digest(code))
    if data["client_id"] != app["client_id"] or data["redirect_uri"] != redirect_uri:
        raise ApiError(400, "Authorization code was issued to another client or redirect_uri.")
    if now >= data["expires_at"]:
        raise ApiError(400, "Authorization code expired.")
    grant = issue_user_tokens(
        tx, user_id=data["user_id"], client_id=app["client_id"], scopes=data["scopes"], now=now
    )
    grant["response_type"] = "authorization_code"
    return grant


# -- tokens -------------------------------------------------------------------------------------
def issue_user_tokens(
    tx: Tx,
    *,
    user_id: str,
    client_id: str,
    scopes: list[str],
    now: float,
    expires_in: int = ACCESS_TOKEN_TTL,
    refresh_expires_in: int = REFRESH_TOKEN_TTL,
) -> dict[str, Any]:
    """A new access token plus refresh token, as an ``OauthAccessTokenResponse`` body."""
    access = _new_token("pina")
    refresh_token = _new_token("pinr")
    refresh_expires_at = int(now + refresh_expires_in)
    tx.insert(
        ACCESS,
        {
            "user_id": user_id,
            "client_id": client_id,
            "scheme": "pinterest_oauth2",
            "scopes": scopes,
            "expires_at": now + expires_in,
        },
        owner=user_id,
        id=_digest(access),
    )
    tx.insert(
        REFRESH,
        {
            "user_id": user_id,
            "client_id": client_id,
            "scopes": scopes,
            "expires_at": refresh_expires_at,
        },
        owner=user_id,
        id=_digest(refresh_token),
    )
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": expires_in,
        "scope": _scope_string(scopes),
        "refresh_token": refresh_token,
        "refresh_token_expires_in": refresh_expires_in,
        "refresh_token_expires_at": refresh_expires_at,
    }


def refresh(
    tx: Tx, *, app: dict[str, Any], refresh_token: str, scope: str | None, now: float
) -> dict[str, Any]:
    """Refresh grant with rotation: the old refresh token dies, a new one (60 days) is returned."""
    data = tx.get(REFRESH, _digest(refresh_token)) if refresh_token else None
    if data is None or data["client_id"] != app["client_id"]:
        raise ApiError(400, "Invalid refresh token.")
    if now >= data["expires_at"]:
        tx.delete(REFRESH, _digest(refresh_token))
        raise ApiError(400, "Refresh token expired.")
    scopes = list(data["scopes"])
    if scope:
        wanted = parse_scopes(scope)
        if not set(wanted) <= set(scopes):
            raise ApiError(400, "Requested scope exceeds the scope originally granted.")
        scopes = wanted
    tx.delete(REFRESH, _digest(refresh_token))
    grant = issue_user_tokens(
        tx, user_id=data["user_id"], client_id=app["client_id"], scopes=scopes, now=now
    )
    grant["response_type"] = "refresh_token"
    return grant


def grant_client_credentials(
    tx: Tx, *, app: dict[str, Any], scope: str | None, now: float
) -> dict[str, Any]:
    """An app-level ``pinc_`` token acting as the app's owner (no refresh token)."""
    scopes = parse_scopes(scope)
    if not scopes:
        raise ApiError(400, "Missing required field: scope.")
    token = _new_token("pinc")
    tx.insert(
        ACCESS,
        {
            "user_id": app["owner"],
            "client_id": app["client_id"],
            "scheme": "client_credentials",
            "scopes": scopes,
            "expires_at": now + ACCESS_TOKEN_TTL,
        },
        owner=app["owner"],
        id=_digest(token),
    )
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": ACCESS_TOKEN_TTL,
        "scope": _scope_string(scopes),
        "response_type": "client_credentials",
    }


def authenticate_bearer(tx: Tx, authorization: str | None, now: float) -> Principal | None:
    """The caller behind ``Authorization: Bearer <token>``, or None if missing/unknown/expired."""
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    data = tx.get(ACCESS, _digest(authorization[7:].strip()))
    if data is None or now >= data["expires_at"]:
        return None
    return Principal(
        user_id=data["user_id"],
        client_id=data["client_id"],
        scheme=data["scheme"],
        scopes=frozenset(data["scopes"]),
    )


def revoke(tx: Tx, *, app: dict[str, Any], token: str) -> None:
    """Forget an access or refresh token issued to ``app`` (unknown tokens are ignored)."""
    for kind in (ACCESS, REFRESH):
        data = tx.get(kind, _digest(token))
        if data is not None and data["client_id"] == app["client_id"]:
            tx.delete(kind, _digest(token))
