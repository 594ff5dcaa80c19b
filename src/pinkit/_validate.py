"""Checks made before any request, so bad input fails fast with a clear ``InvalidInputError``.

The limits are the spec's (lengths, ID patterns, enums, types), looked up for the operation the
request goes to in the packaged constraint table (``pinkit._constraints``): the API would reject
the same input, but only after a round trip, and for bulk work only one row at a time. A few
rules the spec does not state stay here: links are http(s) URLs, names are not blank, and IDs in
URL paths are ASCII digits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import InvalidInputError

if TYPE_CHECKING:
    from ._constraints import Problem

__all__ = [
    "RESERVED_HEADERS",
    "check_fields",
    "check_headers",
    "check_id",
    "check_path_id",
    "check_seconds",
    "check_url",
    "drop_none",
]

# With fullmatch: ASCII digits from start to end (\d and $ would let in other scripts' digits
# and a trailing newline).
_ID = re.compile(r"[0-9]+")
# RFC 9110: a header name is a token; a value is visible ASCII, spaces and tabs (no CR or LF,
# which would end the header and start another one).
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")

#: Headers a caller may not set: the client sends the credentials, and httpx2 the framing.
RESERVED_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "host", "content-length", "transfer-encoding"}
)


def drop_none(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Unset request fields are left out, never sent as null."""
    return {k: v for k, v in fields.items() if v is not None}


def check_id(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InvalidInputError(f"{name} must be a string of digits, got {value!r}")
    return value


def check_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Extra request headers: valid names and values, none of the ``RESERVED_HEADERS``."""
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise InvalidInputError(f"{name!r} is not an HTTP header name")
        if name.lower() in RESERVED_HEADERS:
            raise InvalidInputError(f"the {name} header is set by the client; it cannot be given")
        if not isinstance(value, str) or not _HEADER_VALUE.fullmatch(value):
            raise InvalidInputError(
                f"the {name} header's value must be printable ASCII, without CR or LF"
            )
        checked[name] = value
    return checked


def check_path_id(operation_id: str, name: str, value: Any) -> str:
    """``value`` if it is what the operation's path parameter ``name`` allows (its pattern
    and length in the spec), else ``InvalidInputError``."""
    from ._constraints import DIGIT_PATTERNS, check_params
    from ._constraints import param as spec_param

    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be a string, got {value!r}")
    problems = check_params(operation_id, {name: value}, {})
    problems = [p for p in problems if p.path == name]
    if problems:
        spec = spec_param(operation_id, name)
        if spec.pattern in DIGIT_PATTERNS and problems[0].keyword == "pattern":
            raise InvalidInputError(f"{name} must be a string of digits, got {value!r}")
        raise InvalidInputError(f"{problems[0]}, got {value!r}")
    return value


def check_seconds(
    name: str,
    value: Any,
    *,
    positive: bool = False,
    error: type[InvalidInputError] = InvalidInputError,
) -> float:
    """A timeout, deadline or interval: a finite number of seconds, at least 0 (above 0 with
    ``positive``). NaN never compares, so it would wait forever; infinity as well. ``error``
    is the kind raised (the emulator raises its own, for a control's argument)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
        or (positive and value == 0)
    ):
        bound = "above 0" if positive else "at least 0"
        raise error(f"{name} must be a finite number of seconds {bound}, got {value!r}")
    return float(value)


def check_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError(f"{name} must be an http(s) URL, got {value!r}")
    return value


def check_fields(operation_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Drop unset fields; check the ones that are set against ``operation_id``'s JSON body
    (``"pins/create"``, ``"board_sections/update"``...) and its links."""
    from ._constraints import check_body  # imported on the first check: `import pinkit` stays fast

    fields = drop_none(fields)
    name = fields.get("name")
    if isinstance(name, str) and not name.strip():
        raise InvalidInputError("name must not be empty")
    problems = check_body(operation_id, fields, partial=True)
    if problems:
        raise InvalidInputError(_message(operation_id, problems[0], fields))
    link = fields.get("link")
    if isinstance(link, str):
        check_url("link", link)
    return fields


def _message(operation_id: str, problem: Problem, fields: Mapping[str, Any]) -> str:
    """The problem in words, with the offending value when it is one of ``fields``."""
    from ._constraints import DIGIT_PATTERNS
    from ._constraints import field as spec_field

    if problem.path not in fields:
        return str(problem)
    value = fields[problem.path]
    spec = spec_field(operation_id, problem.path)
    if problem.keyword == "maxLength" and isinstance(value, str):
        return (
            f"{problem.path} is {len(value)} characters; Pinterest allows at most {spec.max_length}"
        )
    if problem.keyword in ("type", "pattern") and spec.pattern in DIGIT_PATTERNS:
        return f"{problem.path} must be a string of digits, got {value!r}"
    if problem.keyword in ("pattern", "enum"):
        return f"{problem}, got {value!r}"
    return str(problem)
