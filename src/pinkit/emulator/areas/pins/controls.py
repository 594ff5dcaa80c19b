"""Pin test controls: many pins at once."""

from __future__ import annotations

from typing import Any

from ..._backend import Backend
from ..._controls import Control, control
from ..._errors import ApiError, EmulatorError
from .rules import PinRules

__all__ = ["CONTROLS"]


@control("POST", "/pins/seed")
def seed_pins(backend: Backend, count: int, *, board_id: str | None = None) -> dict[str, Any]:
    """Add ``count`` image pins in one transaction (100,000 in about a second) to
    ``board_id``, or to a new PUBLIC board of the default user: ``{board_id, count}``
    (Python: the board's ID)."""
    if count < 0:
        raise EmulatorError("count must be >= 0")
    with backend.write() as state:
        try:
            board = state.rules(PinRules).seed(state.default_user_id, count, board_id)
        except ApiError as err:
            raise EmulatorError(err.message) from None
    return {"board_id": board, "count": count}


CONTROLS: list[Control[..., Any]] = [seed_pins]
