"""Chapter 1: log in with OAuth (the consent page approved headlessly), then let the access
token expire and watch the client refresh it."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from rich.markup import escape

from .._redact import mask
from .._tokens import MemoryTokenStore
from ._tour import DAY, Tour

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["SCOPES", "log_in"]

REDIRECT_URI = "http://127.0.0.1:8085/callback"
#: What the later chapters need: boards and pins, ads, audiences, conversions and reports.
SCOPES = (
    "user_accounts:read",
    "boards:read",
    "boards:write",
    "pins:read",
    "pins:write",
    "ads:read",
    "ads:write",
)


def log_in(tour: Tour) -> Client:
    """The client every later chapter uses: logged in through the authorization-code flow,
    its tokens in a store that keeps each refresh."""
    tour.chapter("login", "Log in with OAuth, and a token refresh")
    emulator = tour.emulator
    app = emulator.register_app(REDIRECT_URI)
    url, state = app.authorization_url(list(SCOPES))
    tour.say(f"consent page [cyan]{escape(url.split('?')[0])}[/] for app {app.client_id}")
    redirect = urlsplit(emulator.authorize(url))  # the user clicks "approve"
    query = parse_qs(redirect.query)
    if query.get("state") != [state]:
        raise RuntimeError("the OAuth redirect's state is not the one sent: refused")
    token = app.exchange_code(query["code"][0])
    tour.say("approved: the redirect's state checked, its code exchanged for tokens")
    tour.say(f"access token {mask(token.access_token)}, {len(token.scopes)} scopes as asked")
    store = MemoryTokenStore(token)
    client = emulator.client(
        access_token=None,
        oauth_app=app,
        token_store=store,
        on_token_refresh=tour.refreshes.append,
        ad_account_id=emulator.default_ad_account_id,
    )
    me = client.user_account.get()
    tour.say(f"logged in as @{escape(me.username or '')}, a {me.account_type} account")

    emulator.clock.advance(31 * DAY)
    seen = len(emulator.requests)
    client.user_account.get()
    calls = [r.operation_id for r in emulator.requests[seen:]]
    saved = store.load()
    assert saved is not None
    tour.say(f"31 days on, the token has expired: {' → '.join(map(str, calls))}")
    tour.say(f"the refresh token was rotated, the new one kept: {mask(saved.refresh_token)}")
    return client
