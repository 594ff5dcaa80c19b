"""The Flask and Django examples of docs/webapp.md, run as written, with each framework's own
test client, against the emulator: connect (approve), the boards, Deny, a forged state.

The blocks are found by their markers (``<!-- example: elsewhere=NAME ... -->`` just before
the block, which the generic docs runner leaves to this test), so what runs here is what the
page shows.
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from pinkit.emulator import Emulator
from pinkit.web import generate_key

DOC = Path(__file__).resolve().parents[2] / "docs" / "webapp.md"
MARKED = re.compile(r"<!-- example: elsewhere=([\w-]+)[^>]*-->\s*```python\n(.*?)```", re.S)


def examples() -> dict[str, str]:
    return dict(MARKED.findall(DOC.read_text()))


def test_the_page_marks_its_framework_examples() -> None:
    assert set(examples()) >= {"webapp-setup", "webapp-flask", "webapp-django"}


@pytest.fixture
def configured(emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The environment the set-up block reads, for an app whose callback is on ``host``."""

    def configure(host: str) -> None:
        app = emu.register_app(f"http://{host}/pinterest/callback")
        for name, value in {
            "PINTEREST_CLIENT_ID": app.client_id,
            "PINTEREST_CLIENT_SECRET": emu.app_secret(app.client_id),
            "PINTEREST_REDIRECT_URI": app.redirect_uri,
            "PINTEREST_API_URI": emu.base_url,
            "PINTEREST_AUTHORIZE_URL": emu.authorize_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'tokens.db'}",
            "PINKIT_TOKEN_KEYS": generate_key(),
            "FLASK_SECRET_KEY": "flask-secret-for-tests",
        }.items():
            monkeypatch.setenv(name, value)
        with emu.client() as client:
            client.boards.create("Kitchen")

    return configure


def run(*names: str, module: str) -> types.ModuleType:
    """The blocks ``names``, run in order as one new module."""
    namespace = types.ModuleType(module)
    sys.modules[module] = namespace
    for name in names:
        exec(compile(examples()[name], f"docs/webapp.md:{name}", "exec"), namespace.__dict__)
    return namespace


def test_flask(emu: Emulator, configured: Any) -> None:
    configured("localhost")
    docs = run("webapp-setup", "webapp-flask", module="pinkit_docs_flask")
    client = docs.app.test_client()
    with client.session_transaction() as session:
        session["user_id"] = "alice"

    assert client.get("/boards").headers["location"] == "/pinterest/connect"  # not yet
    started = client.get("/pinterest/connect")
    assert started.status_code == 302
    assert started.headers["location"].startswith(emu.authorize_url)
    done = client.get(emu.authorize(started.headers["location"]))
    assert done.status_code == 302 and done.headers["location"] == "/boards"
    assert client.get("/boards").json == {"boards": ["Kitchen"]}

    denied = client.get(emu.authorize(client.get("/pinterest/connect").location, approve=False))
    assert (denied.status_code, denied.text) == (403, "You chose not to connect Pinterest.")
    forged = client.get("/pinterest/callback?code=stolen&state=forged")
    assert forged.status_code == 400 and "not valid here" in forged.text
    docs.conns.close()


def test_django(emu: Emulator, configured: Any) -> None:
    import django
    from django.conf import settings
    from django.test import Client
    from django.urls import clear_url_caches

    configured("testserver")
    docs = run("webapp-setup", "webapp-django", module="pinkit_docs_django")
    if not settings.configured:
        settings.configure(
            SECRET_KEY="django-secret-for-tests-" + "x" * 30,
            ROOT_URLCONF="pinkit_docs_django",
            ALLOWED_HOSTS=["testserver"],
            INSTALLED_APPS=["django.contrib.sessions"],
            MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
            SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
            DATABASES={},
        )
        django.setup()
    clear_url_caches()
    client = Client()
    session = client.session
    session["user_id"] = "bob"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    assert client.get("/boards").headers["location"] == "/pinterest/connect"
    started = client.get("/pinterest/connect")
    assert started.status_code == 302
    callback = urlsplit(emu.authorize(started.headers["location"]))
    done = client.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 302 and done.headers["location"] == "/boards"
    assert client.get("/boards").json() == {"boards": ["Kitchen"]}

    denied = urlsplit(emu.authorize(client.get("/pinterest/connect")["location"], approve=False))
    answer = client.get(f"{denied.path}?{denied.query}")
    assert answer.status_code == 403
    forged = client.get("/pinterest/callback", {"code": "stolen", "state": "forged"})
    assert forged.status_code == 400
    docs.conns.close()
