"""OAuth flows, rotation, automatic refresh and single-flight refresh against the emulator."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import anyio
import pytest

import pinkit
from pinkit.emulator import Emulator

REDIRECT = "http://127.0.0.1:8085/callback"
DAY = 86_400


def _login(
    emulator: Emulator, scopes: list[str] | None = None
) -> tuple[pinkit.OAuthApp, pinkit.TokenSet]:
    app = emulator.register_app(REDIRECT)
    url, state = app.authorization_url(scopes or ["user_accounts:read", "pins:read"])
    query = parse_qs(urlsplit(emulator.authorize(url)).query)
    assert query["state"] == [state]
    return app, app.exchange_code(query["code"][0])


def _token_requests(emulator: Emulator) -> list[object]:
    return [r for r in emulator.requests if r.operation_id == "oauth/token"]


def test_code_flow_gives_refreshable_tokens(pinkit_emulator: Emulator) -> None:
    _app, token = _login(pinkit_emulator)
    assert token.access_token.startswith("pina")
    assert token.refresh_token
    assert token.expires_at
    assert token.expires_at > time.time() + 29 * DAY
    assert set(token.scopes) == {"user_accounts:read", "pins:read"}
    request = _token_requests(pinkit_emulator)[0]
    body = parse_qs(request.body.decode())  # type: ignore[attr-defined]
    assert body["continuous_refresh"] == ["true"]
    assert request.headers["authorization"].startswith("Basic ")  # type: ignore[attr-defined]


def test_code_is_single_use(pinkit_emulator: Emulator) -> None:
    app = pinkit_emulator.register_app(REDIRECT)
    url, _ = app.authorization_url(["user_accounts:read"])
    code = parse_qs(urlsplit(pinkit_emulator.authorize(url)).query)["code"][0]
    app.exchange_code(code)
    with pytest.raises(pinkit.OAuthError) as exc:
        app.exchange_code(code)
    assert exc.value.status_code == 400


def test_the_token_endpoint_follows_pinterest_api_uri(
    pinkit_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for Client: an app made without api_base_url talks to PINTEREST_API_URI."""
    registered = pinkit_emulator.register_app(REDIRECT)
    secret = pinkit_emulator.app_secret(registered.client_id)
    monkeypatch.delenv("PINTEREST_API_URI", raising=False)
    assert (
        pinkit.OAuthApp("1", "s", REDIRECT).token_url == "https://api.pinterest.com/v5/oauth/token"
    )
    monkeypatch.setenv("PINTEREST_API_URI", pinkit_emulator.base_url + "/")
    app = pinkit.OAuthApp(registered.client_id, secret, REDIRECT)
    assert app.token_url == f"{pinkit_emulator.base_url}/oauth/token"
    query = parse_qs(
        urlsplit(pinkit_emulator.authorize(app.authorization_url(["pins:read"])[0])).query
    )
    assert app.exchange_code(query["code"][0]).scopes == ("pins:read",)
    explicit = pinkit.OAuthApp(
        "1", "s", REDIRECT, api_base_url="https://api-sandbox.pinterest.com/v5"
    )
    assert explicit.api_base_url == "https://api-sandbox.pinterest.com/v5"


def test_bad_client_secret(pinkit_emulator: Emulator) -> None:
    app = pinkit_emulator.register_app(REDIRECT)
    wrong = pinkit.OAuthApp(app.client_id, "wrong-secret", REDIRECT, api_base_url=app.api_base_url)
    with pytest.raises(pinkit.OAuthError) as exc:
        wrong.client_credentials(["user_accounts:read"])
    assert exc.value.status_code == 401
    assert "wrong-secret" not in str(exc.value)


def test_refresh_rotates_and_old_refresh_token_dies(pinkit_emulator: Emulator) -> None:
    app, token = _login(pinkit_emulator)
    assert token.refresh_token
    new = app.refresh(token.refresh_token)
    assert new.refresh_token
    assert new.refresh_token != token.refresh_token
    assert new.refresh_token_expires_at
    with pytest.raises(pinkit.OAuthError):
        app.refresh(token.refresh_token)


def test_client_credentials(pinkit_emulator: Emulator) -> None:
    app = pinkit_emulator.register_app(REDIRECT)
    token = app.client_credentials(["user_accounts:read"])
    assert token.refresh_token is None
    with pinkit.Client(token.access_token, base_url=pinkit_emulator.base_url) as client:
        assert client.user_account.get().username


def test_expired_token_is_refreshed_once_on_401_and_saved(
    pinkit_emulator: Emulator, tmp_path: Path
) -> None:
    app, token = _login(pinkit_emulator)
    store = pinkit.FileTokenStore(tmp_path / "tokens.json")
    store.save(token)
    seen: list[pinkit.TokenSet] = []
    with pinkit.Client(
        base_url=pinkit_emulator.base_url,
        oauth_app=app,
        token_store=store,
        on_token_refresh=seen.append,
    ) as client:
        client.user_account.get()
        pinkit_emulator.clock.advance(31 * DAY)  # the emulator now sees the token as expired
        client.user_account.get()
    statuses = [r.status for r in pinkit_emulator.requests if r.operation_id == "user_account/get"]
    assert statuses == [200, 401, 200]
    saved = store.load()
    assert saved is not None
    assert len(seen) == 1
    assert saved == seen[0]
    assert saved.refresh_token != token.refresh_token


def test_token_near_expiry_is_refreshed_before_the_request(pinkit_emulator: Emulator) -> None:
    app, token = _login(pinkit_emulator)
    stale = pinkit.TokenSet(token.access_token, token.refresh_token, expires_at=time.time() + 10)
    store = pinkit.MemoryTokenStore(stale)
    with pinkit.Client(
        base_url=pinkit_emulator.base_url, oauth_app=app, token_store=store
    ) as client:
        client.user_account.get()
    assert [r.status for r in pinkit_emulator.requests if r.operation_id == "user_account/get"] == [
        200
    ]
    assert len(_token_requests(pinkit_emulator)) == 2  # the code exchange and one refresh


def test_unrefreshable_401_raises(pinkit_emulator: Emulator) -> None:
    token = pinkit_emulator.issue_token(expires_in=60)
    pinkit_emulator.clock.advance(120)
    with pinkit.Client(token.access_token, base_url=pinkit_emulator.base_url) as client:
        with pytest.raises(pinkit.AuthenticationError):
            client.user_account.get()


def test_revoked_refresh_token_is_an_oauth_error(pinkit_emulator: Emulator) -> None:
    app, token = _login(pinkit_emulator)
    assert token.refresh_token
    app.refresh(token.refresh_token)  # rotates: the stored refresh token is now dead
    pinkit_emulator.clock.advance(31 * DAY)
    store = pinkit.MemoryTokenStore(token)
    with (
        pinkit.Client(
            base_url=pinkit_emulator.base_url, oauth_app=app, token_store=store
        ) as client,
        pytest.raises(pinkit.OAuthError),
    ):
        client.user_account.get()


def _expired(emulator: Emulator) -> tuple[pinkit.OAuthApp, pinkit.MemoryTokenStore]:
    app, token = _login(emulator)
    emulator.clock.advance(31 * DAY)
    return app, pinkit.MemoryTokenStore(token)


def test_single_flight_refresh_across_threads(pinkit_emulator: Emulator) -> None:
    app, store = _expired(pinkit_emulator)
    before = len(_token_requests(pinkit_emulator))
    errors: list[BaseException] = []
    with pinkit.Client(
        base_url=pinkit_emulator.base_url, oauth_app=app, token_store=store
    ) as client:
        barrier = threading.Barrier(16)

        def call() -> None:
            barrier.wait()
            try:
                client.user_account.get()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=call) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert len(_token_requests(pinkit_emulator)) - before == 1


@pytest.mark.anyio
async def test_single_flight_refresh_across_tasks(pinkit_emulator: Emulator) -> None:
    app, store = _expired(pinkit_emulator)
    before = len(_token_requests(pinkit_emulator))
    async with (
        pinkit.AsyncClient(
            base_url=pinkit_emulator.base_url, oauth_app=app, token_store=store
        ) as client,
        anyio.create_task_group() as tg,
    ):
        for _ in range(16):
            tg.start_soon(client.user_account.get)
    assert len(_token_requests(pinkit_emulator)) - before == 1


@pytest.mark.anyio
async def test_async_oauth_app(pinkit_emulator: Emulator) -> None:
    app = pinkit_emulator.register_app(REDIRECT)
    url, _ = app.authorization_url(["user_accounts:read"])
    code = parse_qs(urlsplit(pinkit_emulator.authorize(url)).query)["code"][0]
    token = await app.aexchange_code(code)
    assert token.refresh_token
    assert (await app.arefresh(token.refresh_token)).access_token != token.access_token


def test_secrets_never_reach_logs_errors_or_reprs(
    pinkit_emulator: Emulator, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, token = _login(pinkit_emulator)
    secrets = {token.access_token, token.refresh_token, app._client_secret}
    texts: list[str] = []
    store = pinkit.MemoryTokenStore(token)
    with caplog.at_level(logging.DEBUG, logger="pinkit"):
        with pinkit.Client(
            base_url=pinkit_emulator.base_url, oauth_app=app, token_store=store
        ) as client:
            pinkit_emulator.clock.advance(31 * DAY)
            client.user_account.get()  # 401, refresh, retry
            new = client.token
            assert new is not None
            secrets |= {new.access_token, new.refresh_token}
            pinkit_emulator.inject_fault(401, operation="user_account/get", count=5)
            with pytest.raises(pinkit.PinterestError) as exc:
                client.user_account.get()
            texts += [str(exc.value), repr(exc.value), repr(exc.value.body), str(exc.value.headers)]
            texts += [repr(client), repr(client.token), repr(app), repr(store)]
        with pytest.raises(pinkit.OAuthError) as oauth_exc:
            app.refresh(token.refresh_token or "")
        texts.append(str(oauth_exc.value))
    texts.append(caplog.text)
    assert "request GET" in caplog.text  # debug logging really ran
    for secret in filter(None, secrets):
        for text in texts:
            assert secret not in text


def test_fresh_token_refreshes_an_expiring_token_and_saves_it(pinkit_emulator: Emulator) -> None:
    app, token = _login(pinkit_emulator)
    store = pinkit.MemoryTokenStore(
        pinkit.TokenSet(token.access_token, token.refresh_token, expires_at=time.time() + 10)
    )
    with pinkit.Client(base_url=pinkit_emulator.base_url, oauth_app=app, token_store=store) as c:
        fresh = c.fresh_token()
        assert fresh.access_token != token.access_token
        assert store.load() == fresh
        assert c.fresh_token() == fresh  # still fresh: no second refresh
    assert len(_token_requests(pinkit_emulator)) == 2  # the code exchange and one refresh
