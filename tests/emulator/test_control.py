"""The /_emulator/ control plane over real HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2

from pinkit.emulator import Emulator

from .conftest import basic, bearer


def test_control_plane(emu: Emulator) -> None:
    origin = emu.base_url.removesuffix("/v5")
    with httpx2.Client(base_url=f"{origin}/_emulator") as control:
        index = control.get("/").json()
        assert index["api_base_url"] == emu.base_url
        assert "user_account/get" in index["implemented_operations"]

        token = control.post("/tokens", json={"scopes": ["user_accounts:read"]}).json()
        assert token["access_token"].startswith("pina_")
        assert token["scopes"] == ["user_accounts:read"]
        api = httpx2.Client(base_url=emu.base_url, headers=bearer(token["access_token"]))
        assert api.get("/user_account").status_code == 200

        app = control.post("/apps", json={"redirect_uri": "http://localhost/cb"}).json()
        assert app["api_base_url"] == emu.base_url
        assert app["authorize_url"] == emu.authorize_url
        url = f"{app['authorize_url']}?" + urlencode(
            {
                "client_id": app["client_id"],
                "redirect_uri": "http://localhost/cb",
                "response_type": "code",
                "scope": "pins:read",
                "state": "s",
            }
        )
        redirect = control.post("/authorize", json={"url": url}).json()["redirect_url"]
        code = parse_qs(urlsplit(redirect).query)["code"][0]
        exchanged = httpx2.post(
            f"{emu.base_url}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": "http://localhost/cb",
            },
            headers=basic(app["client_id"], app["client_secret"]),
        )
        assert exchanged.status_code == 200

        fault = {"status": 502, "operation": "user_account/get", "count": 1}
        assert control.post("/faults", json=fault).json()["count"] == 1
        assert len(control.get("/faults").json()) == 1
        assert api.get("/user_account").status_code == 502
        assert control.get("/faults").json() == []

        assert (
            control.post("/rate_limits", json={"category": "org_read", "limit": 1}).status_code
            == 200
        )
        assert control.get("/rate_limits").json()["org_read"]["limit"] == 1
        assert api.get("/user_account").status_code == 200
        assert api.get("/user_account").status_code == 429

        before = control.get("/clock").json()["now"]
        advanced = control.post("/clock/advance", json={"seconds": 120}).json()
        assert advanced["now"] >= before + 120
        assert advanced["offset"] == 120
        assert api.get("/user_account").status_code == 200  # new window

        assert control.post("/followers", json={"count": 30}).json() == {"count": 30}
        assert (
            len(api.get("/user_account/followers", params={"page_size": 50}).json()["items"]) == 30
        )

        records = control.get("/requests").json()
        assert records[-1]["path"] == "/v5/user_account/followers"
        assert records[-1]["query"] == {"page_size": ["50"]}
        assert control.delete("/requests").status_code == 200
        assert control.get("/requests").json() == []

        bad = control.post("/faults", json={"status": "nope"})
        assert bad.status_code == 400
        assert set(bad.json()) == {"code", "message"}

        assert control.post("/reset").json() == {"ok": True}
        assert api.get("/user_account").status_code == 401
        api.close()


def test_recorded_requests_over_http_carry_no_credentials(emu: Emulator) -> None:
    app = emu.default_app
    secret = emu.app_secret(app.client_id)
    token = emu.issue_token()
    assert token.refresh_token
    with httpx2.Client(base_url=emu.base_url) as api:
        refreshed = api.post(
            "/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": token.refresh_token},
            headers=basic(app.client_id, secret),
        ).json()
        api.get("/user_account", headers=bearer(token.access_token))
    with httpx2.Client(base_url=f"{emu.origin}/_emulator") as control:
        text = control.get("/requests").text
    assert "[REDACTED]" in text
    for value in (
        token.access_token,
        token.refresh_token,
        secret,
        refreshed["access_token"],
        refreshed["refresh_token"],
    ):
        assert value not in text
