"""Report test controls: reports that fail."""

from __future__ import annotations

from typing import Any, Literal

from ..._backend import Backend
from ..._controls import Control, control
from ..._errors import EmulatorError
from .rules import AnalyticsRules

__all__ = ["CONTROLS"]


@control("POST", "/reports/fail_next", render=lambda _: {"ok": True})
def fail_next_reports(
    backend: Backend,
    n: int,
    status: Literal["FAILED", "CANCELLED", "EXPIRED", "DOES_NOT_EXIST"] = "FAILED",
) -> None:
    """Make the next ``n`` async reports end in ``status`` instead of FINISHED."""
    if n < 1:
        raise EmulatorError("n must be >= 1")
    with backend.write() as state:
        state.rules(AnalyticsRules).fail_next(n, status)


CONTROLS: list[Control[..., Any]] = [fail_next_reports]
