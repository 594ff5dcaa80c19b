"""Requests checked against the spec before any handler runs (placeholder: JSON well-formed)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from pinkit._operations import Operation

from ._errors import ApiError

__all__ = ["validate_request"]


def validate_request(
    op: Operation,
    path_params: Mapping[str, str],
    query: Mapping[str, list[str]],
    body: bytes,
    content_type: str,
) -> None:
    if body and content_type.startswith("application/json"):
        try:
            json.loads(body)
        except (ValueError, RecursionError):
            raise ApiError(400, "Request body is not valid JSON.", code=1) from None
