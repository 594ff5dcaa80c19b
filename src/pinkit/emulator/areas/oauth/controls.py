"""OAuth test controls: how to connect, apps, tokens without the dance, headless consent."""

from __future__ import annotations

from typing import Any

from ..._backend import Backend
from ..._controls import Control, control
from ..._errors import EmulatorError
from .consent import decide_url
from .rules import ACCESS_TOKEN_TTL, OAuthRules, check_scopes

__all__ = ["CONTROLS"]


def _urls(backend: Backend) -> dict[str, str]:
    return {"api_base_url": f"{backend.origin}/v5", "authorize_url": f"{backend.origin}/oauth/"}


@control("GET", "/")
def info(backend: Backend) -> dict[str, Any]:
    """How to connect: base URLs, the default user and app, the implemented operations."""
    with backend.read() as state:
        app = state.rules(OAuthRules).default_app()
        user_id = state.default_user_id
    return {
        **_urls(backend),
        "default_user_id": user_id,
        "default_app": {"client_id": app["client_id"], "client_secret": app["client_secret"]},
        "implemented_operations": backend.registry.implemented(),
        "sandbox": backend.sandbox,
    }


@control("POST", "/apps")
def register_app(backend: Backend, redirect_uri: str, *, name: str | None = None) -> dict[str, Any]:
    """A new OAuth app of the default user (numeric client_id, random secret) that redirects
    to ``redirect_uri``."""
    if not redirect_uri.startswith(("http://", "https://")):
        raise EmulatorError(f"redirect_uri must be an http(s) URL, got {redirect_uri!r}")
    with backend.write() as state:
        app = state.rules(OAuthRules).create_app(
            owner=state.default_user_id, redirect_uris=[redirect_uri], name=name
        )
    return {
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "redirect_uri": redirect_uri,
        **_urls(backend),
    }


@control("POST", "/tokens")
def issue_token(
    backend: Backend,
    scopes: list[str] | None = None,
    expires_in: int = ACCESS_TOKEN_TTL,
    *,
    user_id: str | None = None,
) -> dict[str, Any]:
    """Tokens for ``user_id`` (None: the default user) and the default app, skipping the
    OAuth dance; ``scopes=None`` grants every scope. The refresh token works with the default
    app."""
    granted = check_scopes(scopes)
    if expires_in < 1:
        raise EmulatorError(f"expires_in must be >= 1, got {expires_in}")
    with backend.write() as state:
        owner = user_id or state.default_user_id
        if state.tx.get("user", owner) is None:
            raise EmulatorError(f"no user {owner}")
        rules = state.rules(OAuthRules)
        client_id = rules.default_app()["client_id"]
        grant = rules.issue_user_tokens(
            user_id=owner, client_id=client_id, scopes=granted, expires_in=expires_in
        )
        grant.update(
            expires_at=state.now + expires_in,
            scopes=granted,
            client_id=client_id,
            user_id=owner,
        )
    return grant


@control("POST", "/conversion_tokens")
def issue_conversion_token(backend: Backend, *, user_id: str | None = None) -> dict[str, Any]:
    """A conversion access token for ``user_id`` (None: the default user), as Ads Manager
    makes them: ``{access_token, token_type}`` (Python: the token). It sends conversion events
    for the user's ad accounts and authorises nothing else."""
    with backend.write() as state:
        owner = user_id or state.default_user_id
        if state.tx.get("user", owner) is None:
            raise EmulatorError(f"no user {owner}")
        rules = state.rules(OAuthRules)
        return rules.conversion_token(user_id=owner, client_id=rules.default_app()["client_id"])


@control("POST", "/authorize", render=lambda url: {"redirect_url": url})
def authorize(
    backend: Backend, url: str, *, approve: bool = True, user_id: str | None = None
) -> str:
    """Answer the consent page for authorize ``url`` headlessly, as ``user_id`` (None: the
    app's owner, the default user): the redirect URL (with ``code`` and ``state``, or
    ``error=access_denied`` when ``approve`` is false)."""
    return decide_url(backend, url, approve=approve, user_id=user_id)


CONTROLS: list[Control[..., Any]] = [
    info,
    register_app,
    issue_token,
    issue_conversion_token,
    authorize,
]
