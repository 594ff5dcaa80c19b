"""Sandbox mode, the universal limit and request ids: what every answer goes through."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

import pinkit
from pinkit.emulator import Emulator

from .conftest import bearer


@pytest.fixture
def sandbox() -> Iterator[Emulator]:
    emulator = Emulator(sandbox=True)
    try:
        yield emulator
    finally:
        emulator.close()


def test_sandbox_refuses_what_the_spec_disables(sandbox: Emulator) -> None:
    with sandbox.http_client(headers=bearer(sandbox.issue_token().access_token)) as api:
        refused = api.get("/ad_accounts/123/customer_lists")
        assert refused.status_code == 403
        assert refused.json()["code"] == 29
        assert "API Sandbox" in refused.json()["message"]
        assert api.get("/user_account").status_code == 200  # enabled in the sandbox
        assert api.post("/boards", json={"name": "Sandbox board"}).status_code == 201
        deleted = api.delete("/ad_accounts/123/sandbox")
        assert deleted.status_code == 200
        assert deleted.json() == "Delete Success"
    assert sandbox.info()["sandbox"] is True


def test_sandbox_delete_is_only_in_the_sandbox(emu: Emulator) -> None:
    with emu.http_client(headers=bearer(emu.issue_token().access_token)) as api:
        refused = api.delete("/ad_accounts/123/sandbox")
        assert refused.status_code == 403
        assert "only allowed in the Pinterest API Sandbox" in refused.json()["message"]
        # Outside the sandbox, operations the sandbox disables are answered.
        account = emu.default_ad_account_id
        assert api.get(f"/ad_accounts/{account}/customer_lists").status_code == 200


def test_universal_limit_beside_the_category_limits(emu: Emulator) -> None:
    emu.set_rate_limit("universal", 3, 60)
    with emu.http_client(headers=bearer(emu.issue_token().access_token)) as api:
        assert api.get("/user_account").status_code == 200  # org_read
        assert api.get("/user_account/followers").status_code == 200  # ads_read
        assert api.get("/boards").status_code == 200
        limited = api.get("/user_account/followers")
        assert limited.status_code == 429
        assert limited.json()["code"] == 8
        assert 'name="universal"' in limited.headers["x-ratelimit-limit"]
    emu.clock.advance(61)
    with emu.http_client(headers=bearer(emu.issue_token().access_token)) as api:
        assert api.get("/user_account").status_code == 200


def test_the_universal_default_is_100_per_second(emu: Emulator) -> None:
    assert emu.rate_limits()["universal"] == {"limit": 100, "window_s": 1.0}


def test_every_answer_carries_a_request_id(emu: Emulator) -> None:
    token = emu.issue_token().access_token
    emu.inject_fault(503, operation="boards/list")
    with emu.http_client(headers=bearer(token)) as api:
        answers = [
            api.get("/user_account"),
            api.get("/nowhere"),
            api.put("/user_account"),
            api.get("/boards"),
            httpx2.get(f"{emu.base_url}/user_account"),
        ]
    ids = [a.headers["x-pinterest-rid"] for a in answers]
    assert all(ids) and len(set(ids)) == len(ids)
    assert [r.request_id for r in emu.requests] == ids


def test_the_client_reports_the_request_id(emu: Emulator) -> None:
    with emu.client(max_retries=0) as client:
        with pytest.raises(pinkit.NotFoundError) as caught:
            client.boards.get("123")
    assert caught.value.request_id == emu.requests[-1].request_id
    assert caught.value.request_id in str(caught.value)
