from __future__ import annotations

from typing import Any

from ._base import PinterestModel
from .boards import Owner


class Pin(PinterestModel):
    """A pin. ``media`` is kept as sent: its shape depends on the media type."""

    id: str | None = None
    created_at: str | None = None
    link: str | None = None
    title: str | None = None
    description: str | None = None
    dominant_color: str | None = None
    alt_text: str | None = None
    creative_type: str | None = None
    board_id: str | None = None
    board_section_id: str | None = None
    board_owner: Owner | None = None
    is_owner: bool | None = None
    is_standard: bool | None = None
    has_been_promoted: bool | None = None
    parent_pin_id: str | None = None
    media: dict[str, Any] | None = None
    pin_metrics: dict[str, Any] | None = None
