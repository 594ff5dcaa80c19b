"""``pinkit auth login`` end to end in Chromium: the consent page, Approve or Deny, the
emulator's redirect to the CLI's loopback listener, and what the CLI and the browser show."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit

from pinkit.emulator import Emulator
from tests.browser.conftest import Login
from tests.cli.conftest import CLI, app_env, free_port, no_traceback, token_file

if TYPE_CHECKING:  # the ``page`` fixture skips, saying why, when playwright is missing
    from playwright.sync_api import Page, Response


def answer(page: Page, button: str, redirect_uri: str) -> Response:
    """Press ``button`` on the consent page; the listener's answer the browser was redirected
    to, checked to come from the listener on 127.0.0.1 after the emulator's 302."""
    with page.expect_navigation(url=lambda url: url.startswith(redirect_uri)) as navigation:
        page.click(button)
    response = navigation.value
    assert response is not None
    assert response.headers["server"] == "pinkit"  # the CLI's listener, nobody else
    assert response.server_addr() == {"ipAddress": "127.0.0.1", "port": urlsplit(redirect_uri).port}
    posted = response.request.redirected_from
    assert posted is not None and posted.method == "POST"  # the consent form
    consent = posted.response()
    assert consent is not None and consent.status == 302
    return response


def no_token_exchanged(emulator: Emulator) -> bool:
    return not any(r.operation_id == "oauth/token" for r in emulator.requests)


def test_approve_logs_in_and_status_shows_it(
    cli: CLI, emulator: Emulator, page: Page, login: Callable[..., Login]
) -> None:
    """The default app and redirect URI (http://localhost:PORT/), as a user logs in."""
    app, port = emulator.default_app, free_port()
    run = login(
        "--port",
        str(port),
        "--scopes",
        "user_accounts:read,boards:read",
        env=app_env(app, emulator),
    )
    url = run.consent_url()
    assert url.startswith(emulator.authorize_url)

    page.goto(url)
    assert page.inner_text("#app-name") == "pinkit emulator default app"
    assert page.inner_text("#username") == "emulator_user"
    assert page.inner_text("#scopes").split() == ["user_accounts:read", "boards:read"]
    response = answer(page, "#approve", f"http://localhost:{port}/")
    assert response.status == 200
    assert page.inner_text("h1") == "Logged in"
    assert page.inner_text("p") == "pinkit received the authorization. You can close this window."

    result = run.finish()
    assert result.code == 0, result.all
    assert "Logged in to" in result.err
    assert "as emulator_user" in result.err
    path = token_file(cli)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    saved = json.loads(path.read_text())
    assert set(saved["scopes"]) == {"user_accounts:read", "boards:read"}
    assert not no_token_exchanged(emulator)
    for secret in (saved["access_token"], saved["refresh_token"], app._client_secret):
        assert secret not in result.all

    status = cli("auth", "status")
    assert status.code == 0, status.err
    info = json.loads(status.out)
    assert info["user"] == "emulator_user"
    assert info["base_url"] == emulator.base_url
    assert info["client_id"] == app.client_id
    assert info["refresh_token"] is True
    assert saved["access_token"] not in status.all


def test_deny_is_one_clear_error(
    cli: CLI, emulator: Emulator, page: Page, login: Callable[..., Login]
) -> None:
    """An app of its own with a 127.0.0.1 redirect URI and a path."""
    app = emulator.register_app(f"http://127.0.0.1:{free_port()}/callback")
    run = login("--redirect-uri", app.redirect_uri, env=app_env(app, emulator))
    page.goto(run.consent_url())
    response = answer(page, "#deny", app.redirect_uri)
    assert response.status == 400
    assert page.inner_text("h1") == "Login failed"
    assert page.inner_text("p") == (
        "access was denied on the consent page (access_denied). "
        "You can close this window and run pinkit auth login again."
    )

    result = run.finish()
    assert result.code == 1
    assert result.out == ""
    assert result.err.splitlines() == [
        f"Opening the browser; waiting for the redirect on {app.redirect_uri}",
        "error: access was denied on the consent page (access_denied)",
    ]
    assert no_traceback(result.err)
    assert not token_file(cli).exists()
    assert no_token_exchanged(emulator)


def test_a_forged_state_is_refused(
    cli: CLI, emulator: Emulator, page: Page, login: Callable[..., Login]
) -> None:
    """A consent URL whose ``state`` is not the one this login made (a redirect from someone
    else's authorization): approved in the browser, refused by the listener, never exchanged."""
    app = emulator.register_app(f"http://127.0.0.1:{free_port()}/callback")
    run = login("--redirect-uri", app.redirect_uri, env=app_env(app, emulator))
    parts = urlsplit(run.consent_url())
    query = dict(parse_qsl(parts.query))
    query["state"] = "forged-" + query["state"]
    page.goto(parts._replace(query=urlencode(query)).geturl())
    response = answer(page, "#approve", app.redirect_uri)
    assert "code=" in response.url  # the emulator did grant a code...
    assert response.status == 400  # ...that the listener refused
    assert page.inner_text("h1") == "Login failed"
    assert "state mismatch" in page.inner_text("body")

    result = run.finish()
    assert result.code == 1
    assert result.err.splitlines()[-1] == (
        "error: state mismatch: this redirect does not belong to this login"
    )
    assert len(result.err.splitlines()) == 2
    assert no_traceback(result.err)
    assert not token_file(cli).exists()
    assert no_token_exchanged(emulator)
