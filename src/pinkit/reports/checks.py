"""Input checks for analytics requests, against the spec's enums, before anything is sent.

The constraints table holds each operation's parameters and body (columns, metric types,
granularity, attribution windows, conversion report time...). The messages name the value that
is wrong and, for a misspelt column, the closest ones the operation takes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import InvalidInputError

__all__ = ["check_body", "check_query", "names"]

_INDEX = re.compile(r"^([A-Za-z_]+)(?:\[(\d+)\])?")


def names(value: str | Sequence[str] | None, what: str) -> list[str] | None:
    """``"A,B"`` or ``["A", "B"]`` as ``["A", "B"]`` (upper case, blanks dropped)."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    out = []
    for item in items:
        if not isinstance(item, str):
            raise InvalidInputError(f"{what} must be names (text), got {item!r}")
        if item.strip():
            out.append(item.strip().upper())
    return out


def _wire(operation_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Query values as the spec encodes them: ``explode: false`` arrays comma-separated, the
    other arrays as repeated keys, booleans in lower case; unset ones left out."""
    from .._constraints import param

    out: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            items = [str(v) for v in value]
            out[name] = ",".join(items) if param(operation_id, name).explode is False else items
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = str(value)
    return out


def _allowed(operation_id: str, path: str, *, body: bool) -> tuple[Any, ...] | None:
    from .._constraints import field, param

    base, _, index = path.partition("[")
    name = f"{base}[]" if index else base
    try:
        spec = field(operation_id, name) if body else param(operation_id, name)
    except LookupError:
        return None
    return spec.enum


def _message(operation_id: str, path: str, message: str, value: Any, *, body: bool) -> str:
    allowed = _allowed(operation_id, path, body=body)
    shown = path.split("[")[0]
    if allowed is None or value is None:
        return f"{shown}: {message}" + (f", got {value!r}" if value is not None else "")
    text = [str(a) for a in allowed]
    hint = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value.upper(), text, n=3, cutoff=0.6)
        close = close or [a for a in text if value.upper() in a][:3]
        if close:
            hint = f" (did you mean {', '.join(close)}?)"
    listed = ", ".join(text) if len(text) <= 12 else f"{len(text)} names"
    if "[" in path:  # one item of an array: a column, a metric type
        what = f"{value!r} is not a {shown.rstrip('s').replace('_', ' ')}"
    else:
        what = f"{shown}={value!r} is not a value"
    return f"{what} {operation_id} takes{hint}; it takes {listed}"


def _value_at(source: Mapping[str, Any], path: str) -> Any:
    match = _INDEX.match(path)
    if match is None:
        return None
    value = source.get(match.group(1))
    if match.group(2) is not None:
        if isinstance(value, str):
            value = value.split(",")
        try:
            return value[int(match.group(2))]  # type: ignore[index]
        except (IndexError, TypeError):
            return None
    return value


def check_query(
    operation_id: str, path_params: Mapping[str, str], params: Mapping[str, Any]
) -> dict[str, Any]:
    """``params`` checked against the operation's query parameters, in wire form."""
    from .._constraints import check_params

    wire = _wire(operation_id, params)
    query = {k: v if isinstance(v, list) else [v] for k, v in wire.items()}
    problems = check_params(operation_id, dict(path_params), query)
    if problems:
        first = problems[0]
        value = _value_at(params, first.path)
        if first.keyword == "enum":
            raise InvalidInputError(
                _message(operation_id, first.path, first.message, value, body=False)
            )
        raise InvalidInputError(str(first) + (f", got {value!r}" if value is not None else ""))
    return wire


def check_body(operation_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """``body`` (unset fields dropped) checked against the operation's JSON body."""
    from .._constraints import check_body as problems_of

    clean = {k: v for k, v in body.items() if v is not None}
    problems = problems_of(operation_id, clean, partial=False)
    if problems:
        first = problems[0]
        value = _value_at(clean, first.path)
        if first.keyword == "enum":
            raise InvalidInputError(
                _message(operation_id, first.path, first.message, value, body=True)
            )
        raise InvalidInputError(str(first) + (f", got {value!r}" if value is not None else ""))
    return clean
