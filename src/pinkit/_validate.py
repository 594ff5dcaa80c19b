"""Checks made before any request, so bad input fails fast with a clear ``InvalidInputError``.

The limits are the spec's (``maxLength``, ``pattern``); the API would reject the same input,
but only after a round trip, and for bulk work only one row at a time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .errors import InvalidInputError

__all__ = ["check_fields", "check_id", "check_url", "drop_none"]

_ID = re.compile(r"^\d+$")
# Field -> maximum length, for pins and boards (PinCreate, PinUpdate, BoardSection).
MAX_LENGTH = {
    "title": 100,
    "description": 800,
    "alt_text": 500,
    "link": 2048,
    "name": 180,
}
ID_FIELDS = frozenset({"board_id", "board_section_id", "parent_pin_id", "sponsor_id", "media_id"})


def drop_none(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Unset request fields are left out, never sent as null."""
    return {k: v for k, v in fields.items() if v is not None}


def check_id(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise InvalidInputError(f"{name} must be a string of digits, got {value!r}")
    return value


def check_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError(f"{name} must be an http(s) URL, got {value!r}")
    return value


def check_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Drop unset fields; check lengths, IDs and links of the ones that are set."""
    fields = drop_none(fields)
    for name, value in fields.items():
        limit = MAX_LENGTH.get(name)
        if limit is not None:
            if not isinstance(value, str):
                raise InvalidInputError(f"{name} must be a string")
            if len(value) > limit:
                raise InvalidInputError(
                    f"{name} is {len(value)} characters; Pinterest allows at most {limit}"
                )
        if name in ID_FIELDS:
            check_id(name, value)
        if name == "link":
            check_url(name, value)
    if "name" in fields and not fields["name"].strip():
        raise InvalidInputError("name must not be empty")
    return fields
