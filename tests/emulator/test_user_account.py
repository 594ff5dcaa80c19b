"""user_account reads and writes, pagination and parameter validation."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from pinkit.emulator import Emulator

from .conftest import bearer


@pytest.fixture
def api(emu: Emulator) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=emu.base_url, headers=bearer(emu.issue_token().access_token)) as c:
        yield c


def test_account(api: httpx2.Client, emu: Emulator) -> None:
    account = api.get("/user_account").json()
    assert account["account_type"] == "BUSINESS"
    assert account["username"] == "emulator_user"
    assert account["id"].isdigit()
    assert account["id"] == emu.default_user_id
    assert account["follower_count"] == 12
    assert None not in account.values()
    assert api.get("/user_account", params={"ad_account_id": "abc"}).status_code == 400


def test_simple_reads(api: httpx2.Client) -> None:
    assert api.get("/user_account/businesses").json() == []
    following = api.get("/user_account/following", params={"feed_type": "RANKED"}).json()
    assert [u["type"] for u in following["items"]] == ["user", "user"]
    assert following["bookmark"] is None
    assert api.get("/user_account/following", params={"feed_type": "NOPE"}).status_code == 400
    websites = api.get("/user_account/websites").json()["items"]
    assert websites[0]["website"] == "emulator.example"
    code = api.get("/user_account/websites/verification").json()
    assert code["verification_code"] in code["metatag"]
    interests = api.get("/users/emulator_user/interests/follow").json()["items"]
    assert all(i["id"].isdigit() for i in interests)
    assert len(interests) == 2
    missing = api.get("/users/nobody_here/interests/follow")
    assert missing.status_code == 404
    assert missing.json()["code"] == 30


def test_verify_and_unverify_website(api: httpx2.Client) -> None:
    made = api.post("/user_account/websites", json={"website": "shop.example"})
    assert made.status_code == 200
    assert made.json()["status"] == "success"
    listed = [w["website"] for w in api.get("/user_account/websites").json()["items"]]
    assert listed == ["emulator.example", "shop.example"]
    assert (
        api.delete("/user_account/websites", params={"website": "shop.example"}).status_code == 204
    )
    gone = api.delete("/user_account/websites", params={"website": "shop.example"})
    assert gone.status_code == 404
    bad = api.post("/user_account/websites", json={"website": "x", "verification_method": "NO"})
    assert bad.status_code == 400


def test_pagination_across_many_pages(api: httpx2.Client, emu: Emulator) -> None:
    emu.seed_followers(601)
    seen: list[str] = []
    bookmarks: list[str] = []
    params: dict[str, str | int] = {"page_size": 250}
    while True:
        page = api.get("/user_account/followers", params=params).json()
        seen += [u["username"] for u in page["items"]]
        if not page["bookmark"]:
            break
        bookmarks.append(page["bookmark"])
        params["bookmark"] = page["bookmark"]
    assert len(seen) == 601 == len(set(seen))
    assert seen[0] == "follower_0001"
    assert seen[-1] == "follower_0601"
    assert len(bookmarks) == 2
    assert all(set(b) & set("+/=") for b in bookmarks), bookmarks
    # httpx2 encodes the query; an unencoded bookmark ("+" read as space) must be rejected.
    raw = api.get(f"/user_account/followers?bookmark={bookmarks[0]}")
    assert raw.status_code == 400


def test_default_page_size_and_validation(api: httpx2.Client) -> None:
    assert len(api.get("/user_account/followers").json()["items"]) == 12
    page = api.get("/user_account/followers", params={"page_size": 5}).json()
    assert len(page["items"]) == 5
    assert page["bookmark"]
    for bad in ("0", "251", "ten", "-1"):
        response = api.get("/user_account/followers", params={"page_size": bad})
        assert response.status_code == 400, bad
        assert set(response.json()) == {"code", "message"}
    foreign = api.get("/user_account/following", params={"bookmark": page["bookmark"]})
    assert foreign.status_code == 400
    assert api.get("/user_account/followers", params={"bookmark": "garbage"}).status_code == 400


def test_empty_list(api: httpx2.Client, emu: Emulator) -> None:
    emu.seed_followers(0)
    assert api.get("/user_account/followers").json() == {"items": [], "bookmark": None}
