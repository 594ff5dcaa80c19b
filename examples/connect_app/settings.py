"""The app's configuration, read from the environment (the same in every worker process).

=================================  =========================================================
``PINTEREST_CLIENT_ID``,           the Pinterest app's credentials (required)
``PINTEREST_CLIENT_SECRET``
``PINTEREST_API_URI``              the API (default: Pinterest's; the emulator's ``/v5``)
``PINTEREST_AUTHORIZE_URL``        the consent page (default: Pinterest's; the emulator's)
``CONNECT_APP_URL``                where the app is served (``http://127.0.0.1:8000``); the
                                   redirect URI is this plus ``/pinterest/callback``
``CONNECT_APP_SECRET``             signs the session cookies (required; the same everywhere)
``CONNECT_APP_DATABASE_URL``       the token database (default ``sqlite:///connect-app.db``)
``PINKIT_TOKEN_KEYS``              Fernet keys for the tokens, newest first (required)
``CONNECT_APP_REDIS_URL``          share the rate limit between workers through Redis
``CONNECT_APP_REDIS_ON_ERROR``     ``open`` (default: go on unlimited) or ``closed`` (refuse)
``CONNECT_APP_RATE_LIMITS``        limits to count, ``org_read=1000/60,universal=100/1``
                                   (requests/seconds; the others stay Pinterest's Standard)
``CONNECT_APP_TAG_ID``             the Pinterest tag's id (digits)
``CONNECT_APP_AD_ACCOUNT_ID``      where conversions go (default: the user's first)
=================================  =========================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pinkit import Limit

__all__ = ["SCOPES", "Settings", "parse_limits"]

#: What the app asks each user for: their boards and pins, and their ad account's conversions.
SCOPES = (
    "user_accounts:read",
    "boards:read",
    "boards:write",
    "pins:read",
    "pins:write",
    "ads:read",
    "ads:write",
)


def parse_limits(text: str) -> dict[str, Limit]:
    """``"org_read=20/60,universal=100/1"`` as ``{category: Limit(requests, seconds)}``."""
    limits: dict[str, Limit] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        category, _, rate = item.partition("=")
        requests, _, seconds = rate.partition("/")
        try:
            limits[category.strip()] = Limit(int(requests), float(seconds))
        except ValueError:
            raise ValueError(
                f"CONNECT_APP_RATE_LIMITS: {item!r} is not category=requests/seconds"
            ) from None
    return limits


@dataclass(frozen=True)
class Settings:
    client_id: str
    client_secret: str
    secret: str
    app_url: str = "http://127.0.0.1:8000"
    api_base_url: str | None = None
    authorize_url: str | None = None
    database_url: str = "sqlite:///connect-app.db"
    redis_url: str | None = None
    redis_on_error: str = "open"
    rate_limits: Mapping[str, Limit] | None = None
    tag_id: str = "2612345678901"
    ad_account_id: str | None = None

    @property
    def redirect_uri(self) -> str:
        return self.app_url.rstrip("/") + "/pinterest/callback"

    @property
    def secure_cookies(self) -> bool:
        return self.app_url.startswith("https://")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        missing = [
            name
            for name in ("PINTEREST_CLIENT_ID", "PINTEREST_CLIENT_SECRET", "CONNECT_APP_SECRET")
            if not env.get(name)
        ]
        if missing:
            raise RuntimeError(f"set {', '.join(missing)} (see examples/connect_app/README.md)")
        limits = env.get("CONNECT_APP_RATE_LIMITS")
        return cls(
            client_id=env["PINTEREST_CLIENT_ID"],
            client_secret=env["PINTEREST_CLIENT_SECRET"],
            secret=env["CONNECT_APP_SECRET"],
            app_url=env.get("CONNECT_APP_URL") or cls.app_url,
            api_base_url=env.get("PINTEREST_API_URI") or None,
            authorize_url=env.get("PINTEREST_AUTHORIZE_URL") or None,
            database_url=env.get("CONNECT_APP_DATABASE_URL") or cls.database_url,
            redis_url=env.get("CONNECT_APP_REDIS_URL") or None,
            redis_on_error=env.get("CONNECT_APP_REDIS_ON_ERROR") or "open",
            rate_limits=parse_limits(limits) if limits else None,
            tag_id=env.get("CONNECT_APP_TAG_ID") or cls.tag_id,
            ad_account_id=env.get("CONNECT_APP_AD_ACCOUNT_ID") or None,
        )
