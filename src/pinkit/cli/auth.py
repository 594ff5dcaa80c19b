"""``pinkit auth``: log in (browser + loopback redirect, or paste-back), status, token, logout.

Tokens live in the profile's token file (``<config dir>/tokens/<profile>.json``, mode 0600)
together with the app credentials a refresh needs. ``auth token`` is the only command that
prints a secret, because that is what it is asked for.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import webbrowser
from typing import Any
from urllib.parse import urlsplit

import click

from .._redact import mask
from .._tokens import SCOPES, TokenSet
from ..errors import PinterestError
from ._config import AppCredentials, save_profile_values
from ._exits import login_hint, login_invalid
from ._login import LoopbackListener, parse_redirect, split_loopback_redirect
from ._options import global_options
from ._session import NotLoggedIn, Session, session

__all__ = ["DEFAULT_SCOPES", "auth"]

DEFAULT_SCOPES = (
    "boards:read",
    "boards:write",
    "pins:read",
    "pins:write",
    "user_accounts:read",
)
DEFAULT_PORT = 8085
PINTEREST_HOSTS = ("pinterest.com",)


def _isatty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _parse_scopes(value: str | None) -> list[str]:
    if value is None:
        return list(DEFAULT_SCOPES)
    if value.strip().lower() == "all":
        return list(SCOPES)
    scopes = [s for s in value.replace(" ", ",").split(",") if s]
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes or unknown:
        raise click.BadParameter(
            f"unknown scope(s): {', '.join(unknown) or '(none given)'}; "
            f"known: {', '.join(SCOPES)} (or 'all')",
            param_hint="'--scopes'",
        )
    return scopes


def _authorize_url(base_url: str) -> str | None:
    """Pinterest's consent page for Pinterest hosts; ``<origin>/oauth/`` for anything else
    (the emulator, or a proxy that mirrors it)."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if any(host == h or host.endswith("." + h) for h in PINTEREST_HOSTS):
        return None  # OAuthApp's default
    return f"{parts.scheme}://{parts.netloc}/oauth/"


def _when(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    moment = dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc)
    left = epoch - time.time()
    if left < 0:
        relative = "expired"
    elif left < 3600:
        relative = f"in {int(left // 60)} min"
    elif left < 2 * 86400:
        relative = f"in {left / 3600:.0f} h"
    else:
        relative = f"in {left / 86400:.0f} days"
    return f"{moment.isoformat(timespec='seconds')} ({relative})"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@global_options()
def auth() -> None:
    """Log in to Pinterest and manage the saved tokens."""


# -- login ---------------------------------------------------------------------------------------


def _credential(
    given: str | None, fallback: str | None, prompt: str, option: str, env: str, hide: bool
) -> str:
    value = given or fallback
    if value:
        return value
    if _isatty():
        answer: str = click.prompt(prompt, hide_input=hide, err=True)
        if answer.strip():
            return answer.strip()
    raise click.UsageError(f"no {prompt.lower()}: pass {option} or set {env}")


@auth.command()
@click.option("--client-id", metavar="ID", help="App id (default: $PINTEREST_CLIENT_ID, profile).")
@click.option(
    "--client-secret",
    metavar="SECRET",
    help="App secret (default: $PINTEREST_CLIENT_SECRET, saved login; else a hidden prompt).",
)
@click.option(
    "--scopes",
    metavar="LIST",
    help=f"Comma-separated scopes, or 'all' (default: {','.join(DEFAULT_SCOPES)}).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Loopback port for the redirect (default redirect URI: http://localhost:PORT/).",
)
@click.option("--redirect-uri", metavar="URI", help="Redirect URI registered for the app.")
@click.option("--authorize-url", metavar="URL", hidden=True, help="Consent page URL.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Seconds to wait for the browser.",
)
@click.option(
    "--no-browser",
    is_flag=True,
    help="Print the URL and read the redirect URL you paste on stdin instead.",
)
@global_options()
@click.pass_context
def login(
    ctx: click.Context,
    client_id: str | None,
    client_secret: str | None,
    scopes: str | None,
    port: int,
    redirect_uri: str | None,
    authorize_url: str | None,
    timeout: float,
    no_browser: bool,
) -> None:
    """Log in with OAuth (authorization code) and save the tokens for the profile.

    Opens the consent page in a browser ($BROWSER is honoured) and catches the redirect on
    127.0.0.1. With --no-browser, open the printed URL anywhere and paste back the URL
    you were redirected to.
    """
    run = session(ctx)
    out, profile = run.output, run.profile
    wanted = _parse_scopes(scopes or profile.scopes)
    if run.using_emulator:
        _emulator_login(run, wanted)
        return

    store = run.token_store()
    saved = store.app
    client_id = _credential(
        client_id,
        profile.client_id or (saved.client_id if saved else None),
        "Client ID",
        "--client-id",
        "PINTEREST_CLIENT_ID",
        hide=False,
    )
    saved_secret = saved.client_secret if saved and saved.client_id == client_id else None
    secret = _credential(
        client_secret,
        profile.client_secret or saved_secret,
        "Client secret",
        "--client-secret",
        "PINTEREST_CLIENT_SECRET",
        hide=True,
    )
    from ..auth import OAuthApp

    base_url = run.base_url()
    redirect = redirect_uri or profile.redirect_uri or f"http://localhost:{port}/"
    app = OAuthApp(
        client_id,
        secret,
        redirect,
        api_base_url=base_url,
        authorize_url=authorize_url or _authorize_url(base_url),
    )
    if no_browser:
        url, state = app.authorization_url(wanted)
        out.err_console.print("Open this URL in a browser, approve, then paste the URL you are")
        out.err_console.print("redirected to (it may show a connection error; that is fine):")
        click.echo(url, err=True)
        click.echo("Redirect URL: ", err=True, nl=False)
        line = sys.stdin.readline()
        code = parse_redirect(line, state)
    else:
        _host, listen_port, path = split_loopback_redirect(redirect)
        url, state = app.authorization_url(wanted)
        with LoopbackListener(listen_port, path, state) as listener:
            out.info(f"Opening the browser; waiting for the redirect on {redirect}")
            opened = False
            try:
                opened = webbrowser.open(url)
            except webbrowser.Error:
                opened = False
            if not opened:
                out.err_console.print("Could not open a browser; open this URL yourself:")
                click.echo(url, err=True)
            code = listener.wait(timeout)

    token = app.exchange_code(code)
    credentials = AppCredentials(client_id, secret, redirect, base_url)
    store.save_with_app(token, credentials)
    remembered: dict[str, Any] = {"client_id": client_id}
    if run.settings.base_url:
        remembered["base_url"] = base_url
    if redirect_uri:
        remembered["redirect_uri"] = redirect_uri
    save_profile_values(profile.name, remembered, run.settings.env)
    who = _username(run)
    out.info(f"Logged in to {base_url} as {who} (profile {profile.name}).")
    if profile.env_token:
        out.info("note: PINTEREST_ACCESS_TOKEN is set and is used instead of the saved login.")


def _emulator_login(run: Session, scopes: list[str]) -> None:
    """With --emulator the emulator is its own authorization server: issue and save."""
    token = run.emulator.issue_token(scopes)
    run.token_store().save(token)
    run.output.info(
        f"Logged in to the local emulator as {_username(run)} (profile {run.profile.name})."
    )


def _username(run: Session) -> str:
    try:
        account = run.client().user_account.get()
    except PinterestError as exc:
        run.output.info(f"warning: could not read the user account: {exc}")
        return "(unknown user)"
    return str(account.username or "(no username)")


# -- status / token / logout ---------------------------------------------------------------------


def _current(run: Session) -> tuple[TokenSet | None, str]:
    """The token the next command would use, and where it comes from."""
    profile = run.profile
    if run.using_emulator:
        store = run.token_store()
        return run.emulator_token(store), f"emulator ({store.path})"
    if profile.env_token:
        return TokenSet(profile.env_token), "PINTEREST_ACCESS_TOKEN"
    store = run.token_store()
    return store.load(), str(store.path)


@auth.command()
@global_options()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Show who is logged in, with which scopes, until when (never a secret)."""
    run = session(ctx)
    token, source = _current(run)
    if token is None:
        raise NotLoggedIn(run.profile.name)
    store = None if run.profile.env_token and not run.using_emulator else run.token_store()
    base_url = run.base_url(store)
    user: str | None
    failed: PinterestError | None = None
    try:
        user = run.client().user_account.get().username
    except PinterestError as exc:
        user, failed = f"(error: {exc})", exc
    token = _current(run)[0] or token  # the request may have refreshed it
    app = store.app if store is not None else None
    info: dict[str, Any] = {
        "profile": run.profile.name,
        "base_url": base_url,
        "user": user,
        "token_source": source,
        "access_token": mask(token.access_token),
        "expires": _when(token.expires_at),
        "scopes": ",".join(token.scopes) if token.scopes else None,
        "refresh_token": bool(token.refresh_token),
        "refresh_token_expires": _when(token.refresh_token_expires_at),
        "client_id": app.client_id if app else run.profile.client_id,
    }
    run.output.emit(info)
    if failed is not None and login_invalid(failed):  # what it knows, then exit 4 as elsewhere
        click.echo(f"error: {login_hint(run.settings)}", err=True)
        ctx.exit(4)
    if failed is not None:
        ctx.exit(1)


@auth.command()
@global_options()
@click.pass_context
def token(ctx: click.Context) -> None:
    """Print the access token (refreshed first if it is about to expire)."""
    run = session(ctx)
    if _current(run)[0] is None:
        raise NotLoggedIn(run.profile.name)
    click.echo(run.client().fresh_token().access_token)


@auth.command()
@global_options()
@click.pass_context
def logout(ctx: click.Context) -> None:
    """Forget the profile's saved tokens (and app secret)."""
    run = session(ctx)
    store = run.token_store()
    if store.path.exists():
        store.clear()
        run.output.info(f"Logged out (profile {run.profile.name}): removed {store.path}")
    else:
        run.output.info(f"Not logged in (profile {run.profile.name}); nothing to forget.")
    if run.profile.env_token and not run.using_emulator:
        run.output.info("note: PINTEREST_ACCESS_TOKEN is still set in the environment.")
