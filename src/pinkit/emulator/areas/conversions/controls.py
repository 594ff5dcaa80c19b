"""Conversion test controls: what arrived, and conversion access tokens."""

from __future__ import annotations

from typing import Any

from ..._backend import Backend
from ..._controls import Control, control
from .rules import ConversionRules

__all__ = ["CONTROLS"]


@control("GET", "/conversions")
def conversion_events(backend: Backend, ad_account_id: str) -> list[dict[str, Any]]:
    """The events ``ad_account_id`` accepted, deduplicated as Pinterest keeps them, oldest
    first: a test can prove that every valid event arrived exactly once."""
    with backend.read() as state:
        return state.rules(ConversionRules).events_of(ad_account_id)


CONTROLS: list[Control[..., Any]] = [conversion_events]
