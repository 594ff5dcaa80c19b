"""Every emulator response must match the spec (checked for every test by the fixtures);
this module makes sure that check is real and reports a missing spec."""

from __future__ import annotations

import httpx2
import pytest

from pinkit.emulator import Emulator, RequestRecord
from tests.spec import response_problems

from .conftest import bearer


@pytest.fixture
def spec(openapi_spec: dict[str, object]) -> dict[str, object]:
    return openapi_spec


def test_every_implemented_operation_is_in_the_spec(
    spec: dict[str, object], inproc: Emulator
) -> None:
    implemented = set(inproc.info()["implemented_operations"])
    assert {"oauth/token", "user_account/get", "followers/list"} <= implemented


def test_all_read_responses_match(spec: dict[str, object], inproc: Emulator) -> None:
    token = inproc.issue_token().access_token
    with inproc.http_client(headers=bearer(token)) as api:
        for path in (
            "/user_account",
            "/user_account/businesses",
            "/user_account/followers",
            "/user_account/following",
            "/user_account/websites",
            "/user_account/websites/verification",
            "/users/emulator_user/interests/follow",
            "/users/ghost/interests/follow",
            "/boards",
        ):
            api.get(path)
        api.get("/user_account/followers", params={"page_size": 0})
    problems = [p for record in inproc.requests for p in response_problems(spec, record)]
    assert problems == []
    assert len(inproc.requests) == 10


def test_the_validator_catches_bad_bodies(spec: dict[str, object], inproc: Emulator) -> None:
    good = _record("user_account/get", 200, b'{"id": "123", "account_type": "BUSINESS"}')
    assert response_problems(spec, good) == []
    for body in (b'{"id": 123}', b'{"account_type": "ALIEN"}', b'{"board_count": "x"}'):
        assert response_problems(spec, _record("user_account/get", 200, body)), body
    token_body = b'{"access_token": "pina_x", "token_type": "bearer", "expires_in": 1}'
    assert response_problems(spec, _record("oauth/token", 200, token_body))  # scope is required
    assert response_problems(spec, _record("followers/list", 200, b'{"bookmark": null}'))
    assert response_problems(spec, _record("followers/list", 400, b'{"message": "no code"}'))


def _record(operation_id: str, status: int, body: bytes) -> RequestRecord:
    from starlette.datastructures import QueryParams

    return RequestRecord(
        method="GET",
        path="/v5/x",
        query=QueryParams(""),
        headers={},
        body=b"",
        operation_id=operation_id,
        status=status,
        response_headers={},
        response_body=body,
        time=0.0,
    )


def test_error_responses_over_http_match(emu: Emulator) -> None:
    assert httpx2.get(f"{emu.base_url}/user_account").status_code == 401
