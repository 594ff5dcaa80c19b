"""``pinkit.web.Connections`` on SQLite and PostgreSQL, against the emulator: the login and
its states, the stored tokens (encrypted: a dump of the database shows none), clients per
user, status, disconnect, key rotation, the schema version."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy

import pinkit
from pinkit.emulator import Emulator
from pinkit.web import (
    SCHEMA_VERSION,
    AccessDeniedError,
    Connections,
    LoginStateError,
    NotConnectedError,
    StorageError,
    generate_key,
)

SCOPES = ["user_accounts:read", "boards:read"]
CALLBACK = "http://localhost:8000/callback"


@pytest.fixture
def app(emu: Emulator) -> pinkit.OAuthApp:
    return emu.register_app(CALLBACK)


@pytest.fixture
def conns(database_url: str, app: pinkit.OAuthApp, keys: list[str]) -> Any:
    connections = Connections(database_url, app, encryption_keys=keys)
    yield connections
    connections.close()


def login(conns: Connections, emu: Emulator, user: str = "alice", **kw: Any) -> Any:
    return conns.complete_login(emu.authorize(conns.begin_login(user, SCOPES, **kw)), user_key=user)


def token_grants(emu: Emulator) -> int:
    return sum(1 for r in emu.requests if r.operation_id == "oauth/token")


def raw_rows(database_url: str) -> list[str]:
    engine = sqlalchemy.create_engine(
        database_url.replace("postgresql+psycopg", "postgresql+psycopg")
    )
    with engine.connect() as conn:
        rows = []
        for table in ("pinkit_tokens", "pinkit_login_states", "pinkit_meta"):
            rows += [repr(tuple(r)) for r in conn.exec_driver_sql(f"SELECT * FROM {table}")]
    engine.dispose()
    return rows


def dump(database_url: str, request: pytest.FixtureRequest) -> str:
    """The database as its own dump tool writes it: ``sqlite3``'s ``.dump``, ``pg_dump``."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        text = "\n".join(conn.iterdump())
        conn.close()
        return text
    server = request.getfixturevalue("postgres_server")
    url = sqlalchemy.engine.make_url(database_url)
    result = subprocess.run(
        [
            server.tool("pg_dump"),
            "-h",
            "127.0.0.1",
            "-p",
            str(url.port),
            "-U",
            "postgres",
            url.database,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


# -- the login --------------------------------------------------------------------------------


def test_login_stores_tokens_and_the_client_uses_them(conns: Connections, emu: Emulator) -> None:
    url = conns.begin_login("alice", SCOPES, return_to="/settings?tab=pinterest")
    assert url.startswith(emu.authorize_url) and "state=" in url
    result = conns.complete_login(emu.authorize(url), user_key="alice")
    assert result.return_to == "/settings?tab=pinterest"
    assert set(result.scopes) == set(SCOPES) and result.user_key == "alice"
    status = conns.status("alice")
    assert status.connected and set(status.scopes) == set(SCOPES)
    assert status.expires_at == result.tokens.refresh_token_expires_at
    assert status.access_expires_at == result.tokens.expires_at
    with conns.client("alice") as client:
        assert client.user_account.get().username == "emulator_user"
        assert client._tokens.rate_key == conns.rate_limit_key("alice")
    assert not conns.status("bob").connected


def test_a_forged_state_stores_nothing(conns: Connections, emu: Emulator) -> None:
    conns.begin_login("alice", SCOPES)
    before = token_grants(emu)
    with pytest.raises(LoginStateError, match="unknown"):
        conns.complete_login(f"{CALLBACK}?code=stolen&state=made-up", user_key="alice")
    with pytest.raises(LoginStateError, match="no state"):
        conns.complete_login(f"{CALLBACK}?code=stolen", user_key="alice")
    assert token_grants(emu) == before  # the code was never exchanged
    assert not conns.status("alice").connected


def test_a_state_works_once(conns: Connections, emu: Emulator) -> None:
    callback = emu.authorize(conns.begin_login("alice", SCOPES))
    conns.complete_login(callback, user_key="alice")
    with pytest.raises(LoginStateError, match="already used"):
        conns.complete_login(callback, user_key="alice")


def test_an_expired_state_is_refused(conns: Connections, emu: Emulator) -> None:
    callback = emu.authorize(conns.begin_login("alice", SCOPES))
    emu.clock.advance(601)  # Connections reads the emulator's clock (the app's)
    with pytest.raises(LoginStateError, match="10 minutes"):
        conns.complete_login(callback, user_key="alice")
    assert not conns.status("alice").connected


def test_another_users_state_is_refused_and_left_to_its_owner(
    conns: Connections, emu: Emulator
) -> None:
    callback = emu.authorize(conns.begin_login("alice", SCOPES))
    with pytest.raises(LoginStateError, match="another user"):
        conns.complete_login(callback, user_key="mallory")
    assert not conns.status("mallory").connected
    assert conns.complete_login(callback, user_key="alice").user_key == "alice"


def test_access_denied(conns: Connections, emu: Emulator) -> None:
    url = conns.begin_login("alice", SCOPES, return_to="/back")
    denied = emu.authorize(url, approve=False)
    with pytest.raises(AccessDeniedError) as caught:
        conns.complete_login(denied, user_key="alice")
    assert caught.value.return_to == "/back"
    assert isinstance(caught.value, pinkit.PinterestError)
    assert issubclass(LoginStateError, pinkit.PinterestError)
    assert not conns.status("alice").connected
    with pytest.raises(LoginStateError):  # the state was used up by the denial
        conns.complete_login(denied, user_key="alice")


@pytest.mark.parametrize(
    "return_to",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "settings", "/a\nb"],
)
def test_return_to_stays_on_the_site(conns: Connections, return_to: str) -> None:
    with pytest.raises(pinkit.InvalidInputError, match="return_to"):
        conns.begin_login("alice", SCOPES, return_to=return_to)


def test_bad_inputs(conns: Connections) -> None:
    with pytest.raises(pinkit.InvalidInputError, match="scope"):
        conns.begin_login("alice", ["pins:everything"])
    with pytest.raises(pinkit.InvalidInputError, match="user_key"):
        conns.begin_login("", SCOPES)
    with pytest.raises(NotConnectedError):
        conns.client("nobody")


# -- storage ----------------------------------------------------------------------------------


def test_no_token_is_readable_in_the_tables_or_a_dump(
    conns: Connections, emu: Emulator, database_url: str, request: pytest.FixtureRequest
) -> None:
    tokens = login(conns, emu).tokens
    pending = conns.begin_login("bob", SCOPES)
    state = pending.split("state=")[1].split("&")[0]
    with conns.client("alice") as client:
        client.fresh_token()
    secrets_ = [tokens.access_token, tokens.refresh_token, state]
    secrets_ += [t[5:25] for t in (tokens.access_token, tokens.refresh_token or "")]
    rows = "\n".join(raw_rows(database_url))
    text = dump(database_url, request)
    assert "pinkit_tokens" in text and "alice" in text  # the dump holds the rows...
    for secret in secrets_:
        assert secret and secret not in rows and secret not in text  # ...but no token


def test_without_keys_it_refuses_to_start(database_url: str, app: pinkit.OAuthApp) -> None:
    with pytest.raises(pinkit.InvalidInputError, match="PINKIT_TOKEN_KEYS"):
        Connections(database_url, app, env={})
    with pytest.raises(pinkit.InvalidInputError, match="not a Fernet key"):
        Connections(database_url, app, encryption_keys=["too-short"])


def test_unencrypted_only_when_allowed_and_with_a_warning(
    database_url: str, app: pinkit.OAuthApp, emu: Emulator
) -> None:
    with pytest.warns(UserWarning, match="UNENCRYPTED"):
        conns = Connections(database_url, app, allow_unencrypted=True, env={})
    tokens = login(conns, emu).tokens
    assert tokens.access_token in "\n".join(raw_rows(database_url))  # what the keys prevent
    conns.close()


def test_keys_from_the_environment(database_url: str, app: pinkit.OAuthApp, emu: Emulator) -> None:
    old, new = generate_key(), generate_key()
    conns = Connections(database_url, app, env={"PINKIT_TOKEN_KEYS": f"{new}, {old}"})
    login(conns, emu)
    assert conns.token_store("alice").load().access_token
    conns.close()


def test_rotate_keys(database_url: str, app: pinkit.OAuthApp, emu: Emulator) -> None:
    old, new = generate_key(), generate_key()
    first = Connections(database_url, app, encryption_keys=[old])
    login(first, emu, "alice")
    login(first, emu, "bob")
    first.close()
    both = Connections(database_url, app, encryption_keys=[new, old])
    assert both.rotate_keys() == 2
    assert both.rotate_keys() == 0  # already under the newest key
    both.close()
    only_new = Connections(database_url, app, encryption_keys=[new])
    assert only_new.token_store("alice").load().access_token
    with only_new.client("bob") as client:
        assert client.user_account.get().username
    only_new.close()
    only_old = Connections(database_url, app, encryption_keys=[old])
    with pytest.raises(StorageError, match="no key decrypts"):
        only_old.token_store("alice").load()
    only_old.close()


def test_a_row_copied_onto_another_user_is_refused(
    conns: Connections, emu: Emulator, database_url: str
) -> None:
    login(conns, emu, "alice")
    login(conns, emu, "mallory")
    engine = sqlalchemy.create_engine(database_url)
    with engine.begin() as conn:
        data = conn.exec_driver_sql(
            "SELECT token_data FROM pinkit_tokens WHERE user_key = 'alice'"
        ).scalar()
        conn.exec_driver_sql(
            "UPDATE pinkit_tokens SET token_data = %s WHERE user_key = 'mallory'"
            if database_url.startswith("postgresql")
            else "UPDATE pinkit_tokens SET token_data = ? WHERE user_key = 'mallory'",
            (data,),
        )
    engine.dispose()
    with pytest.raises(StorageError, match="another user"):
        conns.token_store("mallory").load()


def test_the_schema_carries_its_version(
    conns: Connections, emu: Emulator, database_url: str, app: pinkit.OAuthApp, keys: list[str]
) -> None:
    login(conns, emu)
    assert conns.db.schema_version() == SCHEMA_VERSION == 1
    assert "('schema_version', '1')" in raw_rows(database_url)
    engine = sqlalchemy.create_engine(database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE pinkit_meta SET value = '99' WHERE name = 'schema_version'")
    engine.dispose()
    newer = Connections(database_url, app, encryption_keys=keys)
    with pytest.raises(StorageError, match="newer"):
        newer.status("alice")
    newer.close()


def test_a_refresh_is_saved_to_the_database(conns: Connections, emu: Emulator) -> None:
    tokens = login(conns, emu).tokens
    conns.save_tokens("alice", replace(tokens, expires_at=time.time() - 1))
    with conns.client("alice") as client:
        client.user_account.get()
    stored = conns.token_store("alice").load()
    assert stored.refresh_token != tokens.refresh_token
    assert stored.expires_at is not None and stored.expires_at > time.time()
    assert conns.status("alice").refreshes == 2  # the save above and the refresh


# -- disconnect -------------------------------------------------------------------------------


def test_disconnect_revokes_then_deletes(conns: Connections, emu: Emulator) -> None:
    tokens = login(conns, emu).tokens
    assert conns.disconnect("alice") is True
    assert not conns.status("alice").connected
    with pytest.raises(pinkit.OAuthError):
        conns.oauth_app.refresh(tokens.refresh_token or "")
    with pytest.raises(NotConnectedError):
        conns.client("alice")
    assert conns.disconnect("alice") is False  # nothing stored any more


def test_disconnect_deletes_even_when_pinterest_refuses(conns: Connections, emu: Emulator) -> None:
    login(conns, emu)
    emu.inject_fault(403, operation="token/revoke", count=2)  # only system users' tokens
    assert conns.disconnect("alice") is False
    assert not conns.status("alice").connected


# -- async ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_async_methods(conns: Connections, emu: Emulator) -> None:
    url = await conns.abegin_login("carol", SCOPES, return_to="/done")
    result = await conns.acomplete_login(emu.authorize(url), user_key="carol")
    assert result.return_to == "/done"
    conns.save_tokens("carol", replace(result.tokens, expires_at=time.time() - 1))
    async with conns.async_client("carol") as client:
        assert (await client.user_account.get()).username == "emulator_user"
    assert (await conns.astatus("carol")).connected
    assert await conns.arotate_keys() == 0
    assert await conns.adisconnect("carol") is True
    assert not (await conns.astatus("carol")).connected
    async with conns.async_client("carol") as client:
        with pytest.raises(NotConnectedError):
            await client.user_account.get()
    await conns.aclose()
