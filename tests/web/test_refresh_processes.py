"""Several worker processes meet the same user's expired token at once: one refresh.

Each worker process builds its own ``Connections`` on the same database, loads the user's
expired token, and then, at one signal for all, makes a request. The emulator (served over
HTTP in this process) counts the refresh grants it answered: exactly one, and every worker
ends up with the same working token. On SQLite (``BEGIN IMMEDIATE``) and PostgreSQL
(``SELECT ... FOR UPDATE``).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from pinkit.emulator import Emulator
from pinkit.web import Connections
from tests.web.conftest import run_workers

WORKERS = 6


def _token_grants(emu: Emulator, grant: str) -> int:
    return sum(
        1
        for r in emu.requests
        if r.operation_id == "oauth/token" and f"grant_type={grant}" in r.body.decode()
    )


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_one_refresh_for_many_processes(
    emu: Emulator, database_url: str, keys: list[str], tmp_path: Path
) -> None:
    app = emu.register_app("http://localhost:8000/callback")
    conns = Connections(database_url, app, encryption_keys=keys)
    login = conns.complete_login(
        emu.authorize(conns.begin_login("alice", ["user_accounts:read"])), user_key="alice"
    )
    # The stored access token still works on the emulator but reads as expired, so every
    # worker decides to refresh the moment it makes its request.
    conns.save_tokens("alice", replace(login.tokens, expires_at=time.time() - 5))
    emu.clear_requests()
    secret = emu.app_secret(app.client_id)
    args = {
        "client_id": app.client_id,
        "client_secret": secret,
        "redirect_uri": app.redirect_uri,
        "base": emu.base_url,
        "database_url": database_url,
        "keys": keys,
        "user_key": "alice",
    }
    results = run_workers("refresh", [args] * WORKERS, tmp_path)

    assert _token_grants(emu, "refresh_token") == 1
    assert sum(r["refreshed"] for r in results) == 1
    assert all(r["username"] == "emulator_user" for r in results)
    assert len({r["token"] for r in results}) == 1  # every worker uses the one saved token
    assert results[0]["token"] != login.tokens.access_token
    gets = [r for r in emu.requests if r.operation_id == "user_account/get"]
    assert len(gets) == WORKERS and all(r.status == 200 for r in gets)
    stored = conns.token_store("alice").load()
    assert stored.access_token == results[0]["token"]
    assert stored.refresh_token != login.tokens.refresh_token  # the rotated one was kept
    # ...and it works: one more refresh from the parent succeeds with it.
    assert app.refresh(stored.refresh_token or "").access_token
    conns.close()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_control_without_the_row_lock_refreshes_in_every_process(
    emu: Emulator, tmp_path: Path, keys: list[str]
) -> None:
    """The same race with the store's lock taken away: the workers refresh one over another,
    rotation spends the refresh token under all but one, and their requests fail. This is
    what the lock prevents (and shows that the workers above really did meet)."""
    database_url = f"sqlite:///{tmp_path / 'tokens.db'}"
    app = emu.register_app("http://localhost:8000/callback")
    conns = Connections(database_url, app, encryption_keys=keys)
    login = conns.complete_login(
        emu.authorize(conns.begin_login("alice", ["user_accounts:read"])), user_key="alice"
    )
    conns.save_tokens("alice", replace(login.tokens, expires_at=time.time() - 5))
    emu.clear_requests()
    args = {
        "client_id": app.client_id,
        "client_secret": emu.app_secret(app.client_id),
        "redirect_uri": app.redirect_uri,
        "base": emu.base_url,
        "database_url": database_url,
        "keys": keys,
        "user_key": "alice",
        "lockless": True,
    }
    results = run_workers("refresh", [args] * WORKERS, tmp_path)
    assert _token_grants(emu, "refresh_token") > 1
    assert any("error" in r for r in results)
    conns.close()
