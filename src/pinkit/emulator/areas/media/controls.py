"""Media test controls: how video uploads behave."""

from __future__ import annotations

from typing import Any, Literal

from ..._backend import Backend
from ..._clock import check_seconds
from ..._controls import Control, control
from .rules import DEFAULT_MEDIA_CONFIG, MediaRules

__all__ = ["CONTROLS"]


@control("GET", "/media/config")
def media_config(backend: Backend) -> dict[str, Any]:
    """How video uploads behave now: ``{processing_seconds, outcome}``."""
    with backend.read() as state:
        return state.rules(MediaRules).config()


@control("POST", "/media/config")
def configure_media(
    backend: Backend,
    processing_seconds: float = DEFAULT_MEDIA_CONFIG["processing_seconds"],
    outcome: Literal["succeeded", "failed"] = DEFAULT_MEDIA_CONFIG["outcome"],
) -> dict[str, Any]:
    """How later video uploads behave: they stay ``processing`` for ``processing_seconds`` of
    emulator time, then end as ``outcome`` (``"failed"`` fails every upload). A setting left
    out returns to its default; bytes that are not an ISO-BMFF video always fail."""
    seconds = check_seconds(processing_seconds, "processing_seconds")
    with backend.write() as state:
        return state.rules(MediaRules).configure(seconds, outcome)


CONTROLS: list[Control[..., Any]] = [media_config, configure_media]
