"""Customer-list test controls: how long matching takes."""

from __future__ import annotations

from typing import Any

from ..._backend import Backend
from ..._clock import check_seconds
from ..._controls import Control, control
from .rules import CustomerListRules

__all__ = ["CONTROLS"]


@control("POST", "/customer_lists/config")
def configure_customer_lists(backend: Backend, match_seconds: float = 600.0) -> dict[str, Any]:
    """How long a customer list stays ``PROCESSING`` after a change (emulator seconds) before
    it is READY or TOO_SMALL; ``match_seconds=0`` matches at once (for runs on the real clock,
    such as the CLI's against a served emulator)."""
    seconds = check_seconds(match_seconds, "match_seconds")
    with backend.write() as state:
        return state.rules(CustomerListRules).configure(seconds)


CONTROLS: list[Control[..., Any]] = [configure_customer_lists]
