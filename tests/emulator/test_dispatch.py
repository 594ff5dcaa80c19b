"""The dispatcher: routing, scopes, rate limits, faults, request records, reset."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from starlette.datastructures import QueryParams

from pinkit._redact import mask
from pinkit.emulator import Emulator, EmulatorError, RequestRecord
from pinkit.emulator._records import RECORD_OVERHEAD_BYTES, Recorder

from .conftest import bearer


@pytest.fixture
def api(emu: Emulator) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=emu.base_url, headers=bearer(emu.issue_token().access_token)) as c:
        yield c


def test_unknown_path_404_wrong_method_405_unimplemented_501(api: httpx2.Client) -> None:
    missing = api.get("/no/such/thing")
    assert missing.status_code == 404
    assert set(missing.json()) == {"code", "message"}
    outside = api.get(str(api.base_url).replace("/v5", "/elsewhere"))
    assert outside.status_code == 404
    assert api.put("/user_account").status_code == 405
    catalogs = api.get("/catalogs")
    assert catalogs.status_code == 501
    assert catalogs.json() == {
        "code": 501,
        "message": "The pinkit emulator does not implement catalogs/list yet.",
    }


def test_missing_or_unknown_token_is_401(emu: Emulator) -> None:
    for headers in ({}, bearer("pina_unknown"), {"Authorization": "Basic Zm9vOmJhcg=="}):
        response = httpx2.get(f"{emu.base_url}/user_account", headers=headers)
        assert response.status_code == 401
        assert response.json() == {"code": 2, "message": "Authentication failed."}


def test_scopes_are_enforced_per_operation(emu: Emulator) -> None:
    token = emu.issue_token(scopes=["pins:read"]).access_token
    denied = httpx2.get(f"{emu.base_url}/user_account", headers=bearer(token))
    assert denied.status_code == 403
    assert denied.json()["code"] == 29
    assert "user_accounts:read" in denied.json()["message"]
    reader = emu.issue_token(scopes=["user_accounts:read"]).access_token
    assert httpx2.get(f"{emu.base_url}/user_account", headers=bearer(reader)).status_code == 200
    write = httpx2.post(
        f"{emu.base_url}/user_account/websites", json={"website": "a.b"}, headers=bearer(reader)
    )
    assert write.status_code == 403


def test_rate_limit_headers_and_429(api: httpx2.Client, emu: Emulator) -> None:
    first = api.get("/user_account")
    assert first.headers["x-ratelimit-limit"].split(",")[0] == "1000"
    assert 'name="org_read"' in first.headers["x-ratelimit-limit"]
    assert first.headers["x-ratelimit-remaining"] == "999"
    assert 0 < int(first.headers["x-ratelimit-reset"]) <= 60
    # followers/list is in ads_read: a separate bucket.
    assert api.get("/user_account/followers").headers["x-ratelimit-remaining"] == "999"
    emu.set_rate_limit("org_read", 2, 30)
    assert api.get("/user_account").headers["x-ratelimit-remaining"] == "1"
    assert api.get("/user_account").headers["x-ratelimit-remaining"] == "0"
    limited = api.get("/user_account/websites")
    assert limited.status_code == 429
    assert limited.json()["code"] == 8
    assert "rate limit" in limited.json()["message"]
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert int(limited.headers["x-ratelimit-reset"]) == 30
    emu.clock.advance(31)
    assert api.get("/user_account").status_code == 200
    # Another user+app has its own bucket.
    other = emu.register_app("http://localhost/cb")
    assert other.client_id


def test_faults_count_and_operation_filter(api: httpx2.Client, emu: Emulator) -> None:
    emu.inject_fault(503, operation="user_account/get", count=2, headers={"Retry-After": "1"})
    assert api.get("/user_account/followers").status_code == 200  # other operation untouched
    first = api.get("/user_account")
    assert first.status_code == 503
    assert first.headers["retry-after"] == "1"
    assert first.json() == {"code": 503, "message": "Service unavailable."}
    assert api.get("/user_account").status_code == 503
    assert api.get("/user_account").status_code == 200
    emu.inject_fault(500, body={"code": 1, "message": "custom"})
    assert api.get("/user_account/websites").json() == {"code": 1, "message": "custom"}
    with pytest.raises(EmulatorError, match="unknown operation"):
        emu.inject_fault(500, operation="no/such_op")


def test_fault_after_processing_keeps_state_changes(api: httpx2.Client, emu: Emulator) -> None:
    emu.inject_fault(500, operation="verify_website/update", after_processing=True)
    lost = api.post("/user_account/websites", json={"website": "lost.example"})
    assert lost.status_code == 500
    websites = [w["website"] for w in api.get("/user_account/websites").json()["items"]]
    assert "lost.example" in websites


def test_request_records(api: httpx2.Client, emu: Emulator) -> None:
    emu.clear_requests()
    api.get("/user_account/followers", params={"page_size": 3})
    api.post("/user_account/websites", json={"website": "rec.example"})
    api.get("/nowhere")
    followers, website, nowhere = emu.requests
    assert (followers.method, followers.path, followers.operation_id, followers.status) == (
        "GET",
        "/v5/user_account/followers",
        "followers/list",
        200,
    )
    assert followers.query["page_size"] == "3"
    # Records are redacted: the bearer token shows as its mask, which tells tokens apart.
    sent = api.headers["authorization"].removeprefix("Bearer ")
    assert followers.headers["authorization"] == f"Bearer {mask(sent)}"
    assert followers.headers["authorization"].startswith("Bearer pina_…#")
    assert sent not in repr(followers)
    assert website.json() == {"website": "rec.example"}
    assert website.response_json()["website"] == "rec.example"
    assert nowhere.operation_id is None
    assert nowhere.status == 404


def test_records_not_yet_read_show_no_secret(api: httpx2.Client, emu: Emulator) -> None:
    """Records are redacted when first read; until then the recorder's list (which a failing
    test's --showlocals may print) shows nothing of them."""
    emu.clear_requests()
    api.get("/user_account")
    sent = api.headers["authorization"].removeprefix("Bearer ")
    pending = emu._backend.recorder._records
    assert sent not in repr(pending) and "redacted when first read" in repr(pending)
    (record,) = emu.requests
    assert record.headers["authorization"] == f"Bearer {mask(sent)}"


def test_records_past_their_limit_drop_the_oldest(caplog: pytest.LogCaptureFixture) -> None:
    each = 100 + RECORD_OVERHEAD_BYTES
    recorder = Recorder(max_bytes=2 * each + 50)
    for i in range(5):
        recorder.add(lambda i=i: _record(i), size=100)
    assert [r.path for r in recorder.all()] == ["/v5/3", "/v5/4"]
    assert recorder.dropped == 3
    warned = [r.message for r in caplog.records if "the oldest are dropped" in r.message]
    assert len(warned) == 1  # said once, when it starts
    recorder.add(_record(5), size=10 * each)  # the newest stays, even alone over the limit
    assert [r.path for r in recorder.all()] == ["/v5/5"] and recorder.dropped == 5
    recorder.clear()
    assert recorder.dropped == 0
    for i in range(6, 9):  # records of empty bodies count too
        recorder.add(_record(i))
    assert [r.path for r in recorder.all()] == ["/v5/7", "/v5/8"]
    assert Recorder().max_bytes is None  # in-process emulators keep every record


def test_serve_refuses_a_record_limit_below_one_mb() -> None:
    from pinkit.emulator import serve

    with pytest.raises(ValueError, match="at least 1"):
        serve(port=0, record_limit_mb=0)
    for wrong in (True, 1.5, "5"):
        with pytest.raises(TypeError, match="whole number of MB"):
            serve(port=0, record_limit_mb=wrong)  # type: ignore[arg-type]


def _record(i: int) -> RequestRecord:
    return RequestRecord(
        method="GET",
        path=f"/v5/{i}",
        query=QueryParams(""),
        headers={},
        body=b"",
        operation_id=None,
        status=200,
        response_headers={},
        response_body=b"",
        time=0.0,
    )


def test_reset(api: httpx2.Client, emu: Emulator) -> None:
    api.post("/user_account/websites", json={"website": "temp.example"})
    emu.set_rate_limit("org_read", 1, 60)
    emu.inject_fault(500)
    emu.clock.advance(1000)
    emu.reset()
    assert emu.requests == []
    assert api.get("/user_account").status_code == 401  # old tokens are gone with the state
    fresh = httpx2.Client(base_url=emu.base_url, headers=bearer(emu.issue_token().access_token))
    with fresh:
        websites = fresh.get("/user_account/websites").json()["items"]
        assert [w["website"] for w in websites] == ["emulator.example"]
        assert fresh.get("/user_account").status_code == 200  # no fault, default limit
        assert fresh.get("/user_account").status_code == 200
    import time

    assert emu.clock.now() == pytest.approx(time.time(), abs=5)
