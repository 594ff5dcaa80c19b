"""Report test controls: how long reports take, and reports that fail."""

from __future__ import annotations

from typing import Any, Literal

from ..._backend import Backend
from ..._clock import check_seconds
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


@control("POST", "/reports/config")
def configure_reports(backend: Backend, processing_seconds: float = 30.0) -> dict[str, Any]:
    """How long later reports stay ``IN_PROGRESS`` (emulator seconds) before they end;
    ``processing_seconds=0`` makes them FINISHED at once (for runs on the real clock, such as
    the CLI's against a served emulator)."""
    seconds = check_seconds(processing_seconds, "processing_seconds")
    with backend.write() as state:
        return state.rules(AnalyticsRules).configure(seconds)


CONTROLS: list[Control[..., Any]] = [fail_next_reports, configure_reports]
