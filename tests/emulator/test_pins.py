"""Pins: every media_source type, validation, get/list/update/delete, save, pagination, scale."""

from __future__ import annotations

import base64
import os
from typing import Any

import httpx2
import pytest

from pinkit.emulator import Emulator

from .conftest import bearer
from .test_boards import IMAGE, board, pin

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(40)).decode()
JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(40)).decode()


def test_create_from_image_url(api: httpx2.Client) -> None:
    made = board(api)
    created = pin(
        api,
        made["id"],
        title="Soup",
        description="Warm",
        link="https://shop.example/soup",
        alt_text="a bowl",
    )
    assert created["id"].isdigit()
    assert created["board_id"] == made["id"]
    assert "board_section_id" not in created
    assert created["board_owner"] == {"username": "emulator_user"}
    assert created["is_owner"] is True
    assert created["creative_type"] == "REGULAR"
    assert created["media"]["media_type"] == "image"
    assert {i["url"] for i in created["media"]["images"].values()} == {IMAGE["url"]}
    assert created["dominant_color"].startswith("#")
    assert "pin_metrics" not in created
    assert api.get(f"/pins/{created['id']}").json() == created
    assert api.get(f"/boards/{made['id']}").json()["pin_count"] == 1
    assert api.get("/user_account").json()["pin_count"] == 1


def test_create_from_base64_and_carousels(api: httpx2.Client, server: Emulator) -> None:
    made = board(api)
    one = pin(
        api,
        made["id"],
        media_source={"source_type": "image_base64", "content_type": "image/png", "data": PNG},
    )
    url = one["media"]["images"]["600x"]["url"]
    assert url.startswith(f"{server.origin}/_emulator/images/")
    served = httpx2.get(url) if server.running else None
    if served is not None:
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/png"
        assert served.content == base64.b64decode(PNG)

    urls = [{"url": f"https://images.example/{n}.jpg", "title": f"slide {n}"} for n in range(3)]
    carousel = pin(
        api, made["id"], media_source={"source_type": "multiple_image_urls", "items": urls}
    )
    assert carousel["creative_type"] == "CAROUSEL"
    assert carousel["media"]["media_type"] == "multiple_images"
    assert [i["title"] for i in carousel["media"]["items"]] == ["slide 0", "slide 1", "slide 2"]

    items = [
        {"content_type": "image/jpeg", "data": JPEG},
        {"content_type": "image/png", "data": PNG},
    ]
    b64 = pin(
        api, made["id"], media_source={"source_type": "multiple_image_base64", "items": items}
    )
    assert len(b64["media"]["items"]) == 2

    product = pin(
        api, made["id"], link="https://shop.example/p", media_source={"source_type": "pin_url"}
    )
    assert product["media"]["media_type"] == "image"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"title": "x" * 101}, 1),
        ({"description": "x" * 801}, 1),
        ({"alt_text": "x" * 501}, 1),
        ({"link": "https://x.example/" + "a" * 2048}, 1),
        ({"link": "ftp://files.example/a"}, 1),
        ({"link": "not a url"}, 1),
        ({"media_source": None}, 1),
        ({"media_source": {"source_type": "hologram"}}, 1),
        ({"media_source": {"source_type": "image_url", "url": "nope"}}, 1),
        ({"media_source": {"source_type": "image_base64", "content_type": "image/png"}}, 1),
        (
            {
                "media_source": {
                    "source_type": "image_base64",
                    "content_type": "image/png",
                    "data": "!!",
                }
            },
            1,
        ),
        (
            {
                "media_source": {
                    "source_type": "image_base64",
                    "content_type": "image/png",
                    "data": JPEG,
                }
            },
            1,
        ),
        (
            {
                "media_source": {
                    "source_type": "image_base64",
                    "content_type": "image/gif",
                    "data": PNG,
                }
            },
            1,
        ),
        ({"media_source": {"source_type": "multiple_image_urls", "items": [IMAGE]}}, 1),
        ({"media_source": {"source_type": "multiple_image_urls", "items": [IMAGE] * 6}}, 1),
        ({"media_source": {"source_type": "pin_url"}}, 1),
        ({"media_source": {"source_type": "video_id", "media_id": "123"}}, 1),
        ({"board_id": None}, 1),
        ({"board_id": "999"}, 40),
        ({"board_section_id": "999"}, 2031),
    ],
)
def test_create_validation(api: httpx2.Client, body: dict[str, Any], code: int) -> None:
    made = board(api)
    request = {"board_id": made["id"], "media_source": IMAGE, **body}
    response = api.post("/pins", json=request)
    assert response.status_code in (400, 404), response.text
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message"}
    assert api.get("/user_account").json()["pin_count"] == 0


def test_board_and_section_ownership(api: httpx2.Client, other: httpx2.Client) -> None:
    mine, elsewhere = board(api, "mine"), board(api, "elsewhere")
    section = api.post(f"/boards/{elsewhere['id']}/sections", json={"name": "S"}).json()
    wrong_section = api.post(
        "/pins",
        json={"board_id": mine["id"], "board_section_id": section["id"], "media_source": IMAGE},
    )
    assert wrong_section.status_code == 404
    assert wrong_section.json()["code"] == 2031
    theirs = board(other, "theirs")
    secret = board(other, "secret", privacy="SECRET")
    public_write = api.post("/pins", json={"board_id": theirs["id"], "media_source": IMAGE})
    assert public_write.status_code == 403
    assert public_write.json()["code"] == 29
    secret_write = api.post("/pins", json={"board_id": secret["id"], "media_source": IMAGE})
    assert secret_write.status_code == 404
    assert secret_write.json()["code"] == 40


def test_update_moves_between_boards_and_sections(api: httpx2.Client) -> None:
    one, two = board(api, "one"), board(api, "two")
    section = api.post(f"/boards/{two['id']}/sections", json={"name": "S"}).json()
    made = pin(api, one["id"], title="before", link="https://a.example/")
    moved = api.patch(
        f"/pins/{made['id']}",
        json={"board_id": two["id"], "board_section_id": section["id"], "title": "after"},
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["board_id"], body["board_section_id"], body["title"]) == (
        two["id"],
        section["id"],
        "after",
    )
    assert body["link"] == "https://a.example/"
    assert api.get(f"/boards/{one['id']}").json()["pin_count"] == 0
    assert api.get(f"/boards/{two['id']}").json()["pin_count"] == 1
    section_pins = api.get(f"/boards/{two['id']}/sections/{section['id']}/pins").json()["items"]
    assert [p["id"] for p in section_pins] == [made["id"]]
    # Out of the section, link cleared; back to the first board drops the section too.
    out = api.patch(f"/pins/{made['id']}", json={"board_section_id": None, "link": None}).json()
    assert "board_section_id" not in out
    assert "link" not in out
    back = api.patch(f"/pins/{made['id']}", json={"board_id": one["id"]}).json()
    assert back["board_id"] == one["id"]
    assert api.patch(f"/pins/{made['id']}", json={"title": "x" * 101}).status_code == 400
    assert api.patch(f"/pins/{made['id']}", json={"link": "javascript:alert(1)"}).status_code == 400
    elsewhere = api.patch(f"/pins/{made['id']}", json={"board_section_id": section["id"]})
    assert elsewhere.json()["code"] == 2031
    assert api.get("/user_account").json()["pin_count"] == 1


def test_get_list_delete(api: httpx2.Client, other: httpx2.Client) -> None:
    made = board(api)
    secret = board(api, "secret", privacy="SECRET")
    a, b = pin(api, made["id"]), pin(api, secret["id"])
    listed = api.get("/pins").json()
    assert [p["id"] for p in listed["items"]] == [a["id"], b["id"]]
    assert listed["bookmark"] is None
    private = api.get("/pins", params={"pin_type": "PRIVATE"}).json()["items"]
    assert [p["id"] for p in private] == [b["id"]]
    assert api.get("/pins", params={"creative_types": "VIDEO"}).json()["items"] == []
    regular = api.get("/pins", params={"creative_types": ["REGULAR", "VIDEO"]}).json()["items"]
    assert len(regular) == 2
    assert api.get("/pins", params={"creative_types": "SPACESHIP"}).status_code == 400
    assert api.get("/pins", params={"pin_filter": "has_been_promoted"}).json()["items"] == []
    assert api.get("/pins", params={"pin_filter": "exclude_repins"}).json()["items"]
    assert api.get("/pins", params={"pin_filter": "exclude_native"}).json()["items"] == []
    assert api.get("/pins", params={"pin_filter": "bogus"}).status_code == 400
    # Someone else sees the public pin (not theirs), not the secret one, and cannot delete it.
    seen = other.get(f"/pins/{a['id']}").json()
    assert seen["is_owner"] is False
    assert seen["board_owner"] == {"username": "emulator_user"}
    assert other.get(f"/pins/{b['id']}").json()["code"] == 50
    assert other.delete(f"/pins/{a['id']}").json()["code"] == 29
    assert other.patch(f"/pins/{a['id']}", json={"title": "mine"}).status_code == 403
    assert other.get("/pins").json()["items"] == []
    assert api.delete(f"/pins/{a['id']}").status_code == 204
    assert api.delete(f"/pins/{a['id']}").status_code == 404
    assert api.get("/pins/123").json() == {"code": 50, "message": "Pin not found."}
    assert api.get(f"/boards/{made['id']}").json()["pin_count"] == 0


def test_save(api: httpx2.Client, other: httpx2.Client) -> None:
    mine = board(api)
    section = api.post(f"/boards/{mine['id']}/sections", json={"name": "S"}).json()
    original = pin(api, mine["id"], title="Original")
    copy = api.post(f"/pins/{original['id']}/save", json={"board_section_id": section["id"]})
    assert copy.status_code == 201, copy.text
    saved = copy.json()
    assert saved["id"] != original["id"]
    assert saved["parent_pin_id"] == original["id"]
    assert (saved["board_id"], saved["board_section_id"]) == (mine["id"], section["id"])
    assert saved["title"] == "Original"
    assert api.get(f"/boards/{mine['id']}").json()["pin_count"] == 2
    assert api.get("/pins", params={"pin_filter": "exclude_native"}).json()["items"] == [saved]

    theirs = board(other, "theirs")
    their_pin = pin(other, theirs["id"], title="Theirs")
    mine_now = api.post(f"/pins/{their_pin['id']}/save", json={"board_id": mine["id"]}).json()
    assert mine_now["is_owner"] is True
    assert mine_now["board_owner"] == {"username": "emulator_user"}
    assert mine_now["parent_pin_id"] == their_pin["id"]
    assert api.get("/user_account").json()["pin_count"] == 3
    assert other.get("/user_account").json()["pin_count"] == 1

    onto_theirs = api.post(f"/pins/{original['id']}/save", json={"board_id": theirs["id"]})
    assert onto_theirs.status_code == 403
    assert api.post(f"/pins/{original['id']}/save", json={}).status_code == 400
    missing = api.post("/pins/999/save", json={"board_id": mine["id"]})
    assert missing.json() == {"code": 50, "message": "Pin not found."}
    no_board = api.post(f"/pins/{original['id']}/save", json={"board_id": "999"})
    assert no_board.json() == {"code": 40, "message": "Board not found."}
    no_section = api.post(f"/pins/{original['id']}/save", json={"board_section_id": "999"})
    assert no_section.json()["code"] == 2031
    hidden = board(other, "hidden", privacy="SECRET")
    hidden_pin = pin(other, hidden["id"])
    assert (
        api.post(f"/pins/{hidden_pin['id']}/save", json={"board_id": mine["id"]}).status_code == 404
    )


def test_pagination_and_page_size(api: httpx2.Client, server: Emulator) -> None:
    made = board(api)
    board_id = server.seed_pins(60, board_id=made["id"])
    assert board_id == made["id"]
    for path in ("/pins", f"/boards/{made['id']}/pins"):
        seen: list[str] = []
        bookmarks: list[str] = []
        params: dict[str, Any] = {"page_size": 25}
        while True:
            page = api.get(path, params=params).json()
            seen += [p["id"] for p in page["items"]]
            if not page["bookmark"]:
                break
            bookmarks.append(page["bookmark"])
            params["bookmark"] = page["bookmark"]
        assert len(seen) == len(set(seen)) == 60
        assert len(bookmarks) == 2
        assert all(set(b) & set("+/=") for b in bookmarks)
        assert api.get(f"{path}?bookmark={bookmarks[0]}").status_code == 400  # not URL-encoded
        assert len(api.get(path).json()["items"]) == 25
        for bad in ("0", "251", "x"):
            assert api.get(path, params={"page_size": bad}).status_code == 400
        assert len(api.get(path, params={"page_size": 250}).json()["items"]) == 60
    foreign = api.get("/boards", params={"bookmark": bookmarks[0]})
    assert foreign.status_code == 400


def test_scopes(server: Emulator) -> None:
    read_only = server.issue_token(["boards:read", "pins:read"]).access_token
    with server.http_client(headers=bearer(read_only)) as api:
        created = api.post("/boards", json={"name": "no"})
        assert created.status_code == 403
        assert created.json()["code"] == 29
        assert api.post("/pins", json={}).status_code == 403
        assert api.post("/media", json={"media_type": "video"}).status_code == 403
        assert api.get("/boards").status_code == 200
        assert api.get("/pins").status_code == 200
        assert api.get("/media").status_code == 200
    boards_only = server.issue_token(["boards:read", "boards:write"]).access_token
    with server.http_client(headers=bearer(boards_only)) as api:
        made = board(api)
        assert (
            api.post("/pins", json={"board_id": made["id"], "media_source": IMAGE}).status_code
            == 403
        )
        assert api.get(f"/boards/{made['id']}/pins").status_code == 403


# Keyset pagination over a large board: every pin once, in order. Sized by a knob (the full
# 100,000 with PINKIT_TEST_PINS=100000); its speed is bench/paging.py's to measure.
SEEDED_PINS = int(os.environ.get("PINKIT_TEST_PINS", "20000"))


def test_seed_and_page_through_many(inproc: Emulator) -> None:
    board_id = inproc.seed_pins(SEEDED_PINS)
    token = inproc.issue_token().access_token
    with inproc.http_client(headers=bearer(token)) as api:
        assert api.get(f"/boards/{board_id}").json()["pin_count"] == SEEDED_PINS
        assert api.get("/user_account").json()["pin_count"] == SEEDED_PINS
        seen: set[str] = set()
        pages, params = 0, {"page_size": 250}
        try:
            while True:
                page = api.get("/pins", params=params).json()
                ids = [pin["id"] for pin in page["items"]]
                assert not seen.intersection(ids)
                seen.update(ids)
                pages += 1
                if not page["bookmark"]:
                    break
                params["bookmark"] = page["bookmark"]
        finally:
            inproc.clear_requests()  # hundreds of records of 250 pins: keep teardown quick
    assert len(seen) == SEEDED_PINS
    assert pages == -(-SEEDED_PINS // 250)


def test_seed_over_http_control(emu: Emulator) -> None:
    control = f"{emu.origin}/_emulator"
    made = httpx2.post(f"{control}/pins/seed", json={"count": 30}).json()
    assert made["count"] == 30
    user = httpx2.post(f"{control}/users", json={"username": "second"}).json()
    assert user["id"].isdigit()
    token = httpx2.post(f"{control}/tokens", json={"user_id": user["id"]}).json()
    assert token["user_id"] == user["id"]
    with httpx2.Client(base_url=emu.base_url, headers=bearer(token["access_token"])) as api:
        assert api.get("/user_account").json()["username"] == "second"
        board_pins = api.get(f"/boards/{made['board_id']}/pins", params={"page_size": 50})
        assert len(board_pins.json()["items"]) == 30  # a PUBLIC board of someone else
    assert httpx2.post(f"{control}/users", json={"username": "second"}).status_code == 400
    assert httpx2.post(f"{control}/tokens", json={"user_id": "404"}).status_code == 400
    assert (
        httpx2.post(f"{control}/pins/seed", json={"count": 1, "board_id": "9"}).status_code == 400
    )
