"""User test controls: more users, many followers."""

from __future__ import annotations

from typing import Any

from ..._backend import Backend
from ..._controls import Control, control
from ..._errors import EmulatorError
from .rules import UserRules

__all__ = ["CONTROLS"]


@control("POST", "/users")
def create_user(backend: Backend, username: str) -> dict[str, str]:
    """Add another user (a PINNER account): ``{id, username}`` (Python: the ID). Give it tokens
    with ``issue_token(user_id=...)``; its boards and pins follow Pinterest's privacy rules for
    everyone else."""
    with backend.write() as state:
        return {"id": state.rules(UserRules).create_user(username), "username": username}


@control("POST", "/followers", render=lambda count: {"count": count})
def seed_followers(backend: Backend, count: int) -> int:
    """Replace the default user's followers with ``count`` generated ones."""
    if count < 0:
        raise EmulatorError("count must be >= 0")
    with backend.write() as state:
        state.rules(UserRules).replace_followers(state.default_user_id, count)
    return count


CONTROLS: list[Control[..., Any]] = [create_user, seed_followers]
