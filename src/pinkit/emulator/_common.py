"""What several areas share without depending on each other: timestamps and ID shapes."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, TypeGuard

from starlette.responses import JSONResponse

from ._errors import ApiError

__all__ = ["CODE_INVALID", "created", "invalid", "is_numeric_id", "iso"]

CODE_INVALID = 1
_DIGITS = re.compile(r"[0-9]+")


def iso(epoch: float) -> str:
    """Pinterest's pin and board timestamps: naive UTC ISO 8601, whole seconds."""
    return datetime.fromtimestamp(int(epoch), timezone.utc).replace(tzinfo=None).isoformat()


def is_numeric_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(_DIGITS.fullmatch(value))


def invalid(message: str) -> ApiError:
    return ApiError(400, f"Invalid parameters: {message}", code=CODE_INVALID)


def created(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse(data, status_code=201)
