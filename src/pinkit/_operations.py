"""Pinterest's operations as data: method, path, rate-limit category, scopes, sandbox flag.

The table in ``_operations.json`` is derived from the official OpenAPI description by
``scripts/gen_operations.py`` and checked against it by the test suite, so the client (rate-limit
buckets) and the emulator (routing, scopes, limits) agree with the spec without shipping it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Operation", "all_operations", "by_id", "find", "scopes"]

_PARAM = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    tag: str
    category: str | None
    security: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...]
    sandbox: bool

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compile(self.path)

    def match(self, path: str) -> dict[str, str] | None:
        m = self.pattern.fullmatch(path)
        return None if m is None else m.groupdict()

    def accepts_scopes(self, scheme: str, granted: frozenset[str]) -> bool:
        """True if one of the operation's security alternatives is met by ``scheme`` + scopes."""
        for requirement in self.security:
            if all(s == scheme and set(scopes) <= granted for s, scopes in requirement):
                return True
        return False

    @property
    def schemes(self) -> frozenset[str]:
        return frozenset(s for req in self.security for s, _ in req)


@cache
def _compile(template: str) -> re.Pattern[str]:
    parts = _PARAM.split(template)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
    )
    return re.compile(regex)


@cache
def _table() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("_operations.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@cache
def scopes() -> tuple[str, ...]:
    """Every OAuth scope the spec defines."""
    return tuple(_table()["scopes"])


@cache
def all_operations() -> tuple[Operation, ...]:
    raw = _table()
    ops = [
        Operation(
            id=o["id"],
            method=o["method"],
            path=o["path"],
            tag=o["tag"],
            category=o["category"],
            security=tuple(
                tuple((scheme, tuple(scopes)) for scheme, scopes in req) for req in o["security"]
            ),
            sandbox=o["sandbox"],
        )
        for o in raw["operations"]
    ]
    # Literal segments win over parameters: /boards/{id}/sections before /boards/{id}/{x}.
    ops.sort(key=lambda o: (o.path.count("{"), -o.path.count("/")))
    return tuple(ops)


@cache
def by_id(operation_id: str) -> Operation:
    for op in all_operations():
        if op.id == operation_id:
            return op
    raise KeyError(operation_id)


@cache
def _by_method(method: str) -> tuple[Operation, ...]:
    return tuple(o for o in all_operations() if o.method == method)


def _first_segment(template: str) -> str | None:
    """The first segment of a path template, None when it holds a parameter (any value)."""
    first = template.split("/", 2)[1] if template.count("/") else template
    return None if "{" in first else first


@cache
def _by_shape(method: str, slashes: int) -> dict[str | None, tuple[Operation, ...]]:
    """``method``'s operations whose paths have ``slashes`` slashes (a parameter never spans
    one), by first segment (None: a parameter), each in ``all_operations`` order."""
    index: dict[str | None, list[Operation]] = {}
    for op in _by_method(method):
        if op.path.count("/") == slashes:
            index.setdefault(_first_segment(op.path), []).append(op)
    return {first: tuple(ops) for first, ops in index.items()}


@cache
def _candidates(method: str, slashes: int, first: str) -> tuple[Operation, ...]:
    """The operations a path of this method, shape and first segment can be, in order."""
    shape = _by_shape(method, slashes)
    if None not in shape:
        return shape.get(first, ())
    keep = set(shape.get(first, ())) | set(shape[None])
    return tuple(op for op in _by_method(method) if op in keep)


def find(method: str, path: str) -> Operation | None:
    """The operation for ``method`` and a path relative to ``/v5`` (``/boards/123``).

    Only the operations of the path's shape (its number of segments and its first one) are
    tried, in the table's order: the same answer as trying them all."""
    path = path.split("?", 1)[0].rstrip("/") or "/"
    first = path.split("/", 2)[1] if path.count("/") else path
    for op in _candidates(method.upper(), path.count("/"), first):
        if op.pattern.fullmatch(path):
            return op
    return None
