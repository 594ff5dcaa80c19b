"""A token store with ``lock()``: the refresh runs under it, from the reload to the save."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import pinkit
from pinkit.emulator import Emulator


class LockingStore(pinkit.MemoryTokenStore):
    def __init__(self, token: pinkit.TokenSet) -> None:
        super().__init__(token)
        self.events: list[str] = []

    def load(self) -> pinkit.TokenSet | None:
        self.events.append("load")
        return super().load()

    def save(self, token: pinkit.TokenSet) -> None:
        self.events.append("save")
        super().save(token)

    def lock(self) -> Any:
        store = self

        class Lock:
            def acquire(self) -> None:
                store.events.append("acquire")

            def release(self) -> None:
                store.events.append("release")

        return Lock()


def expired(emu: Emulator) -> pinkit.TokenSet:
    from dataclasses import replace

    return replace(emu.issue_token(["user_accounts:read"]), expires_at=0.0)


def test_the_refresh_holds_the_store_lock_from_reload_to_save(
    inproc_emulator: Emulator,
) -> None:
    emu = inproc_emulator
    store = LockingStore(expired(emu))
    with emu.client(access_token=None, token_store=store, oauth_app=emu.default_app) as client:
        store.events.clear()
        client.user_account.get()
    assert store.events == ["acquire", "load", "save", "release"]


@pytest.mark.anyio
async def test_the_async_refresh_holds_it_too(inproc_emulator: Emulator) -> None:
    emu = inproc_emulator
    store = LockingStore(expired(emu))
    async with emu.async_client(
        access_token=None, token_store=store, oauth_app=emu.default_app
    ) as client:
        await client.user_account.get()
    assert store.events[-4:] == ["acquire", "load", "save", "release"]


def test_a_failed_refresh_releases_the_lock(inproc_emulator: Emulator) -> None:
    emu = inproc_emulator
    store = LockingStore(expired(emu))
    emu.inject_fault(400, operation="oauth/token")
    with emu.client(access_token=None, token_store=store, oauth_app=emu.default_app) as client:
        store.events.clear()
        with pytest.raises(pinkit.OAuthError):
            client.user_account.get()
    # The refused refresh reloads the store (another process may have saved meanwhile).
    assert store.events == ["acquire", "load", "load", "release"]


def test_revoke(inproc_emulator: Emulator) -> None:
    emu = inproc_emulator
    app = emu.default_app
    token = emu.issue_token(["user_accounts:read"])
    app.revoke(token.refresh_token or "", token_type_hint="refresh_token")
    app.revoke(token.access_token)
    with pytest.raises(pinkit.OAuthError):
        app.refresh(token.refresh_token or "")
    with (
        emu.client(access_token=token.access_token) as client,
        pytest.raises(pinkit.AuthenticationError),
    ):
        client.user_account.get()
    emu.inject_fault(403, operation="token/revoke")
    with pytest.raises(pinkit.OAuthError):
        anyio.run(app.arevoke, "pina_whatever")
    with pytest.raises(pinkit.InvalidInputError, match="token_type_hint"):
        app.revoke("x", token_type_hint="id_token")
