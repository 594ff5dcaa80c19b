"""The test controls every emulator has, whatever its areas: reset, request records, faults,
the clock and rate limits. Area controls live with their areas."""

from __future__ import annotations

from typing import Any

from ._backend import Backend
from ._controls import Control, control
from ._faults import Fault
from ._ratelimit import DEFAULT_LIMITS
from ._records import RequestRecord

__all__ = ["CORE_CONTROLS"]


@control("POST", "/reset", render=lambda _: {"ok": True})
def reset(backend: Backend) -> None:
    """Fresh state; clears faults, request records, rate-limit and area settings."""
    backend.reset()


@control("GET", "/requests")
def requests(backend: Backend) -> list[RequestRecord]:
    """Every /v5 request answered so far, oldest first (credentials redacted)."""
    return backend.recorder.all()


@control("DELETE", "/requests", render=lambda _: {"ok": True})
def clear_requests(backend: Backend) -> None:
    """Forget the request records."""
    backend.recorder.clear()


@control("GET", "/faults")
def pending_faults(backend: Backend) -> list[Fault]:
    """The faults not used up yet."""
    return backend.faults.pending()


@control("POST", "/faults")
def inject_fault(
    backend: Backend,
    status: int,
    operation: str | None = None,
    count: int = 1,
    body: Any = None,
    headers: dict[str, str] | None = None,
    after_processing: bool = False,
) -> Fault:
    """Answer the next ``count`` requests for ``operation`` (an operationId such as
    ``"user_account/get"``; None: any) with ``status``. ``body`` defaults to a Pinterest-shaped
    error. With ``after_processing`` the handler runs (and its changes are kept) before the
    fault replaces its answer."""
    fault = Fault(
        status=status,
        operation=operation,
        count=count,
        body=body,
        headers=dict(headers or {}),
        after_processing=after_processing,
    )
    backend.faults.add(fault)
    return fault


@control("DELETE", "/faults", render=lambda _: {"ok": True})
def clear_faults(backend: Backend) -> None:
    """Drop every pending fault."""
    backend.faults.clear()


def _clock_state(backend: Backend) -> dict[str, float]:
    return {"now": backend.clock.now(), "offset": backend.clock.offset}


@control("GET", "/clock")
def clock_state(backend: Backend) -> dict[str, float]:
    """Emulator time: ``{now, offset}`` (epoch seconds, and seconds ahead of real time)."""
    return _clock_state(backend)


@control("POST", "/clock/advance")
def advance_clock(backend: Backend, seconds: float) -> dict[str, float]:
    """Move emulator time forward (token expiry, rate-limit windows, jobs); never backward."""
    backend.clock.advance(seconds)
    return _clock_state(backend)


@control("GET", "/rate_limits")
def rate_limits(backend: Backend) -> dict[str, dict[str, float]]:
    """The limit of every category: ``{category: {limit, window_s}}``."""
    limits = {c: backend.limiter.limit_for(c) for c in DEFAULT_LIMITS}
    return {c: {"limit": lim.limit, "window_s": lim.window_s} for c, lim in limits.items()}


@control("POST", "/rate_limits")
def set_rate_limit(
    backend: Backend, category: str, limit: int, window_s: float = 60.0
) -> dict[str, Any]:
    """Allow ``limit`` requests per ``window_s`` seconds in ``category`` (an
    ``x-ratelimit-category`` of the spec, or ``universal``), per user and app."""
    backend.limiter.set_limit(category, limit, window_s)
    current = backend.limiter.limit_for(category)
    return {"category": category, "limit": current.limit, "window_s": current.window_s}


CORE_CONTROLS: list[Control[..., Any]] = [
    reset,
    requests,
    clear_requests,
    pending_faults,
    inject_fault,
    clear_faults,
    clock_state,
    advance_clock,
    rate_limits,
    set_rate_limit,
]
