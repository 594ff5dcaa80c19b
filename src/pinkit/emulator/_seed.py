"""What a fresh emulator state contains.

The core seed creates the default user (a BUSINESS account) and the built-in default app. Each
API area adds its own fresh-state data with ``@seeder`` (the user_account routes seed followers,
interests...), so a new area does not have to touch this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import _oauth
from ._store import Tx

__all__ = ["DEFAULT_USERNAME", "SeedInfo", "seed", "seeder"]

DEFAULT_USERNAME = "emulator_user"
USER = "user"


@dataclass(frozen=True)
class SeedInfo:
    user_id: str
    client_id: str
    now: float


Seeder = Callable[[Tx, SeedInfo], None]
_SEEDERS: list[Seeder] = []


def seeder(func: Seeder) -> Seeder:
    """Register fresh-state data for an API area (run in registration order after the core)."""
    _SEEDERS.append(func)
    return func


def seed(tx: Tx, now: float) -> SeedInfo:
    user_id = tx.new_id()
    tx.insert(
        USER,
        {
            "id": user_id,
            "username": DEFAULT_USERNAME,
            "account_type": "BUSINESS",
            "business_name": "Emulator Business",
            "about": "The pinkit emulator's default account.",
            "profile_image": "https://i.pinimg.com/280x280_RS/00/00/00/emulator_user.jpg",
            "website_url": "https://emulator.example",
            "monthly_views": 0,
        },
        id=user_id,
    )
    tx.meta_set("default_user", user_id)
    app = _oauth.create_app(
        tx,
        owner=user_id,
        redirect_uris=["http://localhost:8085/", "http://127.0.0.1:8085/"],
        name="pinkit emulator default app",
        any_loopback=True,
    )
    tx.meta_set("default_app", app["client_id"])
    info = SeedInfo(user_id=user_id, client_id=app["client_id"], now=now)
    for func in _SEEDERS:
        func(tx, info)
    tx.meta_set("seeded", "1")
    return info


def find_user_by_username(tx: Tx, username: str) -> dict[str, object] | None:
    for doc in tx.list(USER):
        if doc.data.get("username") == username:
            return doc.data
    return None
