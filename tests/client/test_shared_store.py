"""Processes that share a ``FileTokenStore`` refresh an expired token once: the others wait for
that refresh and use the token it saved (refresh tokens rotate, so a second refresh with the
same refresh token would be refused).

Eight processes (half of them on ``AsyncClient``) load the same store, wait at a barrier, and
make a request at the same instant, five times over; the emulator, served over HTTP here,
counts the refreshes.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

import pinkit
from pinkit.emulator import Emulator
from tests.client._loopback import LoopbackServer, trickle_answer

PROCESSES = 8
TRIALS = 5
DAY = 86_400

# One worker process: for each trial, "load PATH" makes a client on that store and answers
# "ready"; "go" makes the request and answers "ok" or the error.
WORKER = textwrap.dedent(
    """
    import sys, anyio, pinkit

    kind, base_url, client_id, secret = sys.argv[1:5]
    app = pinkit.OAuthApp(client_id, secret, "http://127.0.0.1/cb", api_base_url=base_url)

    def report(text):
        print(text, flush=True)

    def outcome(call):
        try:
            call()
        except Exception as exc:
            return f"fail {type(exc).__name__}: {exc}"
        return "ok"

    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "load":
            store = pinkit.FileTokenStore(argument)
            if kind == "sync":
                client = pinkit.Client(base_url=base_url, oauth_app=app, token_store=store)
                call = client.user_account.get
            else:
                client = pinkit.AsyncClient(base_url=base_url, oauth_app=app, token_store=store)
                call = lambda: anyio.run(client.user_account.get)
            report("ready")
        elif command == "go":
            report(outcome(call))
    """
)


class Workers:
    def __init__(self, emulator: Emulator, app: pinkit.OAuthApp) -> None:
        secret = emulator.app_secret(app.client_id)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PINTEREST_", "PINKIT_"))}
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, kind, emulator.base_url, app.client_id, secret],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            for kind in ["sync", "async"] * (PROCESSES // 2)
        ]

    def tell_all(self, line: str) -> list[str]:
        for proc in self.procs:  # the barrier: every worker is waiting for this line
            assert proc.stdin is not None
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
        answers = []
        for proc in self.procs:
            assert proc.stdout is not None
            answers.append(proc.stdout.readline().strip())
        return answers

    def close(self) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.close()
        for proc in self.procs:
            proc.wait(timeout=30)


@pytest.fixture
def workers(pinkit_emulator: Emulator) -> Iterator[Workers]:
    workers = Workers(pinkit_emulator, pinkit_emulator.default_app)
    try:
        yield workers
    finally:
        workers.close()


def _refreshes(emulator: Emulator) -> int:
    return sum(1 for r in emulator.requests if r.operation_id == "oauth/token")


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("expired", ["on the server (401 first)", "on the client's clock"])
def test_processes_sharing_a_store_refresh_once(
    pinkit_emulator: Emulator, workers: Workers, tmp_path: Path, expired: str
) -> None:
    results = []
    for trial in range(TRIALS):
        token = pinkit_emulator.issue_token()
        if expired.startswith("on the server"):
            pinkit_emulator.clock.advance(31 * DAY)  # the client still believes it valid
        else:
            token = pinkit.TokenSet(
                token.access_token, token.refresh_token, expires_at=time.time() - 1
            )
        path = tmp_path / f"trial-{trial}" / "tokens.json"
        pinkit.FileTokenStore(path).save(token)
        assert workers.tell_all(f"load {path}") == ["ready"] * PROCESSES
        pinkit_emulator.clear_requests()
        answers = workers.tell_all("go")
        saved = pinkit.FileTokenStore(path).load()
        assert saved is not None
        results.append(
            {
                "failures": [a for a in answers if a != "ok"],
                "refreshes": _refreshes(pinkit_emulator),
                "rotated": saved.refresh_token != token.refresh_token,
            }
        )
    summary = json.dumps(results, indent=1)
    assert all(r["failures"] == [] for r in results), summary
    assert [r["refreshes"] for r in results] == [1] * TRIALS, summary
    assert all(r["rotated"] for r in results), summary


class RotatedBehindOurBack(pinkit.MemoryTokenStore):
    """A store shared with someone who takes no lock: right after our client reads it to
    refresh (its second read: the first is when the client is made), that someone refreshes
    (rotating the refresh token) and saves the new tokens."""

    def __init__(self, token: pinkit.TokenSet, app: pinkit.OAuthApp) -> None:
        super().__init__(token)
        self._app = app
        self.loads = 0

    def load(self) -> pinkit.TokenSet | None:
        token = super().load()
        self.loads += 1
        if self.loads == 2 and token is not None and token.refresh_token:
            self.save(self._app.refresh(token.refresh_token))
        return token


def test_a_refused_refresh_uses_what_another_process_saved(pinkit_emulator: Emulator) -> None:
    app = pinkit_emulator.default_app
    token = pinkit_emulator.issue_token()
    expired = pinkit.TokenSet(token.access_token, token.refresh_token, expires_at=time.time() - 1)
    store = RotatedBehindOurBack(expired, app)
    with pinkit.Client(base_url=pinkit_emulator.base_url, oauth_app=app, token_store=store) as c:
        assert c.user_account.get().username
        other = store.load()
        assert other is not None
        assert c.token == other  # the other one's tokens, not a second rotation
    grants = [r.status for r in pinkit_emulator.requests if r.operation_id == "oauth/token"]
    assert grants == [200, 400]  # theirs, then ours with the spent refresh token, refused
    assert [r.status for r in pinkit_emulator.requests if r.operation_id == "user_account/get"] == [
        200
    ]


def test_a_refused_refresh_with_nothing_newer_is_an_oauth_error(pinkit_emulator: Emulator) -> None:
    app = pinkit_emulator.default_app
    token = pinkit_emulator.issue_token()
    assert token.refresh_token
    app.refresh(token.refresh_token)  # spends it; nobody saves the rotated one
    expired = pinkit.TokenSet(token.access_token, token.refresh_token, expires_at=time.time() - 1)
    with pinkit.Client(
        base_url=pinkit_emulator.base_url,
        oauth_app=app,
        token_store=pinkit.MemoryTokenStore(expired),
    ) as client:
        with pytest.raises(pinkit.OAuthError):
            client.user_account.get()


def test_the_file_lock_excludes_until_released(tmp_path: Path) -> None:
    store = pinkit.FileTokenStore(tmp_path / "cfg" / "tokens.json")
    first, second = store.lock(), store.lock()
    assert first.path == tmp_path / "cfg" / "tokens.json.lock"
    first.acquire()
    assert oct(first.path.stat().st_mode & 0o777) == "0o600"
    taken = threading.Event()
    waiter = threading.Thread(target=lambda: (second.acquire(), taken.set()))
    waiter.start()
    assert not taken.wait(0.3)  # held by the first lock
    first.release()
    assert taken.wait(5)
    waiter.join()
    second.release()
    second.release()  # releasing a lock not held does nothing
    assert _is_free(first.path)


def _is_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


@pytest.mark.anyio
async def test_a_cancelled_refresh_releases_the_lock(tmp_path: Path) -> None:
    """The token endpoint never finishes answering; the caller gives up: the lock is free."""
    with LoopbackServer(trickle_answer(every=0.2)) as server:
        app = pinkit.OAuthApp("1", "s", "http://127.0.0.1/cb", api_base_url=server.base_url)
        store = pinkit.FileTokenStore(tmp_path / "tokens.json")
        store.save(pinkit.TokenSet("pina_old", "pinr_old", expires_at=0.0))
        async with pinkit.AsyncClient(
            base_url=server.base_url, oauth_app=app, token_store=store
        ) as client:
            free = False
            with anyio.move_on_after(1) as scope:
                try:
                    await client.user_account.get()
                except anyio.get_cancelled_exc_class():
                    # Still inside the except: the traceback keeps the flow's frames alive, so
                    # no garbage collection has closed it; the runner must have.
                    free = _is_free(store.lock().path)
                    raise
            assert scope.cancelled_caught
            assert server.received[0].target == "/v5/oauth/token"
            assert free
