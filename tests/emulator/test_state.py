"""State file: survives restarts, shared safely by concurrent processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import httpx2

from pinkit.emulator import Emulator

from .conftest import bearer

WRITES_PER_PROCESS = 40


def test_state_file_survives_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with Emulator(state_path=state) as first:
        token = first.issue_token().access_token
        app = first.register_app("http://localhost/cb")
        first.clock.advance(3600)
        added = httpx2.post(
            f"{first.base_url}/user_account/websites",
            json={"website": "kept.example"},
            headers=bearer(token),
        )
        assert added.status_code == 200
        user_id, now = first.default_user_id, first.clock.now()
    with Emulator(state_path=state) as second:
        assert second.default_user_id == user_id
        assert second.app_secret(app.client_id)
        assert second.clock.now() >= now  # the clock offset is part of the state
        websites = httpx2.get(f"{second.base_url}/user_account/websites", headers=bearer(token))
        assert websites.status_code == 200  # the token from the first run still works
        assert "kept.example" in [w["website"] for w in websites.json()["items"]]


def _writer(state: str, tag: str) -> None:
    emulator = Emulator(state_path=state)
    token = emulator.issue_token().access_token
    with emulator.http_client(headers=bearer(token)) as api:
        for n in range(WRITES_PER_PROCESS):
            response = api.post("/user_account/websites", json={"website": f"{tag}-{n}.example"})
            assert response.status_code == 200, response.text
            emulator.register_app(f"http://localhost/{tag}/{n}")
    emulator.close()


def test_two_processes_share_a_state_file(tmp_path: Path) -> None:
    state = str(tmp_path / "shared.sqlite")
    Emulator(state_path=state).close()  # create and seed once
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(state, tag)) for tag in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    emulator = Emulator(state_path=state)
    try:
        emulator.seed_followers(0)
        with emulator.store_read() as tx:
            websites = [d.data["website"] for d in tx.list("website")]
            apps = [d.id for d in tx.list("oauth_app")]
        expected = {f"{t}-{n}.example" for t in "ab" for n in range(WRITES_PER_PROCESS)}
        assert expected <= set(websites)
        assert len(apps) == len(set(apps)) == 1 + 2 * WRITES_PER_PROCESS
    finally:
        emulator.close()


def test_a_fresh_file_opened_while_another_connection_writes_to_it(tmp_path: Path) -> None:
    """What eight processes making the same fresh state at once run into: switching the new file
    to WAL while another connection holds its write lock fails at once in SQLite, whatever the
    busy timeout. The emulator waits for the lock instead of refusing the file."""
    state = tmp_path / "fresh.sqlite"
    other = sqlite3.connect(state, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # the file exists, still in rollback-journal mode
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        started = time.monotonic()
        emulator = Emulator(state_path=state)
        assert time.monotonic() - started >= 0.2  # it waited for the other writer
        assert emulator.issue_token().access_token
        emulator.close()
    finally:
        release.join()
        other.close()
    check = sqlite3.connect(state)
    assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    check.close()


def test_counts_by_kind(tmp_path: Path) -> None:
    emulator = Emulator(state_path=tmp_path / "counted.sqlite")
    try:
        board_id = emulator.seed_pins(3)
        with emulator.store_read() as tx:
            kinds = tx.kinds()
            assert kinds["pin"] == 3 == tx.count("pin", where={"board": board_id})
            assert kinds["board"] == 1
            assert kinds["user"] == 1
            assert all(count > 0 for count in kinds.values())
    finally:
        emulator.close()
