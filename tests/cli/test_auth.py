"""``pinkit auth``: login (paste-back and loopback), status, token, logout, and secrets."""

from __future__ import annotations

import json
import signal
import socket
import stat
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import httpx2
import pytest

from pinkit._tokens import TokenSet
from pinkit.auth import OAuthApp
from pinkit.cli._config import AppCredentials, ProfileTokenStore
from pinkit.cli._login import LoginError, LoopbackListener
from pinkit.emulator import Emulator

from .conftest import CLI, app_env, free_port, no_traceback, one_line, token_file


def login_no_browser(cli: CLI, emulator: Emulator, app: OAuthApp) -> tuple[int, str]:
    """Run ``auth login --no-browser``; approve the printed URL headlessly; paste it back."""
    proc = cli.popen(
        "auth", "login", "--no-browser", "--redirect-uri", app.redirect_uri,
        env=app_env(app, emulator),
    )  # fmt: skip
    assert proc.stderr is not None
    assert proc.stdin is not None
    url = ""
    while not url:
        line = proc.stderr.readline()
        assert line, "pinkit exited before printing the URL"
        if line.startswith("http"):
            url = line.strip()
    assert url.startswith(emulator.authorize_url)
    proc.stdin.write(emulator.authorize(url) + "\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out + err


def test_login_no_browser_then_status_token_logout(cli: CLI, emulator: Emulator) -> None:
    app = emulator.register_app(f"http://127.0.0.1:{free_port()}/callback")
    secret = app._client_secret
    code, output = login_no_browser(cli, emulator, app)
    assert code == 0, output
    assert "Logged in" in output
    assert "emulator_user" in output
    assert secret not in output

    path = token_file(cli)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved["app"]["client_id"] == app.client_id
    assert saved["app"]["client_secret"] == secret  # only in this 0600 file
    access, refresh = saved["access_token"], saved["refresh_token"]
    assert access not in output
    assert refresh not in output
    config = (cli.config_dir / "config.toml").read_text()
    assert app.client_id in config
    assert secret not in config

    # No env any more: everything comes from the profile's files.
    status = cli("auth", "status")
    assert status.code == 0, status.err
    info = json.loads(status.out)
    assert info["user"] == "emulator_user"
    assert info["refresh_token"] is True
    assert info["base_url"] == emulator.base_url
    for secret_text in (access, refresh, secret):
        assert secret_text not in status.all

    table = cli("auth", "status", "--format", "table")
    assert "emulator_user" in table.out
    assert access not in table.all

    printed = cli("auth", "token")
    assert printed.code == 0
    assert printed.out.strip() == access

    assert cli("api", "GET", "/user_account").code == 0

    logout = cli("auth", "logout")
    assert logout.code == 0
    assert not path.exists()
    after = cli("auth", "status")
    assert after.code == 4
    assert "not logged in" in after.err


BROWSER_SCRIPT = """\
#!{python}
# A stand-in browser: open the consent page, press Approve, follow the redirect.
import re, sys, urllib.parse, urllib.request
url = sys.argv[1]
page = urllib.request.urlopen(url).read().decode()
fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
fields = {{k: v.replace("&amp;", "&") for k, v in fields.items()}}
fields["decision"] = "approve"
origin = "/".join(url.split("/")[:3])
body = urllib.parse.urlencode(fields).encode()
with urllib.request.urlopen(origin + "/oauth/", data=body) as answer:  # follows the 302
    open({log!r}, "w").write(str(answer.status))
"""


def write_browser(tmp_path: Path) -> tuple[Path, Path]:
    script, log = tmp_path / "fake-browser", tmp_path / "browser.log"
    script.write_text(BROWSER_SCRIPT.format(python=sys.executable, log=str(log)))
    script.chmod(0o755)
    return script, log


def test_login_with_loopback_listener_and_browser(
    cli: CLI, emulator: Emulator, tmp_path: Path
) -> None:
    port = free_port()
    app = emulator.register_app(f"http://127.0.0.1:{port}/callback")
    browser, log = write_browser(tmp_path)
    env = {**app_env(app, emulator), "BROWSER": str(browser)}
    result = cli.sub(
        "auth", "login", "--redirect-uri", app.redirect_uri, "--timeout", "20",
        "--scopes", "user_accounts:read,boards:read", env=env,
    )  # fmt: skip
    assert result.code == 0, result.all
    assert "emulator_user" in result.err
    assert log.read_text() == "200"  # the listener answered the browser
    saved = json.loads(token_file(cli).read_text())
    assert set(saved["scopes"]) == {"user_accounts:read", "boards:read"}
    assert saved["access_token"] not in result.all
    assert app._client_secret not in result.all


def test_pasted_redirect_with_wrong_state_is_rejected(cli: CLI) -> None:
    result = cli(
        "auth", "login", "--no-browser", "--client-id", "1234", "--client-secret", "s3cr3t",
        "--base-url", "http://127.0.0.1:9/v5",
        input="http://localhost:8085/?code=abc&state=not-the-state\n",
    )  # fmt: skip
    assert result.code == 1
    assert "state mismatch" in result.err
    assert one_line(result.err.split("Redirect URL: ")[-1])
    assert no_traceback(result.err)
    assert "s3cr3t" not in result.all
    assert not token_file(cli).exists()


def test_pasted_garbage_is_bad_input(cli: CLI) -> None:
    result = cli(
        "auth", "login", "--no-browser", "--client-id", "1", "--client-secret", "s",
        "--base-url", "http://127.0.0.1:9/v5", input="hello\n",
    )  # fmt: skip
    assert result.code == 2
    assert "redirect URL" in result.err


def test_missing_client_id_without_a_tty_exits_2(cli: CLI) -> None:
    result = cli("auth", "login", "--no-browser", input="")
    assert result.code == 2
    assert "PINTEREST_CLIENT_ID" in result.err
    assert one_line(result.err)


def test_unknown_scope_exits_2(cli: CLI) -> None:
    result = cli(
        "auth", "login", "--client-id", "1", "--client-secret", "s", "--scopes", "pins:eat"
    )
    assert result.code == 2
    assert "pins:eat" in result.err


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_listener_checks_state_and_is_one_shot() -> None:
    port = free_port()
    with LoopbackListener(port, "/cb", "good-state") as listener:
        assert _get(f"http://127.0.0.1:{port}/favicon.ico") == 404  # not the callback
        assert _get(f"http://127.0.0.1:{port}/cb?code=c1&state=bad") == 400
        with pytest.raises(LoginError, match="state mismatch"):
            listener.wait(5)
        # done: a second callback gets nothing
        with pytest.raises(OSError):  # noqa: PT011 - refused or timed out, either is fine
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}/cb?code=c2&state=good-state", timeout=0.3
            )

    port = free_port()
    with LoopbackListener(port, "/", "s") as listener:
        assert _get(f"http://127.0.0.1:{port}/?code=the-code&state=s") == 200
        assert listener.wait(5) == "the-code"

    port = free_port()
    with LoopbackListener(port, "/", "s") as listener:
        assert _get(f"http://127.0.0.1:{port}/?error=access_denied&state=s") == 400
        with pytest.raises(LoginError, match="access_denied"):
            listener.wait(5)

    with LoopbackListener(free_port(), "/", "s") as listener, pytest.raises(LoginError):
        listener.wait(0.3)  # timeout


def test_an_idle_connection_does_not_hold_up_the_redirect() -> None:
    """Browsers open spare connections (Chromium preconnects) and may leave them silent: the
    redirect on another connection is still answered at once."""
    with LoopbackListener(0, "/cb", "s") as listener:
        with socket.create_connection(("127.0.0.1", listener.port)):
            assert _get(f"http://127.0.0.1:{listener.port}/cb?code=c&state=s") == 200
            assert listener.wait(5) == "c"


def test_listener_binds_loopback_only() -> None:
    with LoopbackListener(0, "/", "s") as listener:
        assert listener._server.server_address[0] == "127.0.0.1"


def test_ctrl_c_while_waiting_exits_130_quietly(cli: CLI, tmp_path: Path) -> None:
    env = {
        "BROWSER": "true",
        "PINTEREST_CLIENT_ID": "1",
        "PINTEREST_CLIENT_SECRET": "s",
        "PINTEREST_API_URI": "http://127.0.0.1:9/v5",
    }
    proc = cli.popen("auth", "login", "--port", str(free_port()), env=env)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "waiting for the redirect" in line, line
    time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert no_traceback(err)


def test_emulator_login_status_and_token(cli: CLI) -> None:
    login = cli("--emulator", "auth", "login", "--scopes", "user_accounts:read")
    assert login.code == 0, login.err
    assert "emulator_user" in login.err
    status = cli("auth", "status", "--emulator")
    info = json.loads(status.out)
    assert info["scopes"] == "user_accounts:read"
    token = cli("--emulator", "auth", "token").out.strip()
    assert token
    assert token not in status.all
    path = cli.data_dir / "emulator-tokens" / "default.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_env_token_wins_and_status_masks_it(
    cli: CLI, emulator: Emulator, token_env: dict[str, str]
) -> None:
    status = cli("auth", "status", env=token_env)
    assert status.code == 0, status.err
    info = json.loads(status.out)
    assert info["token_source"] == "PINTEREST_ACCESS_TOKEN"
    assert token_env["PINTEREST_ACCESS_TOKEN"] not in status.all
    assert info["access_token"].startswith("pina_…")
    assert cli("auth", "token", env=token_env).out.strip() == token_env["PINTEREST_ACCESS_TOKEN"]


def test_an_env_refresh_token_that_rotates_is_saved_not_lost(
    cli: CLI, emulator: Emulator, tmp_path: Path
) -> None:
    """Refreshing with PINTEREST_REFRESH_TOKEN kills that token: the rotated one is saved to
    the profile, so the next run (without the environment's tokens) still works."""
    token = emulator.issue_token()
    app = emulator.default_app
    assert token.refresh_token
    env = {
        "PINTEREST_REFRESH_TOKEN": token.refresh_token,
        "PINTEREST_CLIENT_ID": app.client_id,
        "PINTEREST_CLIENT_SECRET": emulator.app_secret(app.client_id),
    }
    first = cli("--base-url", emulator.base_url, "api", "GET", "/user_account", env=env)
    assert first.code == 0, first.err
    assert "refresh token in the environment no longer works" in first.err
    assert token.refresh_token not in first.err + first.out
    later = cli("--base-url", emulator.base_url, "api", "GET", "/user_account")
    assert later.code == 0, later.err


# -- a login that is no longer valid: exit 4 ----------------------------------------------------


def save_login(cli: CLI, emulator: Emulator, token: TokenSet) -> None:
    """A saved login for the default profile, as `auth login` leaves it."""
    app = emulator.default_app
    store = ProfileTokenStore(token_file(cli))
    credentials = AppCredentials(
        app.client_id, emulator.app_secret(app.client_id), app.redirect_uri, emulator.base_url
    )
    store.save_with_app(token, credentials)


def test_an_expired_refresh_token_exits_4(cli: CLI, emulator: Emulator) -> None:
    save_login(cli, emulator, emulator.issue_token())
    assert cli("boards", "list").code == 0
    emulator.clock.advance(61 * 86400)  # past both the access and the refresh token's expiry
    result = cli("boards", "list")
    assert result.code == 4, result.err
    assert one_line(result.err)
    assert "Refresh token expired" in result.err
    assert result.err.rstrip().endswith("the login is no longer valid: run `pinkit auth login`")
    assert no_traceback(result.err)


def test_status_of_a_dead_login_shows_what_it_knows_and_exits_4(
    cli: CLI, emulator: Emulator
) -> None:
    token = emulator.issue_token()
    save_login(cli, emulator, token)
    emulator.clock.advance(61 * 86400)  # past both the access and the refresh token's expiry
    result = cli("auth", "status")
    assert result.code == 4, result.err
    assert "Refresh token expired" in result.out  # the user line says why
    assert result.err.strip() == "error: the login is no longer valid: run `pinkit auth login`"
    assert token.access_token not in result.all and str(token.refresh_token) not in result.all


def test_a_revoked_refresh_token_exits_4(cli: CLI, emulator: Emulator) -> None:
    token = emulator.issue_token()
    assert token.refresh_token
    app = emulator.default_app
    revoked = httpx2.post(
        f"{emulator.base_url}/oauth/token/revoke",
        data={"token": token.refresh_token},
        auth=(app.client_id, emulator.app_secret(app.client_id)),
    )
    assert revoked.status_code == 200
    save_login(cli, emulator, replace(token, expires_at=time.time() - 1))  # refreshes first
    result = cli("api", "GET", "/user_account")
    assert result.code == 4, result.err
    assert "Invalid refresh token" in result.err
    assert "run `pinkit auth login`" in result.err
    assert token.refresh_token not in result.all
    assert cli("auth", "token").code == 4  # refreshes too


def test_a_refused_code_exchange_is_a_failed_login_not_exit_4(cli: CLI, emulator: Emulator) -> None:
    """`auth login` whose code the token endpoint refuses: the login failed (exit 1)."""
    app = emulator.register_app(f"http://127.0.0.1:{free_port()}/callback")
    proc = cli.popen(
        "auth", "login", "--no-browser", "--redirect-uri", app.redirect_uri,
        env=app_env(app, emulator),
    )  # fmt: skip
    assert proc.stderr is not None and proc.stdin is not None
    url = ""
    while not url:
        line = proc.stderr.readline()
        assert line, "pinkit exited before printing the URL"
        url = line.strip() if line.startswith("http") else ""
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["state"][0]
    proc.stdin.write(f"{app.redirect_uri}?code=not-a-code&state={state}\n")
    proc.stdin.flush()
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err
    assert "Invalid authorization code" in err
    assert not token_file(cli).exists()
