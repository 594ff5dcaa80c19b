"""Boards and board sections: CRUD, privacy, ownership, cascades (over HTTP and in-process)."""

from __future__ import annotations

from typing import Any

import httpx2

from pinkit.emulator import Emulator

IMAGE = {"source_type": "image_url", "url": "https://images.example/a.jpg"}


def board(api: httpx2.Client, name: str = "Recipes", **extra: Any) -> dict[str, Any]:
    response = api.post("/boards", json={"name": name, **extra})
    assert response.status_code == 201, response.text
    return dict(response.json())


def pin(api: httpx2.Client, board_id: str, **extra: Any) -> dict[str, Any]:
    response = api.post("/pins", json={"board_id": board_id, "media_source": IMAGE, **extra})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_board_crud(api: httpx2.Client) -> None:
    made = board(api, description="Summer food")
    assert made["id"].isdigit()
    assert made["privacy"] == "PUBLIC"
    assert made["owner"] == {"username": "emulator_user"}
    assert made["pin_count"] == made["follower_count"] == made["collaborator_count"] == 0
    assert made["created_at"] and made["board_pins_modified_at"]
    assert api.get(f"/boards/{made['id']}").json() == made
    updated = api.patch(f"/boards/{made['id']}", json={"name": "Dinners", "privacy": "SECRET"})
    assert updated.status_code == 200
    assert updated.json()["name"] == "Dinners"
    assert updated.json()["privacy"] == "SECRET"
    assert updated.json()["description"] == "Summer food"
    assert api.get("/user_account").json()["board_count"] == 1
    assert api.delete(f"/boards/{made['id']}").status_code == 204
    gone = api.get(f"/boards/{made['id']}")
    assert gone.status_code == 404
    assert gone.json() == {"code": 40, "message": "Board not found."}
    assert api.get("/user_account").json()["board_count"] == 0


def test_board_validation_and_privacy_rules(api: httpx2.Client) -> None:
    assert api.post("/boards", json={}).status_code == 400
    assert api.post("/boards", json={"name": ""}).status_code == 400
    assert api.post("/boards", json={"name": "x", "privacy": "HIDDEN"}).status_code == 400
    ads = board(api, "Anything", is_ads_only=True)
    assert ads["privacy"] == "PROTECTED"
    assert ads["name"] == "Ad-only Pins"
    made = board(api)
    # PROTECTED cannot be set by update: only PUBLIC and SECRET.
    bad = api.patch(f"/boards/{made['id']}", json={"privacy": "PROTECTED"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"code", "message"}
    # The update response of a PROTECTED board leaves privacy out (its schema cannot say it).
    renamed = api.patch(f"/boards/{ads['id']}", json={"description": "ads"}).json()
    assert "privacy" not in renamed


def test_privacy_filter(api: httpx2.Client) -> None:
    public, secret = board(api, "a"), board(api, "b", privacy="SECRET")
    protected = board(api, "c", privacy="PROTECTED")

    def names(privacy: str | None) -> list[str]:
        params = {} if privacy is None else {"privacy": privacy}
        response = api.get("/boards", params=params)
        assert response.status_code == 200
        return [b["id"] for b in response.json()["items"]]

    everything = [public["id"], secret["id"], protected["id"]]
    assert names(None) == names("ALL") == everything
    assert names("PUBLIC") == [public["id"]]
    assert names("SECRET") == [secret["id"]]
    assert names("PROTECTED") == [protected["id"]]
    assert names("PUBLIC_AND_SECRET") == [public["id"], secret["id"]]
    assert api.get("/boards", params={"privacy": "NOPE"}).status_code == 400


def test_other_users_boards(api: httpx2.Client, other: httpx2.Client) -> None:
    public, secret = board(other, "theirs"), board(other, "hidden", privacy="SECRET")
    assert api.get("/boards").json()["items"] == []  # boards/list is the caller's own
    seen = api.get(f"/boards/{public['id']}")
    assert seen.status_code == 200
    assert seen.json()["owner"] == {"username": "someone_else"}
    assert api.get(f"/boards/{secret['id']}").json()["code"] == 40
    assert api.get(f"/boards/{secret['id']}/pins").status_code == 404
    forbidden = api.patch(f"/boards/{public['id']}", json={"name": "mine now"})
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == 29
    assert api.delete(f"/boards/{public['id']}").status_code == 403
    assert api.delete(f"/boards/{secret['id']}").status_code == 404
    assert api.post(f"/boards/{public['id']}/sections", json={"name": "s"}).status_code == 403


def test_delete_cascades_to_sections_and_pins(api: httpx2.Client, server: Emulator) -> None:
    doomed, kept = board(api, "doomed"), board(api, "kept")
    section = api.post(f"/boards/{doomed['id']}/sections", json={"name": "S"}).json()
    pins = [pin(api, doomed["id"]), pin(api, doomed["id"], board_section_id=section["id"])]
    survivor = pin(api, kept["id"])
    assert api.get("/user_account").json()["pin_count"] == 3
    assert api.delete(f"/boards/{doomed['id']}").status_code == 204
    for gone in pins:
        assert api.get(f"/pins/{gone['id']}").json() == {"code": 50, "message": "Pin not found."}
    assert api.get(f"/pins/{survivor['id']}").status_code == 200
    assert api.get("/user_account").json()["pin_count"] == 1
    with server.store_read() as tx:
        assert tx.get("board_section", section["id"]) is None


def test_sections(api: httpx2.Client) -> None:
    made = board(api)
    base = f"/boards/{made['id']}/sections"
    salads = api.post(base, json={"name": "Salads"})
    assert salads.status_code == 201
    section = salads.json()
    assert set(section) == {"id", "name"}
    assert section["id"].isdigit()
    soups = api.post(base, json={"name": "Soups"}).json()
    duplicate = api.post(base, json={"name": "salads"})
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == 409
    for bad in ({}, {"name": ""}, {"name": "x" * 181}, {"name": 5}):
        assert api.post(base, json=bad).status_code == 400, bad
    assert api.post(base, json={"name": "y" * 180}).status_code == 201
    listed = api.get(base, params={"page_size": 2}).json()
    assert [s["name"] for s in listed["items"]] == ["Salads", "Soups"]
    assert listed["bookmark"]
    renamed = api.patch(f"{base}/{section['id']}", json={"name": "Greens"})
    assert renamed.json() == {"id": section["id"], "name": "Greens"}
    assert api.patch(f"{base}/{section['id']}", json={"name": "Soups"}).status_code == 409
    missing = api.patch(f"{base}/999", json={"name": "z"})
    assert missing.status_code == 404
    assert missing.json()["code"] == 2031

    in_section = pin(api, made["id"], board_section_id=section["id"])
    loose = pin(api, made["id"])
    section_pins = api.get(f"{base}/{section['id']}/pins").json()
    assert [p["id"] for p in section_pins["items"]] == [in_section["id"]]
    assert api.get(f"{base}/{soups['id']}/pins").json() == {"items": [], "bookmark": None}
    assert api.get(f"{base}/123/pins").json()["code"] == 2031

    # Deleting a section keeps its pins on the board, out of any section.
    assert api.delete(f"{base}/{section['id']}").status_code == 204
    assert api.delete(f"{base}/{section['id']}").status_code == 404
    moved = api.get(f"/pins/{in_section['id']}").json()
    assert "board_section_id" not in moved
    assert moved["board_id"] == made["id"]
    board_pins = api.get(f"/boards/{made['id']}/pins").json()["items"]
    assert [p["id"] for p in board_pins] == [in_section["id"], loose["id"]]
    assert api.get(f"/boards/{made['id']}").json()["pin_count"] == 2


def test_section_on_another_board_is_not_found(api: httpx2.Client) -> None:
    one, two = board(api, "one"), board(api, "two")
    section = api.post(f"/boards/{one['id']}/sections", json={"name": "S"}).json()
    wrong = api.get(f"/boards/{two['id']}/sections/{section['id']}/pins")
    assert wrong.status_code == 404
    assert wrong.json()["code"] == 2031
