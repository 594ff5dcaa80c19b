"""In-process use: the sync transport (blocking portal) and httpx2's async ASGITransport."""

from __future__ import annotations

import threading

import httpx2
import pytest

from pinkit.emulator import Emulator

from .conftest import bearer


def test_sync_transport(inproc: Emulator) -> None:
    assert inproc.base_url == "http://emulator.local/v5"
    token = inproc.issue_token().access_token
    transport = inproc.transport()
    with httpx2.Client(transport=transport, base_url=inproc.base_url, headers=bearer(token)) as c:
        assert c.get("/user_account").json()["username"] == "emulator_user"
        posted = c.post("/user_account/websites", json={"website": "inproc.example"})
        assert posted.status_code == 200
        assert posted.json()["website"] == "inproc.example"
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda: results.append(c.get("/user_account").status_code))
            for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [200] * 8
        thread = transport._thread
        assert thread is not None and thread.is_alive()
    assert not thread.is_alive()  # closing the client stopped this transport's loop thread


def test_http_client_helper_in_process(inproc: Emulator) -> None:
    with inproc.http_client() as c:
        assert c.get("/user_account").status_code == 401


@pytest.mark.anyio
async def test_async_transport(inproc: Emulator) -> None:
    token = inproc.issue_token().access_token
    async with httpx2.AsyncClient(
        transport=inproc.async_transport(), base_url=inproc.base_url, headers=bearer(token)
    ) as c:
        account = await c.get("/user_account")
        assert account.status_code == 200
        page = await c.get("/user_account/followers", params={"page_size": 5})
        assert len(page.json()["items"]) == 5
        second = await c.get(
            "/user_account/followers", params={"page_size": 5, "bookmark": page.json()["bookmark"]}
        )
        assert second.json()["items"][0]["username"] == "follower_0006"
    assert inproc.requests[-1].operation_id == "followers/list"


def test_server_start_stop(inproc: Emulator) -> None:
    inproc.start()
    try:
        assert inproc.base_url.startswith("http://127.0.0.1:")
        assert httpx2.get(f"{inproc.base_url}/user_account").status_code == 401
    finally:
        inproc.stop()
    assert inproc.base_url == "http://emulator.local/v5"
