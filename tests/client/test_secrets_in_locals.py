"""No secret in the locals that tools print: calls that fail in several ways (401, refused
refresh, timeout, bad input), rendered the ways tools render them (``traceback`` with
``capture_locals``, rich's ``Traceback(show_locals=True)``, an error reporter that walks every
local the way Sentry does, and ``pytest --showlocals`` in a subprocess), show no access token,
refresh token, client secret or authorization code in clear, only their masked forms.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from rich.console import Console
from rich.traceback import Traceback

import pinkit
from pinkit._redact import mask
from pinkit.emulator import Emulator
from tests.client._loopback import LoopbackServer

REDIRECT = "http://127.0.0.1:8085/callback"
DAY = 86_400


class Secrets:
    """The clear values no rendering may show, and a check of every rendering."""

    def __init__(self) -> None:
        self.values: set[str] = set()

    def add(self, *values: str | None) -> None:
        self.values |= {v for v in values if v}

    def assert_absent(self, exc: BaseException) -> dict[str, str]:
        renderings = render(exc)
        for how, text in renderings.items():
            for value in self.values:
                assert value not in text, f"a secret ({mask(value)}) shows in the {how} output"
        return renderings


def _frames(exc: BaseException) -> Iterator[dict[str, Any]]:
    """The locals of every frame of ``exc``'s traceback and of the exceptions it chains (as
    printed: a context suppressed with ``from None`` is not)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        tb: TracebackType | None = current.__traceback__
        while tb is not None:
            yield dict(tb.tb_frame.f_locals)
            tb = tb.tb_next
        if current.__cause__ is not None:
            todo.append(current.__cause__)
        if current.__context__ is not None and not current.__suppress_context__:
            todo.append(current.__context__)


def _walk(value: Any, out: list[str], depth: int = 0) -> None:
    """What an error reporter (Sentry's serializer) records of a local: mappings and
    sequences item by item, anything else as its repr."""
    if depth > 10:
        return
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, Mapping):
        for key, item in list(value.items())[:200]:
            _walk(key, out, depth + 1)
            _walk(item, out, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in list(value)[:200]:
            _walk(item, out, depth + 1)
    else:
        try:
            out.append(repr(value))
        except Exception as problem:  # a repr that fails shows nothing
            out.append(type(problem).__name__)


def render(exc: BaseException) -> dict[str, str]:
    stdlib = "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    out = io.StringIO()
    console = Console(file=out, width=3000, color_system=None, legacy_windows=False)
    console.print(
        Traceback.from_exception(
            type(exc),
            exc,
            exc.__traceback__,
            show_locals=True,
            locals_max_length=10_000,
            locals_max_string=10_000,
            width=3000,
        )
    )
    walked: list[str] = []
    for frame_locals in _frames(exc):
        _walk(frame_locals, walked)
    return {"traceback": stdlib, "rich": out.getvalue(), "reporter": "\n".join(walked)}


def failing(call: Callable[[], object]) -> BaseException:
    """The error ``call`` raises; its traceback starts here, not in the test."""
    try:
        call()
    except pinkit.PinterestError as exc:
        return exc
    raise AssertionError("the call did not fail")


async def afailing(call: Callable[[], Awaitable[object]]) -> BaseException:
    try:
        await call()
    except pinkit.PinterestError as exc:
        return exc
    raise AssertionError("the call did not fail")


def _login(emulator: Emulator, secrets: Secrets) -> tuple[pinkit.OAuthApp, pinkit.TokenSet]:
    app = emulator.register_app(REDIRECT)
    url, _ = app.authorization_url(["user_accounts:read", "pins:read"])
    code = pinkit.Secret(parse_qs(urlsplit(emulator.authorize(url)).query)["code"][0])
    token = app.exchange_code(code.get_secret_value())
    secrets.add(
        code.get_secret_value(), app._client_secret, token.access_token, token.refresh_token
    )
    return app, token


@pytest.fixture
def secrets() -> Secrets:
    return Secrets()


@pytest.fixture
def silent() -> Iterator[LoopbackServer]:
    """A server that reads requests and never answers."""
    with LoopbackServer(lambda conn, request: None) as server:
        yield server


def test_a_401(pinkit_emulator: Emulator, secrets: Secrets) -> None:
    _app, token = _login(pinkit_emulator, secrets)
    pinkit_emulator.clock.advance(31 * DAY)
    with pinkit.Client(token.access_token, base_url=pinkit_emulator.base_url) as client:
        exc = failing(lambda: client.user_account.get())
    assert isinstance(exc, pinkit.AuthenticationError)
    shown = secrets.assert_absent(exc)
    assert mask(token.access_token) in shown["rich"]  # the frame with the token was shown


def test_a_refused_refresh(pinkit_emulator: Emulator, secrets: Secrets, tmp_path: Path) -> None:
    app, token = _login(pinkit_emulator, secrets)
    assert token.refresh_token
    secrets.add(*_spend(app, token.refresh_token))
    pinkit_emulator.clock.advance(31 * DAY)
    for store in (pinkit.MemoryTokenStore(token), pinkit.FileTokenStore(tmp_path / "t.json")):
        store.save(token)
        with pinkit.Client(
            base_url=pinkit_emulator.base_url, oauth_app=app, token_store=store
        ) as client:
            exc = failing(lambda: client.user_account.get())
        assert isinstance(exc, pinkit.OAuthError)
        shown = secrets.assert_absent(exc)
        assert mask(token.refresh_token) in shown["rich"]
    exc = failing(lambda: app.refresh(token.refresh_token or ""))
    assert isinstance(exc, pinkit.OAuthError)
    secrets.assert_absent(exc)


def _spend(app: pinkit.OAuthApp, refresh_token: str) -> tuple[str, str | None]:
    """Refresh once, so that ``refresh_token`` is spent; the new tokens are secrets too."""
    new = app.refresh(refresh_token)
    return new.access_token, new.refresh_token


def test_a_code_used_twice(pinkit_emulator: Emulator, secrets: Secrets) -> None:
    app = pinkit_emulator.register_app(REDIRECT)
    url, _ = app.authorization_url(["user_accounts:read"])
    code = pinkit.Secret(parse_qs(urlsplit(pinkit_emulator.authorize(url)).query)["code"][0])
    first = app.exchange_code(code.get_secret_value())
    secrets.add(code.get_secret_value(), app._client_secret, first.access_token)
    secrets.add(first.refresh_token)
    exc = failing(lambda: app.exchange_code(code.get_secret_value()))
    assert isinstance(exc, pinkit.OAuthError)
    secrets.assert_absent(exc)


def test_timeouts(pinkit_emulator: Emulator, secrets: Secrets, silent: LoopbackServer) -> None:
    app, token = _login(pinkit_emulator, secrets)
    with pinkit.Client(
        token.access_token, base_url=silent.base_url, timeout=0.3, max_retries=0
    ) as client:
        exc = failing(lambda: client.user_account.get())
    assert isinstance(exc, pinkit.APITimeoutError)
    secrets.assert_absent(exc)
    # A refresh that times out: the token endpoint is the silent server.
    slow_app = pinkit.OAuthApp(
        app.client_id, app._client_secret, REDIRECT, api_base_url=silent.base_url
    )
    expired = pinkit.TokenSet(token.access_token, token.refresh_token, expires_at=time.time() - 1)
    with pinkit.Client(
        base_url=silent.base_url,
        oauth_app=slow_app,
        token_store=pinkit.MemoryTokenStore(expired),
        timeout=0.3,
        max_retries=0,
    ) as client:
        exc = failing(lambda: client.user_account.get())
    assert isinstance(exc, pinkit.APITimeoutError)
    shown = secrets.assert_absent(exc)
    assert "refresh_flow" in shown["traceback"]


def test_bad_input(
    pinkit_emulator: Emulator, secrets: Secrets, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, token = _login(pinkit_emulator, secrets)
    assert token.refresh_token
    odd = pinkit.Secret("pina_" + "x" * 20 + "\r\nX-Evil: 1")
    secrets.add(odd.get_secret_value())
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"refresh_token": token.refresh_token}))  # no access_token
    calls: list[Callable[[], object]] = [
        lambda: pinkit.Client(token.access_token, base_url="ftp://example.com/v5"),
        lambda: pinkit.Client(token.access_token, timeout=float("nan")),
        lambda: pinkit.Client(token.access_token, ad_account_id="not-an-id"),
        lambda: pinkit.OAuthApp("", app._client_secret, REDIRECT),
        lambda: app.refresh(token.refresh_token or "", scopes=["boards:everything"]),
        lambda: pinkit.Client(odd.get_secret_value(), base_url=pinkit_emulator.base_url).request(
            "GET", "/user_account"
        ),
        lambda: pinkit.Client(token.access_token, base_url=pinkit_emulator.base_url).request(
            "GET", "https://elsewhere.example/v5/user_account"
        ),
        lambda: pinkit.FileTokenStore(path).load(),
    ]
    for call in calls:
        exc = failing(call)
        assert isinstance(exc, pinkit.InvalidInputError)
        secrets.assert_absent(exc)
    # Settings from the environment: the frames that read it show no value of it.
    monkeypatch.setenv("PINTEREST_ACCESS_TOKEN", token.access_token)
    monkeypatch.setenv("PINTEREST_REFRESH_TOKEN", token.refresh_token)
    monkeypatch.setenv("PINTEREST_CLIENT_ID", app.client_id)
    monkeypatch.setenv("PINTEREST_CLIENT_SECRET", app._client_secret)
    exc = failing(lambda: pinkit.Client(base_url="ftp://example.com/v5"))
    shown = secrets.assert_absent(exc)
    assert "Environment(<values hidden>)" in shown["rich"]


@pytest.mark.anyio
async def test_async_failures(
    pinkit_emulator: Emulator, secrets: Secrets, silent: LoopbackServer
) -> None:
    app, token = _login(pinkit_emulator, secrets)
    assert token.refresh_token
    secrets.add(*_spend(app, token.refresh_token))
    pinkit_emulator.clock.advance(31 * DAY)
    async with pinkit.AsyncClient(token.access_token, base_url=pinkit_emulator.base_url) as c:
        exc = await afailing(lambda: c.user_account.get())
    assert isinstance(exc, pinkit.AuthenticationError)
    secrets.assert_absent(exc)
    async with pinkit.AsyncClient(
        base_url=pinkit_emulator.base_url, oauth_app=app, token_store=pinkit.MemoryTokenStore(token)
    ) as c:
        exc = await afailing(lambda: c.user_account.get())
    assert isinstance(exc, pinkit.OAuthError)
    secrets.assert_absent(exc)
    async with pinkit.AsyncClient(
        token.access_token, base_url=silent.base_url, timeout=0.3, max_retries=0
    ) as c:
        exc = await afailing(lambda: c.user_account.get())
    assert isinstance(exc, pinkit.APITimeoutError)
    secrets.assert_absent(exc)
    exc = await afailing(lambda: app.arefresh(token.refresh_token or ""))
    secrets.assert_absent(exc)


def test_an_error_body_is_redacted_like_the_message(inproc_emulator: Emulator) -> None:
    leaked = "pina_" + "s" * 40
    inproc_emulator.inject_fault(
        400,
        operation="user_account/get",
        body={
            "code": 1,
            "message": f"bad token {leaked}",
            "echo": {"access_token": "plain-secret-value", "note": f"Bearer {leaked}"},
        },
    )
    with inproc_emulator.client() as client:
        exc = failing(lambda: client.user_account.get())
    assert isinstance(exc, pinkit.BadRequestError)
    assert exc.code == 1
    assert leaked not in repr(exc.body)
    assert "plain-secret-value" not in repr(exc.body)
    assert exc.body["echo"]["access_token"] == "[REDACTED]"


# -- pytest --showlocals ----------------------------------------------------------------------

FAILING_TESTS = '''
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pinkit

SECRETS = Path(__file__).with_name("secrets.txt")
DAY = 86_400


def _note(*values):
    """Keep the clear values for the scan (in a file: never a local of a failing frame)."""
    with SECRETS.open("a") as fh:
        for value in values:
            if value:
                fh.write(value + "\\n")


def _login(emulator):
    app = emulator.register_app("http://127.0.0.1:8085/cb")
    url, _ = app.authorization_url(["user_accounts:read"])
    code = pinkit.Secret(parse_qs(urlsplit(emulator.authorize(url)).query)["code"][0])
    _note(code.get_secret_value(), app._client_secret)
    token = app.exchange_code(code.get_secret_value())
    _note(token.access_token, token.refresh_token)
    return app, token


def test_401(pinkit_emulator):
    _app, token = _login(pinkit_emulator)
    pinkit_emulator.clock.advance(31 * DAY)
    with pinkit.Client(token.access_token, base_url=pinkit_emulator.base_url) as client:
        client.user_account.get()


def test_refused_refresh(pinkit_emulator, tmp_path):
    app, token = _login(pinkit_emulator)
    new = app.refresh(token.refresh_token)
    _note(new.access_token, new.refresh_token)
    pinkit_emulator.clock.advance(31 * DAY)
    store = pinkit.FileTokenStore(tmp_path / "tokens.json")
    store.save(token)
    with pinkit.Client(
        base_url=pinkit_emulator.base_url, oauth_app=app, token_store=store
    ) as client:
        client.user_account.get()


def test_timeout(pinkit_emulator):
    import socket
    app, token = _login(pinkit_emulator)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        base_url = f"http://127.0.0.1:{silent.getsockname()[1]}/v5"
        expired = pinkit.TokenSet(token.access_token, token.refresh_token, expires_at=1.0)
        slow = pinkit.OAuthApp(app.client_id, app._client_secret, "x", api_base_url=base_url)
        with pinkit.Client(
            base_url=base_url,
            oauth_app=slow,
            token_store=pinkit.MemoryTokenStore(expired),
            timeout=0.3,
            max_retries=0,
        ) as client:
            client.user_account.get()


def test_bad_input(pinkit_emulator):
    app, token = _login(pinkit_emulator)
    app.refresh(token.refresh_token, scopes=["boards:everything"])


def test_bad_base_url(pinkit_emulator):
    _app, token = _login(pinkit_emulator)
    pinkit.Client(token.access_token, base_url="ftp://example.com/v5")
'''


@pytest.mark.slow
@pytest.mark.timeout(180)  # a whole inner pytest run in a subprocess
def test_pytest_showlocals(tmp_path: Path) -> None:
    test_file = tmp_path / "test_failing.py"
    test_file.write_text(textwrap.dedent(FAILING_TESTS))
    run = subprocess.run(
        [
            sys.executable,
            *("-m", "pytest", str(test_file), "--showlocals", "-vv", "--tb=long"),
            *("-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    output = run.stdout + run.stderr
    assert "5 failed" in output, output[-3000:]
    assert "stale_access_token" in output  # the refresh frames' locals were printed
    values = (tmp_path / "secrets.txt").read_text().split()
    assert len(values) >= 12
    for value in values:
        assert value not in output, f"a secret ({mask(value)}) shows in pytest --showlocals"


@pytest.mark.parametrize("served", [True, False], ids=["over HTTP", "in-process"])
def test_emulator_request_records_are_redacted(served: bool) -> None:
    secrets = Secrets()
    emulator = Emulator()
    try:
        if served:
            emulator.start()
        app, token = _login(emulator, secrets)
        assert token.refresh_token
        secrets.add(*_spend(app, token.refresh_token))
        with emulator.client() as client:
            client.user_account.get()
            client.boards.create("Basic soups", description="pina colada, bearer of news")
            sent = client.token
        assert sent is not None
        secrets.add(sent.access_token)
        records = emulator.requests
    finally:
        emulator.close()
    texts = [repr(records)]
    for record in records:
        texts += [str(record.headers), record.body.decode(), record.response_body.decode()]
        texts.append(str(record.as_dict()))
    for value in secrets.values:
        assert all(value not in text for text in texts), mask(value)
    grants = [r for r in records if r.operation_id == "oauth/token"]
    assert parse_qs(grants[0].body.decode())["continuous_refresh"] == ["true"]
    assert parse_qs(grants[0].body.decode())["code"] == ["[REDACTED]"]
    assert grants[0].headers["authorization"].startswith("Basic …#")
    assert grants[0].response_json()["access_token"] == "[REDACTED]"
    get = next(r for r in records if r.operation_id == "user_account/get")
    assert get.headers["authorization"] == f"Bearer {mask(sent.access_token)}"
    board = next(r for r in records if r.operation_id == "boards/create")
    assert board.json() == {"name": "Basic soups", "description": "pina colada, bearer of news"}
