"""OAuth: consent page, code exchange, refresh rotation, client credentials, expiry."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
import pytest

from pinkit.emulator import Emulator

from .conftest import basic, bearer

REDIRECT = "http://localhost:9999/callback"


def _authorize_url(
    emu: Emulator, client_id: str, scope: str = "user_accounts:read,pins:read"
) -> str:
    query = {
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": scope,
        "state": "st8+/=",
    }
    return f"{emu.authorize_url}?{urlencode(query)}"


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class _App:
    def __init__(self, emu: Emulator, default: bool = False) -> None:
        app = emu.default_app if default else emu.register_app(REDIRECT)
        self.client_id = app.client_id
        self.client_secret = emu.app_secret(app.client_id)
        self.oauth_app = app


def _code(emu: Emulator, scope: str = "user_accounts:read,pins:read") -> tuple[str, str, str]:
    app = _App(emu)
    code = _query(emu.authorize(_authorize_url(emu, app.client_id, scope)))["code"]
    return app.client_id, app.client_secret, code


def _token(emu: Emulator, client_id: str, secret: str, **form: str) -> httpx2.Response:
    return httpx2.post(f"{emu.base_url}/oauth/token", data=form, headers=basic(client_id, secret))


def test_register_app_points_at_the_emulator(emu: Emulator) -> None:
    app = emu.register_app(REDIRECT)
    assert app.client_id.isdigit()
    assert emu.app_secret(app.client_id)
    assert emu.register_app(REDIRECT).client_id != app.client_id
    assert app.api_base_url == emu.base_url
    assert app.authorization_url(["pins:read"])[0].startswith(emu.authorize_url + "?")


def test_register_app_in_process_uses_local_urls(inproc: Emulator) -> None:
    app = inproc.register_app(REDIRECT)
    assert app.api_base_url == "http://emulator.local/v5"
    url, state = app.authorization_url(["user_accounts:read"])
    assert url.startswith("http://emulator.local/oauth/?")
    assert _query(inproc.authorize(url))["state"] == state


def test_consent_page_shows_app_scopes_and_buttons(emu: Emulator) -> None:
    app = _App(emu)
    page = httpx2.get(_authorize_url(emu, app.client_id))
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    for needle in ("Approve", "Deny", 'value="approve"', 'value="deny"', "user_accounts:read"):
        assert needle in page.text
    assert "pins:read" in page.text
    assert "Emulator app" in page.text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"client_id": "123"}, "Unknown client_id"),
        ({"redirect_uri": "http://evil/"}, "redirect_uri"),
    ],
)
def test_consent_page_errors_are_pages_not_redirects(
    emu: Emulator, change: dict[str, str], expected: str
) -> None:
    app = _App(emu)
    query = _query(_authorize_url(emu, app.client_id)) | change
    page = httpx2.get(emu.authorize_url, params=query)
    assert page.status_code == 400
    assert "location" not in page.headers
    assert expected in page.text
    with pytest.raises(ValueError, match=expected):
        emu.authorize(f"{emu.authorize_url}?{urlencode(query)}")


def test_approve_and_deny_redirect_with_state(emu: Emulator) -> None:
    app = _App(emu)
    form = _query(_authorize_url(emu, app.client_id))
    approved = httpx2.post(emu.authorize_url, data=form | {"decision": "approve"})
    assert approved.status_code == 302
    location = approved.headers["location"]
    assert location.startswith(REDIRECT + "?")
    assert _query(location)["state"] == "st8+/="
    assert _query(location)["code"]
    denied = httpx2.post(emu.authorize_url, data=form | {"decision": "deny"})
    assert denied.status_code == 302
    assert _query(denied.headers["location"]) == {"error": "access_denied", "state": "st8+/="}
    assert _query(emu.authorize(_authorize_url(emu, app.client_id), approve=False))["error"] == (
        "access_denied"
    )


def test_bad_scope_is_redirected_as_oauth_error(emu: Emulator) -> None:
    app = _App(emu)
    page = httpx2.get(_authorize_url(emu, app.client_id, scope="nope:read"))
    assert page.status_code == 302
    assert _query(page.headers["location"])["error"] == "invalid_scope"


def test_code_exchange_then_api_call(emu: Emulator) -> None:
    client_id, secret, code = _code(emu)
    response = _token(
        emu,
        client_id,
        secret,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        continuous_refresh="true",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["access_token"].startswith("pina_")
    assert body["refresh_token"].startswith("pinr_")
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 2592000
    assert body["response_type"] == "authorization_code"
    assert body["scope"].split() == ["user_accounts:read", "pins:read"]
    assert body["refresh_token_expires_in"] == 60 * 86400
    account = httpx2.get(f"{emu.base_url}/user_account", headers=bearer(body["access_token"]))
    assert account.status_code == 200
    assert account.json()["username"] == "emulator_user"


def _account_of(emu: Emulator, client_id: str, secret: str, location: str) -> str:
    body = _token(
        emu,
        client_id,
        secret,
        grant_type="authorization_code",
        code=_query(location)["code"],
        redirect_uri=REDIRECT,
    ).json()
    answer = httpx2.get(f"{emu.base_url}/user_account", headers=bearer(body["access_token"]))
    return str(answer.json()["username"])


def test_a_browser_signed_in_as_another_user_consents_as_them(emu: Emulator) -> None:
    """As on pinterest.com, the consent page acts for the user signed in to this browser:
    the app's owner until the "Not you?" form signs in as someone else (a cookie)."""
    bob = emu.create_user("bob_pins")
    app = _App(emu)
    url = _authorize_url(emu, app.client_id)
    with httpx2.Client() as browser:
        page = browser.get(url)
        assert '<strong id="username">emulator_user</strong>' in page.text
        here = "/oauth/?" + urlsplit(url).query
        signed = browser.post(
            f"{emu.origin}/oauth/signin", data={"username": "bob_pins", "next": here}
        )
        assert signed.status_code == 303 and signed.headers["location"] == here
        assert browser.cookies["pinkit_emulator_user"] == bob
        page = browser.get(url)
        assert '<strong id="username">bob_pins</strong>' in page.text
        approved = browser.post(emu.authorize_url, data=_query(url) | {"decision": "approve"})
        assert _account_of(emu, app.client_id, app.client_secret, approved.headers["location"]) == (
            "bob_pins"
        )
    # another browser is still the owner's; headless approval takes the user as an argument
    owner = httpx2.post(emu.authorize_url, data=_query(url) | {"decision": "approve"})
    assert _account_of(emu, app.client_id, app.client_secret, owner.headers["location"]) == (
        "emulator_user"
    )
    location = emu.authorize(url, user_id=bob)
    assert _account_of(emu, app.client_id, app.client_secret, location) == "bob_pins"
    with pytest.raises(ValueError, match="no user 999"):
        emu.authorize(url, user_id="999")


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"username": "nobody", "next": "/oauth/?x=1"}, "No emulator user is named nobody."),
        ({"username": "emulator_user", "next": "https://evil.example/"}, "consent page"),
    ],
)
def test_signing_in_refuses_unknown_users_and_foreign_redirects(
    emu: Emulator, form: dict[str, str], expected: str
) -> None:
    answer = httpx2.post(f"{emu.origin}/oauth/signin", data=form)
    assert answer.status_code == 400 and "location" not in answer.headers
    assert expected in answer.text
    assert "pinkit_emulator_user" not in answer.cookies


def test_code_is_one_shot_and_bound(emu: Emulator) -> None:
    client_id, secret, code = _code(emu)
    other = _App(emu)
    wrong_app = _token(
        emu, other.client_id, other.client_secret,
        grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
    )  # fmt: skip
    assert wrong_app.status_code == 400
    client_id, secret, code = _code(emu)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    assert _token(emu, client_id, secret, **form).status_code == 200
    reused = _token(emu, client_id, secret, **form)
    assert reused.status_code == 400
    assert set(reused.json()) == {"code", "message"}


def test_code_expires_on_the_emulator_clock(emu: Emulator) -> None:
    client_id, secret, code = _code(emu)
    emu.clock.advance(601)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    response = _token(emu, client_id, secret, **form)
    assert response.status_code == 400
    assert "expired" in response.json()["message"]


def test_bad_client_credentials_are_401(emu: Emulator) -> None:
    client_id, _, code = _code(emu)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    response = _token(emu, client_id, "wrong", **form)
    assert response.status_code == 401
    assert response.json() == {"code": 2, "message": "Authentication failed."}
    no_auth = httpx2.post(f"{emu.base_url}/oauth/token", data=form)
    assert no_auth.status_code == 401


def test_unsupported_grant_and_missing_fields_are_400(emu: Emulator) -> None:
    app = _App(emu)
    assert _token(emu, app.client_id, app.client_secret, grant_type="password").status_code == 400
    missing = _token(emu, app.client_id, app.client_secret, grant_type="authorization_code")
    assert missing.status_code == 400


def test_refresh_rotates_and_old_refresh_token_dies(emu: Emulator) -> None:
    tokens = emu.issue_token()
    app = _App(emu, default=True)
    first = _token(
        emu, app.client_id, app.client_secret,
        grant_type="refresh_token", refresh_token=tokens.refresh_token or "",
    )  # fmt: skip
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["response_type"] == "refresh_token"
    assert body["refresh_token"].startswith("pinr_")
    assert body["refresh_token"] != tokens.refresh_token
    assert body["refresh_token_expires_in"] == 5184000
    assert body["refresh_token_expires_at"] == pytest.approx(emu.clock.now() + 5184000, abs=5)
    again = _token(
        emu, app.client_id, app.client_secret,
        grant_type="refresh_token", refresh_token=tokens.refresh_token or "",
    )  # fmt: skip
    assert again.status_code == 400
    narrower = _token(
        emu, app.client_id, app.client_secret,
        grant_type="refresh_token", refresh_token=body["refresh_token"], scope="pins:read",
    )  # fmt: skip
    assert narrower.status_code == 200
    assert narrower.json()["scope"] == "pins:read"
    denied = httpx2.get(
        f"{emu.base_url}/user_account", headers=bearer(narrower.json()["access_token"])
    )
    assert denied.status_code == 403
    wider = _token(
        emu, app.client_id, app.client_secret,
        grant_type="refresh_token", scope="ads:read",
        refresh_token=narrower.json()["refresh_token"],
    )  # fmt: skip
    assert wider.status_code == 400


def test_refresh_token_belongs_to_its_app(emu: Emulator) -> None:
    tokens = emu.issue_token()
    other = _App(emu)
    response = _token(
        emu, other.client_id, other.client_secret,
        grant_type="refresh_token", refresh_token=tokens.refresh_token or "",
    )  # fmt: skip
    assert response.status_code == 400


def test_client_credentials(emu: Emulator) -> None:
    app = _App(emu)
    missing = _token(emu, app.client_id, app.client_secret, grant_type="client_credentials")
    assert missing.status_code == 400
    response = _token(
        emu, app.client_id, app.client_secret,
        grant_type="client_credentials", scope="user_accounts:read,pins:read",
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["access_token"].startswith("pinc_")
    assert "refresh_token" not in body
    assert body["response_type"] == "client_credentials"
    headers = bearer(body["access_token"])
    # user_account/get lists the client_credentials scheme...
    assert httpx2.get(f"{emu.base_url}/user_account", headers=headers).status_code == 200
    # ...user_websites/get and the write operations do not.
    websites = httpx2.get(f"{emu.base_url}/user_account/websites", headers=headers)
    assert websites.status_code == 403
    assert "client_credentials" in websites.json()["message"]


def test_access_token_expires_on_clock_advance(emu: Emulator) -> None:
    tokens = emu.issue_token(expires_in=60)
    url = f"{emu.base_url}/user_account"
    assert httpx2.get(url, headers=bearer(tokens.access_token)).status_code == 200
    emu.clock.advance(61)
    expired = httpx2.get(url, headers=bearer(tokens.access_token))
    assert expired.status_code == 401
    assert expired.json() == {"code": 2, "message": "Authentication failed."}


def test_issue_token_defaults(emu: Emulator) -> None:
    tokens = emu.issue_token()
    assert tokens.access_token.startswith("pina_")
    assert tokens.refresh_token
    assert len(tokens.scopes) == 19
    assert tokens.expires_at == pytest.approx(emu.clock.now() + 2592000, abs=5)


def test_revoke(emu: Emulator) -> None:
    tokens = emu.issue_token()
    app = _App(emu, default=True)
    revoked = httpx2.post(
        f"{emu.base_url}/oauth/token/revoke",
        data={"token": tokens.access_token, "token_type_hint": "access_token"},
        headers=basic(app.client_id, app.client_secret),
    )
    assert revoked.status_code == 200
    assert revoked.content == b""
    gone = httpx2.get(f"{emu.base_url}/user_account", headers=bearer(tokens.access_token))
    assert gone.status_code == 401
