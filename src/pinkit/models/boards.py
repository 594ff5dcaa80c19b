from __future__ import annotations

from typing import Any, Literal

from ._base import PinterestModel

Privacy = Literal["PUBLIC", "PROTECTED", "SECRET"]


class Owner(PinterestModel):
    username: str | None = None


class Board(PinterestModel):
    id: str | None = None
    name: str | None = None
    description: str | None = None
    privacy: Privacy | str | None = None
    owner: Owner | None = None
    created_at: str | None = None
    board_pins_modified_at: str | None = None
    pin_count: int | None = None
    follower_count: int | None = None
    collaborator_count: int | None = None
    is_ads_only: bool | None = None
    media: dict[str, Any] | None = None


class BoardSection(PinterestModel):
    id: str | None = None
    name: str | None = None
