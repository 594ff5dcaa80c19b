"""OAuth rules: apps, authorization codes, access and refresh tokens.

Every way of getting a token (the token endpoint, the consent page, ``issue_token``) goes through
these rules. Tokens are stored under their SHA-256, never in clear, and carry Pinterest's
prefixes (``pina_`` access, ``pinr_`` refresh, ``pinc_`` client credentials), which clients rely
on for log redaction. Refresh tokens rotate (continuous refresh): the old one dies with each
refresh.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit

from pinkit._operations import scopes

from ..._errors import ApiError, EmulatorError
from ..._registry import Principal, Rules

__all__ = [
    "ACCESS_TOKEN_TTL",
    "ALL_SCOPES",
    "CODE_TTL",
    "REFRESH_TOKEN_TTL",
    "OAuthRules",
    "check_scopes",
    "parse_scopes",
]

ALL_SCOPES: tuple[str, ...] = scopes()

ACCESS_TOKEN_TTL = 30 * 86400  # 2592000 s, api-facts §3.2
REFRESH_TOKEN_TTL = 60 * 86400  # continuous refresh tokens
CONVERSION_TOKEN_TTL = 10 * 365 * 86400  # "long-lived"
CODE_TTL = 600  # authorization codes are short-lived (RFC 6749 §4.1.2 recommends <= 10 min)

APP, CODE, ACCESS, REFRESH = "oauth_app", "oauth_code", "access_token", "refresh_token"
DEFAULT_APP_META = "default_app"
DEFAULT_REDIRECTS = ["http://localhost:8085/", "http://127.0.0.1:8085/"]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(36)}"


def parse_scopes(raw: str | None) -> list[str]:
    """Scopes from a comma- (authorize URL) or space-separated string; 400 if unknown."""
    found = [s for s in (raw or "").replace(",", " ").split() if s]
    unknown = [s for s in found if s not in ALL_SCOPES]
    if unknown:
        raise ApiError(400, f"Invalid scope: {', '.join(unknown)}.")
    return list(dict.fromkeys(found))


def check_scopes(wanted: list[str] | None) -> list[str]:
    """Scopes for a test token (None: all of them); ``EmulatorError`` naming unknown ones."""
    if wanted is None:
        return list(ALL_SCOPES)
    unknown = [s for s in wanted if s not in ALL_SCOPES]
    if unknown:
        raise EmulatorError(
            f"unknown scope(s) {', '.join(unknown)}: the spec's scopes are {', '.join(ALL_SCOPES)}"
        )
    return list(dict.fromkeys(wanted))


class OAuthRules(Rules):
    # -- apps -------------------------------------------------------------------------------
    def create_app(
        self,
        *,
        owner: str,
        redirect_uris: list[str],
        name: str | None = None,
        any_loopback: bool = False,
    ) -> dict[str, Any]:
        client_id = self.tx.new_id()
        app = {
            "client_id": client_id,
            "client_secret": secrets.token_hex(20),
            "name": name or f"Emulator app {client_id}",
            "redirect_uris": redirect_uris,
            "any_loopback": any_loopback,
            "owner": owner,
        }
        self.tx.insert(APP, app, owner=owner, id=client_id)
        return app

    def get_app(self, client_id: str) -> dict[str, Any] | None:
        return self.tx.get(APP, client_id) if client_id else None

    def default_app(self) -> dict[str, Any]:
        app = self.get_app(self.state.meta(DEFAULT_APP_META))
        assert app is not None
        return app

    def seed_default_app(self) -> None:
        app = self.create_app(
            owner=self.state.default_user_id,
            redirect_uris=list(DEFAULT_REDIRECTS),
            name="pinkit emulator default app",
            any_loopback=True,
        )
        self.tx.meta_set(DEFAULT_APP_META, app["client_id"])

    @staticmethod
    def redirect_allowed(app: dict[str, Any], redirect_uri: str) -> bool:
        """Exact match with a registered URI; apps flagged ``any_loopback`` (the built-in
        default app, used by ``pinkit auth login``) also accept any http loopback URI."""
        if redirect_uri in app["redirect_uris"]:
            return True
        if app.get("any_loopback"):
            parts = urlsplit(redirect_uri)
            return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
        return False

    # -- who is calling ---------------------------------------------------------------------
    def app_from_basic(self, authorization: str | None) -> dict[str, Any] | None:
        """The app whose ``client_id:client_secret`` is in an HTTP Basic header, else None."""
        if not authorization or not authorization.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, sep, secret = decoded.partition(":")
        app = self.get_app(client_id) if sep else None
        if app is None or not secrets.compare_digest(app["client_secret"], secret):
            return None
        return app

    def principal_from_bearer(self, authorization: str | None) -> Principal | None:
        """The caller behind ``Authorization: Bearer <token>``, else None (missing, unknown
        or expired)."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        data = self.tx.get(ACCESS, _digest(authorization[7:].strip()))
        if data is None or self.now >= data["expires_at"]:
            return None
        return Principal(
            user_id=data["user_id"],
            client_id=data["client_id"],
            scheme=data["scheme"],
            scopes=frozenset(data["scopes"]),
        )

    # -- authorization codes ------------------------------------------------------------------
    def create_code(
        self, *, app: dict[str, Any], redirect_uri: str, scopes: list[str], user_id: str
    ) -> str:
        code = secrets.token_urlsafe(24)
        self.tx.insert(
            CODE,
            {
                "client_id": app["client_id"],
                "redirect_uri": redirect_uri,
                "scopes": scopes,
                "user_id": user_id,
                "expires_at": self.now + CODE_TTL,
            },
            id=_digest(code),
        )
        return code

    def exchange_code(self, *, app: dict[str, Any], code: str, redirect_uri: str) -> dict[str, Any]:
        """Trade a one-shot code for tokens (the code is consumed even when the trade fails)."""
        data = self.tx.get(CODE, _digest(code)) if code else None
        if data is None:
            raise ApiError(400, "Invalid authorization code.", code=1)
        self.tx.delete(CODE, _digest(code))
        if data["client_id"] != app["client_id"] or data["redirect_uri"] != redirect_uri:
            raise ApiError(400, "Authorization code was issued to another client or redirect_uri.")
        if self.now >= data["expires_at"]:
            raise ApiError(400, "Authorization code expired.")
        grant = self.issue_user_tokens(
            user_id=data["user_id"], client_id=app["client_id"], scopes=data["scopes"]
        )
        grant["response_type"] = "authorization_code"
        return grant

    # -- tokens -------------------------------------------------------------------------------
    def issue_user_tokens(
        self,
        *,
        user_id: str,
        client_id: str,
        scopes: list[str],
        expires_in: int = ACCESS_TOKEN_TTL,
        refresh_expires_in: int = REFRESH_TOKEN_TTL,
    ) -> dict[str, Any]:
        """A new access token plus refresh token, as an ``OauthAccessTokenResponse`` body."""
        access = _new_token("pina")
        refresh_token = _new_token("pinr")
        refresh_expires_at = int(self.now + refresh_expires_in)
        self.tx.insert(
            ACCESS,
            {
                "user_id": user_id,
                "client_id": client_id,
                "scheme": "pinterest_oauth2",
                "scopes": scopes,
                "expires_at": self.now + expires_in,
            },
            owner=user_id,
            id=_digest(access),
        )
        self.tx.insert(
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
            "scope": " ".join(scopes),
            "refresh_token": refresh_token,
            "refresh_token_expires_in": refresh_expires_in,
            "refresh_token_expires_at": refresh_expires_at,
        }

    def refresh(
        self, *, app: dict[str, Any], refresh_token: str, scope: str | None
    ) -> dict[str, Any]:
        """Refresh grant with rotation: the old refresh token dies, a new one (60 days) is
        returned."""
        data = self.tx.get(REFRESH, _digest(refresh_token)) if refresh_token else None
        if data is None or data["client_id"] != app["client_id"]:
            raise ApiError(400, "Invalid refresh token.")
        if self.now >= data["expires_at"]:
            self.tx.delete(REFRESH, _digest(refresh_token))
            raise ApiError(400, "Refresh token expired.")
        granted = list(data["scopes"])
        if scope:
            wanted = parse_scopes(scope)
            if not set(wanted) <= set(granted):
                raise ApiError(400, "Requested scope exceeds the scope originally granted.")
            granted = wanted
        self.tx.delete(REFRESH, _digest(refresh_token))
        grant = self.issue_user_tokens(
            user_id=data["user_id"], client_id=app["client_id"], scopes=granted
        )
        grant["response_type"] = "refresh_token"
        return grant

    def client_credentials(self, *, app: dict[str, Any], scope: str | None) -> dict[str, Any]:
        """An app-level ``pinc_`` token acting as the app's owner (no refresh token)."""
        granted = parse_scopes(scope)
        if not granted:
            raise ApiError(400, "Missing required field: scope.")
        token = _new_token("pinc")
        self.tx.insert(
            ACCESS,
            {
                "user_id": app["owner"],
                "client_id": app["client_id"],
                "scheme": "client_credentials",
                "scopes": granted,
                "expires_at": self.now + ACCESS_TOKEN_TTL,
            },
            owner=app["owner"],
            id=_digest(token),
        )
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_TTL,
            "scope": " ".join(granted),
            "response_type": "client_credentials",
        }

    def conversion_token(self, *, user_id: str, client_id: str) -> dict[str, Any]:
        """A long-lived token that authorises sending conversion events and nothing else
        (the spec's ``conversion_token`` scheme)."""
        token = _new_token("pina")  # Pinterest's conversion tokens carry the same prefix
        self.tx.insert(
            ACCESS,
            {
                "user_id": user_id,
                "client_id": client_id,
                "scheme": "conversion_token",
                "scopes": [],
                "expires_at": self.now + CONVERSION_TOKEN_TTL,
            },
            owner=user_id,
            id=_digest(token),
        )
        return {"access_token": token, "token_type": "conversion"}

    def revoke(self, *, app: dict[str, Any], token: str) -> None:
        """Forget an access or refresh token issued to ``app`` (unknown tokens are ignored)."""
        for kind in (ACCESS, REFRESH):
            data = self.tx.get(kind, _digest(token))
            if data is not None and data["client_id"] == app["client_id"]:
                self.tx.delete(kind, _digest(token))
