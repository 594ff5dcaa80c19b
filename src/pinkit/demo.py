"""``pinkit demo``: a short tour of the toolkit against an in-process emulator.

Nothing leaves the machine: the emulator runs inside this process and every request goes
through an in-memory transport, so the tour works offline and without Pinterest credentials.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from rich.console import Console
from rich.table import Table

from ._redact import mask
from .auth import MemoryTokenStore, TokenSet

REDIRECT_URI = "http://127.0.0.1:8085/callback"
DAY = 86_400


def run(console: Console) -> None:
    from .emulator import Emulator

    emulator = Emulator()
    step = _Steps(console)

    step("OAuth: authorization-code flow with state")
    app = emulator.register_app(REDIRECT_URI)
    url, state = app.authorization_url(["user_accounts:read", "boards:read", "pins:read"])
    console.print(f"  consent URL: [cyan]{url.split('?')[0]}[/]?client_id={app.client_id}&…")
    redirect = urlsplit(emulator.authorize(url))
    query = parse_qs(redirect.query)
    if query.get("state") != [state]:
        raise RuntimeError("state mismatch in the OAuth redirect")
    token = app.exchange_code(query["code"][0])
    console.print(f"  approved; state checked; access token {mask(token.access_token)}")
    console.print(f"  refresh token {mask(token.refresh_token)}, scopes {', '.join(token.scopes)}")

    store = MemoryTokenStore(token)
    refreshed: list[TokenSet] = []
    with emulator.client(
        access_token=None, oauth_app=app, token_store=store, on_token_refresh=refreshed.append
    ) as client:
        step("user_account.get(): a typed model")
        account = client.user_account.get()
        console.print(
            f"  @{account.username} (id {account.id}, {account.account_type}), "
            f"{account.follower_count} followers"
        )

        step("Refresh: 31 days later the access token has expired")
        emulator.clock.advance(31 * DAY)
        account = client.user_account.get()
        new = store.load()
        assert new is not None
        console.print("  the API answered 401; the client refreshed once and retried")
        console.print(
            f"  rotated refresh token saved: {mask(token.refresh_token)} → "
            f"{mask(new.refresh_token)} (callback called {len(refreshed)} time)"
        )

        step("A raw paginated call: GET /user_account/followers, 10 per page")
        followers = list(client.paginate("/user_account/followers", page_size=10))
        pages = sum(1 for r in emulator.requests if r.operation_id == "followers/list")
        table = Table("#", "username", "type")
        for i, follower in enumerate(followers[:5], 1):
            table.add_row(str(i), follower.get("username", ""), follower.get("type", ""))
        console.print(table)
        console.print(f"  {len(followers)} followers in {pages} pages (first 5 shown)")

    step("Requests the emulator saw")
    summary = Table("method", "path", "operation", "status")
    for record in emulator.requests:
        summary.add_row(record.method, record.path, record.operation_id or "", str(record.status))
    console.print(summary)
    console.print("[green]Tour complete.[/] Try: pinkit --emulator api GET /user_account")


class _Steps:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.n = 0

    def __call__(self, title: str) -> None:
        self.n += 1
        self.console.print(f"\n[bold]{self.n}. {title}[/]")
