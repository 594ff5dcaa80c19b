"""Requests that break the spec's constraints get Pinterest's 400 before any handler runs (over
HTTP and in-process; the fixtures check every response against the spec's schemas)."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from pinkit.emulator import Emulator


def _board(api: httpx2.Client) -> str:
    made = api.post("/boards", json={"name": "Recipes"})
    assert made.status_code == 201
    return str(made.json()["id"])


def _invalid(response: httpx2.Response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"code": 1, "message": message}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": 5}, "Invalid parameters: name must be a string."),
        ({}, "Invalid parameters: name is required."),
        (
            {"name": "x", "privacy": "HIDDEN"},
            "Invalid parameters: privacy must be one of PUBLIC, PROTECTED, SECRET.",
        ),
        (
            {"name": "x", "is_ads_only": "yes"},
            "Invalid parameters: is_ads_only must be true or false.",
        ),
        ({"name": "x", "description": ["d"]}, "Invalid parameters: description must be a string."),
        ([{"name": "x"}], "Invalid parameters: request body must be an object."),
    ],
)
def test_board_bodies(api: httpx2.Client, body: Any, message: str) -> None:
    _invalid(api.post("/boards", json=body), message)


def test_over_long_section_name(server: Emulator, api: httpx2.Client) -> None:
    base = f"/boards/{_board(api)}/sections"
    _invalid(
        api.post(base, json={"name": "x" * 181}),
        "Invalid parameters: name must be at most 180 characters.",
    )
    assert api.post(base, json={"name": "x" * 180}).status_code == 201
    # The board's own name has no limit in the spec, so none here either.
    assert api.post("/boards", json={"name": "x" * 181}).status_code == 201


def test_nested_fields_are_named_by_path(api: httpx2.Client) -> None:
    board_id = _board(api)
    carousel = {"source_type": "multiple_image_urls", "items": [{"url": "https://e.x/1.jpg"}, {}]}
    _invalid(
        api.post("/pins", json={"board_id": board_id, "media_source": carousel}),
        "Invalid parameters: media_source.items[1].url is required.",
    )
    _invalid(
        api.post("/pins", json={"board_id": "\u0661\u0662\u0663", "media_source": carousel}),
        "Invalid parameters: board_id must be a string of digits.",
    )


def test_closed_schema_refuses_extra_fields_before_the_handler(server: Emulator) -> None:
    """The body is checked before the handler looks for the ad account (404 for an unknown
    one); the spec closes each event (additionalProperties: false)."""
    event = {
        "event_name": "checkout",
        "action_source": "web",
        "event_time": 1_700_000_000,
        "event_id": "e1",
        "user_data": {"em": ["411e44ce1261728ffd2c0686e44e3fffe413c0e2c5adc498bc7da883d476b9c8"]},
    }
    token = server.issue_token().access_token
    with server.http_client(headers={"Authorization": f"Bearer {token}"}) as api:
        path = "/ad_accounts/123/events"
        assert api.post(path, json={"data": [event]}).status_code == 404
        _invalid(
            api.post(path, json={"data": [{**event, "colour": "red"}]}),
            "Invalid parameters: data[0].colour is not a field the spec allows here.",
        )
        _invalid(
            api.post("/ad_accounts/12x/events", json={"data": [event]}),
            "Invalid parameters: ad_account_id must be a string of digits.",
        )


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/boards", {"page_size": "ten"}, "page_size must be an integer"),
        ("/boards", {"page_size": "0"}, "page_size must be at least 1"),
        ("/boards", {"page_size": "251"}, "page_size must be at most 250"),
        ("/boards", {"privacy": "HIDDEN"}, "privacy must be one of ALL, PUBLIC, PROTECTED"),
        ("/boards", {"ad_account_id": "12a"}, "ad_account_id must be a string of digits"),
        ("/boards", {"ad_account_id": "1" * 19}, "ad_account_id must be at most 18 characters"),
        ("/pins", {"pin_metrics": "maybe"}, "pin_metrics must be true or false"),
        ("/pins", {"creative_types": "REGULAR,HOLOGRAM"}, "creative_types[1] must be one of"),
        ("/user_account/following", {"feed_type": "ODD"}, "feed_type must be one of"),
    ],
)
def test_bad_query_parameters(
    api: httpx2.Client, path: str, params: dict[str, str], message: str
) -> None:
    response = api.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == 1
    assert response.json()["message"].startswith(f"Invalid parameters: {message}")


def test_what_the_real_api_accepts_is_accepted(api: httpx2.Client) -> None:
    assert api.get("/boards", params={"colour": "red", "page_size": "250"}).status_code == 200
    both = [("creative_types", "REGULAR,VIDEO"), ("creative_types", "CAROUSEL")]
    assert api.get("/pins", params=both).status_code == 200
    assert api.get("/pins", params={"pin_metrics": "TRUE"}).status_code == 200


def test_bad_path_parameter(api: httpx2.Client) -> None:
    _invalid(api.get("/boards/12a"), "Invalid parameters: board_id must be a string of digits.")


def test_deeply_nested_json_is_a_400_not_a_500(api: httpx2.Client) -> None:
    headers = {"Content-Type": "application/json"}
    deep = b"[" * 100_000 + b"]" * 100_000
    response = api.post("/boards", content=deep, headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == 1
    nested = b'{"name": "x", "extra": ' + b"[" * 100 + b"]" * 100 + b"}"
    _invalid(
        api.post("/boards", content=nested, headers=headers),
        "Invalid parameters: extra is nested more than 64 levels deep.",
    )
    _invalid(
        api.post("/boards", content=b"{nope", headers=headers), "Request body is not valid JSON."
    )
