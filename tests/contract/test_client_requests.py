"""Every request the client can send is one the official spec describes.

Each public resource method (found by introspection, so a new one cannot be forgotten) and
the raw ``request``/``paginate`` calls run against the in-process emulator; every recorded
request is then checked against its operation in the spec: path, method, query parameter
names and values, and the JSON body.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest
from tests.spec import request_problems

import pinkit
from pinkit import resources
from pinkit._resource import Resource, endpoint, paginated
from pinkit.emulator import Emulator

# How to call each resource method in this test: {"Class.method": (args, kwargs)}.
CALLS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "UserAccountAPI.get": ((), {}),
    "UserAccountAPI.businesses": ((), {}),
    "UserAccountAPI.followers": ((), {"page_size": 2, "max_items": 3}),
    "UserAccountAPI.following": ((), {"page_size": 5}),
    "UserAccountAPI.websites": ((), {"max_items": 10}),
}


def resource_methods() -> Iterator[tuple[str, type[Resource[Any]], str]]:
    for _, cls in inspect.getmembers(resources, inspect.isclass):
        if issubclass(cls, Resource):
            for name, attr in vars(cls).items():
                if isinstance(attr, (endpoint, paginated)):
                    yield f"{cls.__name__}.{name}", cls, name


def test_every_resource_method_is_exercised_here() -> None:
    assert {key for key, _, _ in resource_methods()} == set(CALLS)


@pytest.fixture
def emulator_client() -> Iterator[tuple[Emulator, pinkit.Client]]:
    emulator = Emulator()
    token = emulator.issue_token()
    http = httpx2.Client(transport=emulator.transport())
    client = pinkit.Client(
        token.access_token,
        base_url="http://emulator.local/v5",
        http_client=http,
        ad_account_id=None,
    )
    yield emulator, client
    http.close()
    emulator.close()


def _consume(result: Any) -> None:
    if isinstance(result, pinkit.SyncPager):
        list(result)


def test_requests_match_the_spec(
    openapi_spec: dict[str, Any], emulator_client: tuple[Emulator, pinkit.Client]
) -> None:
    emulator, client = emulator_client
    for key, cls, name in resource_methods():
        resource = next(v for v in vars(client).values() if isinstance(v, cls))
        method: Callable[..., Any] = getattr(resource, name)
        args, kwargs = CALLS[key]
        _consume(method(*args, **kwargs))
    client.user_account.get(ad_account_id="549755885175")
    list(client.paginate("/user_account/followers", page_size=250))
    client.request("GET", "/user_account/following", params={"feed_type": "ALL"})
    client.request("POST", "/user_account/websites", json={"website": "example.com"})
    assert emulator.requests
    problems = [p for r in emulator.requests for p in request_problems(openapi_spec, r)]
    assert not problems, "\n".join(problems)


def test_the_checker_catches_bad_requests(
    openapi_spec: dict[str, Any], emulator_client: tuple[Emulator, pinkit.Client]
) -> None:
    emulator, client = emulator_client
    for params in ({"page_size": 1000}, {"made_up": "x"}):
        with contextlib.suppress(pinkit.APIStatusError):
            client.request("GET", "/user_account/followers", params=params)
    problems = [p for r in emulator.requests for p in request_problems(openapi_spec, r)]
    assert any("page_size" in p for p in problems)
    assert any("made_up" in p for p in problems)
