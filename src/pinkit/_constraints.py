"""Pinterest's request constraints as data, and validators compiled from them.

``_constraints.json`` is derived from the official OpenAPI description by
``scripts/gen_operations.py`` and checked against it by the test suite. Per operation (keyed by
operationId) it holds the path and query parameters and the JSON request body with the limits
the spec gives: types, enums, lengths, ranges, item counts, patterns, required, nullable and
closed objects (``additionalProperties: false``). Component schemas are stored once and
referenced by name. The client checks input with it before a request; the emulator answers 400
with it, so both hold a request to the same limits, operation by operation (a board section's
``name`` is not a campaign's).

Lookups: ``field("board_sections/create", "name").max_length == 180``,
``field("pins/create", "media_source[source_type=multiple_image_urls].items").max_items``,
``param("boards/list", "page_size").maximum``.

Validators: ``check_params(op_id, path_params, query)`` and ``check_body(op_id, body)`` return
a list of :class:`Problem` (empty when the request is valid). They are compiled into closures
once per operation and cached; a valid value allocates nothing on its way through.

Only the standard library and the packaged JSON: the client and the emulator both import this.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as _field
from functools import cache
from importlib import resources
from typing import Any, TypeAlias, TypeVar

__all__ = [
    "DIGIT_PATTERNS",
    "MAX_DEPTH",
    "DateLimit",
    "Field",
    "Param",
    "Problem",
    "body_media_types",
    "check_body",
    "check_params",
    "date_limit",
    "field",
    "param",
    "params",
    "spec_version",
]

#: Containers nested deeper than this are refused (and never walked recursively).
MAX_DEPTH = 64

JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: where (``media_source.items[1].url``; empty for the body
    itself), what (``must be at most 180 characters``) and the spec keyword that says so
    (``maxLength``, ``pattern``, ``type``, ``required``, ``enum``, ``additionalProperties``...)."""

    path: str
    message: str
    keyword: str = ""

    def __str__(self) -> str:
        return f"{self.path or 'request body'} {self.message}"


@dataclass(frozen=True)
class Field:
    """What the spec says about one field of a request body (or one parameter)."""

    path: str
    type: str | None = None
    required: bool = False
    nullable: bool = False
    enum: tuple[Any, ...] | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    format: str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    min_items: int | None = None
    max_items: int | None = None
    default: Any = None
    read_only: bool = False
    closed: bool = False
    """The spec allows no fields but the listed ones (``additionalProperties: false``)."""
    properties: tuple[str, ...] = ()
    discriminator: str | None = None
    """For a union told apart by a property (``source_type``): that property's name."""
    variants: tuple[str, ...] = ()
    """The discriminator's values (``image_url``, ``video_id``...)."""
    alternatives: int = 0
    """How many ``oneOf``/``anyOf`` alternatives the schema has."""
    schema: Mapping[str, Any] = _field(default_factory=dict, repr=False, compare=False)
    """The table's node for the field, its top-level reference resolved."""


@dataclass(frozen=True)
class Param(Field):
    """A path or query parameter: a :class:`Field` with where it goes and how it is encoded."""

    location: str = "query"
    style: str | None = None
    explode: bool | None = None


# -- the table ---------------------------------------------------------------------------------
@cache
def _table() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("_constraints.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def spec_version() -> str:
    return str(_table()["spec_version"])


def _operation(operation_id: str) -> dict[str, Any]:
    try:
        return _table()["operations"][operation_id]  # type: ignore[no-any-return]
    except KeyError:
        raise KeyError(f"{operation_id!r} is not an operationId in the spec") from None


def _parameters(operation_id: str) -> dict[str, dict[str, Any]]:
    shared = _table()["parameters"]
    return {
        name: shared[entry["ref"]] if "ref" in entry else entry
        for name, entry in _operation(operation_id)["parameters"].items()
    }


def body_media_types(operation_id: str) -> tuple[str, ...]:
    """The media types the operation's request body may have (empty: it takes no body)."""
    return tuple(_operation(operation_id).get("body", {}).get("content", ()))


def _resolve(node: Mapping[str, Any]) -> dict[str, Any]:
    """``node`` with its top-level reference replaced by the named schema (keywords next to a
    reference apply too: ``{"ref": "BoardPrivacy", "default": "PUBLIC"}``)."""
    schemas = _table()["schemas"]
    out = dict(node)
    while "ref" in out:
        local = {k: v for k, v in out.items() if k != "ref"}
        out = {**schemas[out["ref"]], **local}
    return out


# -- lookups -----------------------------------------------------------------------------------
_SEGMENT = re.compile(r"([^.\[\]]+)?((?:\[[^\]]*\])*)")


@cache
def field(operation_id: str, path: str) -> Field:
    """The constraints of one field of the operation's JSON body, by dotted path.

    ``name``, ``media_source.url``; ``[]`` steps into an array's items
    (``carousel_slots[].title``); ``[prop=value]`` picks a union's alternative by its
    discriminator (``media_source[source_type=multiple_image_urls].items``). Without a selector
    a field found in exactly one alternative (or the same in all) is found. ``""`` is the body.
    Raises ``KeyError`` for an unknown operation, ``LookupError`` for an unknown field.
    """
    body = _operation(operation_id).get("body", {})
    if "schema" not in body:
        raise LookupError(f"{operation_id} takes no JSON body")
    node, required = _walk(operation_id, body["schema"], path, bool(body.get("required")))
    return _make(Field, path, node, required)


@cache
def param(operation_id: str, name: str) -> Param:
    """The constraints of a path or query parameter (``name[]``: an array parameter's items)."""
    base, _, rest = name.partition("[")
    entry = _parameters(operation_id).get(base)
    if entry is None:
        raise LookupError(f"{operation_id} has no parameter {base!r}")
    node, required = _walk(operation_id, entry["schema"], f"[{rest}" if rest else "", False)
    return _make(
        Param,
        name,
        node,
        bool(entry.get("required")) if not rest else required,
        location=entry["in"],
        style=entry.get("style"),
        explode=entry.get("explode"),
    )


@cache
def params(operation_id: str) -> tuple[Param, ...]:
    """Every path and query parameter of the operation, in the table's order."""
    return tuple(param(operation_id, name) for name in _parameters(operation_id))


def _walk(
    operation_id: str, node: Mapping[str, Any], path: str, required: bool
) -> tuple[Mapping[str, Any], bool]:
    steps: list[tuple[str, str]] = []
    for step in path.split(".") if path else []:
        match = _SEGMENT.fullmatch(step)
        if match is None or not (match.group(1) or match.group(2)):
            raise LookupError(f"{operation_id}: bad field path {path!r}")
        if match.group(1) is not None:
            steps.append(("name", match.group(1)))
        for selector in re.findall(r"\[([^\]]*)\]", match.group(2)):
            steps.append(("items", "") if selector == "" else ("select", selector))
    found: list[tuple[Mapping[str, Any], bool]] = []
    for hit in _follow(node, required, steps, 0):
        if hit not in found:
            found.append(hit)
    if len(found) == 1:
        return found[0]
    if not found:
        raise LookupError(f"{operation_id} has no field {path!r}")
    raise LookupError(
        f"{operation_id}: {path!r} differs between alternatives; pick one with [property=value]"
    )


def _follow(
    node: Mapping[str, Any], required: bool, steps: list[tuple[str, str]], depth: int
) -> list[tuple[Mapping[str, Any], bool]]:
    """Every (node, required) that ``steps`` lead to from ``node``, through any alternative."""
    if not steps:
        return [(node, required)]
    if depth > MAX_DEPTH:
        return []
    (kind, arg), rest = steps[0], steps[1:]
    resolved = _resolve(node)
    if kind == "items":
        return _follow(resolved["items"], False, rest, depth + 1) if "items" in resolved else []
    if kind == "select":
        chosen = _select(resolved, arg)
        return [] if chosen is None else _follow(chosen, required, rest, depth + 1)
    props = resolved.get("properties", {})
    if arg in props:
        return _follow(props[arg], arg in resolved.get("required", ()), rest, depth + 1)
    hits: list[tuple[Mapping[str, Any], bool]] = []
    for alt in _alternatives_of(resolved):
        hits += _follow(alt, required, steps, depth + 1)
    return hits


def _alternatives_of(resolved: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    alts: list[Mapping[str, Any]] = [*resolved.get("oneOf", ()), *resolved.get("anyOf", ())]
    return alts


def _select(resolved: Mapping[str, Any], selector: str) -> Mapping[str, Any] | None:
    """The alternative ``[prop=value]`` picks: by the discriminator, or else the alternative
    whose ``prop`` can be ``value``."""
    prop, eq, value = selector.partition("=")
    if not eq:
        return None
    disc = resolved.get("discriminator")
    if disc and disc["propertyName"] == prop and value in disc["mapping"]:
        return {"ref": disc["mapping"][value]}
    for alt in _alternatives_of(resolved):
        sub = _resolve(alt).get("properties", {}).get(prop)
        if sub is not None and value in (_resolve(sub).get("enum") or ()):
            return alt
    return None


_F = TypeVar("_F", bound=Field)


def _make(cls: type[_F], path: str, node: Mapping[str, Any], required: bool, **extra: Any) -> _F:
    nullable = bool(node.get("nullable"))
    resolved = _resolve(node)
    disc = resolved.get("discriminator")
    enum = resolved.get("enum")
    return cls(
        path=path,
        type=resolved.get("type"),
        required=required,
        nullable=nullable or bool(resolved.get("nullable")),
        enum=None if enum is None else tuple(enum),
        min_length=resolved.get("minLength"),
        max_length=resolved.get("maxLength"),
        pattern=resolved.get("pattern"),
        format=resolved.get("format"),
        minimum=resolved.get("minimum"),
        maximum=resolved.get("maximum"),
        exclusive_minimum=bool(resolved.get("exclusiveMinimum")),
        exclusive_maximum=bool(resolved.get("exclusiveMaximum")),
        min_items=resolved.get("minItems"),
        max_items=resolved.get("maxItems"),
        default=resolved.get("default"),
        read_only=bool(resolved.get("readOnly")),
        closed=resolved.get("additionalProperties") is False,
        properties=tuple(resolved.get("properties", ())),
        discriminator=None if disc is None else disc["propertyName"],
        variants=() if disc is None else tuple(disc["mapping"]),
        alternatives=len(_alternatives_of(resolved)),
        schema=resolved,
        **extra,
    )


# -- compiled validators -----------------------------------------------------------------------
# A check takes a value and its depth and returns None (valid) or a list of errors, each a list
# [message, keyword, segment, ..., segment] with the path's segments innermost first: parents
# append their property name or index on the way out, so a valid value allocates nothing.
_Error: TypeAlias = list[Any]
_Check: TypeAlias = Callable[[Any, int], "list[_Error] | None"]

_DEPTH_MESSAGE = f"is nested more than {MAX_DEPTH} levels deep"
#: Types whose values pass an unconstrained schema of that type (a float may be NaN, a bool is
#: no integer: those take the full check).
_FAST_TYPES: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "integer": frozenset({int}),
    "number": frozenset({int}),
    "boolean": frozenset({bool}),
}
_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "an array",
    "object": "an object",
}
#: The spec's ID patterns ("a string of digits").
DIGIT_PATTERNS = frozenset({r"^\d+$", r"^[0-9]+$"})


def _problem(error: _Error) -> Problem:
    path = ""
    for segment in reversed(error[2:]):
        if isinstance(segment, int):
            path += f"[{segment}]"
        else:
            path = f"{path}.{segment}" if path else str(segment)
    return Problem(path, error[0], error[1])


def _ecma_regex(pattern: str) -> Callable[[str], Any]:
    """``pattern`` with the meaning the spec's patterns have (ECMA-262): ``\\d`` is only
    ``[0-9]`` (re.ASCII) and ``$`` matches only at the very end (``\\Z``, not before a final
    newline). A pattern may match anywhere in the string unless it is anchored."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        out.append(char)
        i += 1
    return re.compile("".join(out), re.ASCII).search


def _enum_message(values: tuple[Any, ...] | list[Any]) -> str:
    shown = ", ".join(str(v) for v in values[:20])
    more = f", ... ({len(values)} values)" if len(values) > 20 else ""
    return f"must be one of {shown}{more}"


def _enum_set(values: list[Any]) -> Callable[[Any], bool]:
    try:
        allowed: frozenset[Any] | tuple[Any, ...] = frozenset(values)
    except TypeError:
        allowed = tuple(values)

    def contains(value: Any) -> bool:
        try:
            return value in allowed
        except TypeError:  # an unhashable value is no enum member
            return False

    return contains


def _deep(value: Any, depth: int) -> list[_Error] | None:
    """Depth check of a free-form value (no schema to follow), without recursion."""
    stack = [(value, depth)]
    while stack:
        item, level = stack.pop()
        if level >= MAX_DEPTH:
            return [[_DEPTH_MESSAGE, "depth"]]
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                stack.append((child, level + 1))
    return None


def _any(value: Any, depth: int) -> list[_Error] | None:
    if isinstance(value, dict | list):
        return _deep(value, depth)
    return None


def _type_error(kind: str) -> list[_Error]:
    return [[f"must be {_TYPE_NAMES[kind]}", "type"]]


class _Compiler:
    def __init__(self, schemas: Mapping[str, Any]) -> None:
        self.schemas = schemas
        self.named: dict[str, _Check] = {}

    def ref(self, name: str) -> _Check:
        check = self.named.get(name)
        if check is not None:
            return check
        holder: list[_Check] = []

        def forward(value: Any, depth: int) -> list[_Error] | None:  # a recursive schema
            return holder[0](value, depth)

        self.named[name] = forward
        real = self.compile(self.schemas[name])
        holder.append(real)
        self.named[name] = real
        return real

    def property_names(
        self, node: Mapping[str, Any], seen: frozenset[str] = frozenset()
    ) -> set[str]:
        """Every property name a node or its alternatives know (for closed unions)."""
        names: set[str] = set()
        if "ref" in node:
            name = node["ref"]
            if name in seen:
                return names
            names |= self.property_names(self.schemas[name], seen | {name})
        names |= set(node.get("properties", ()))
        for alt in [*node.get("oneOf", ()), *node.get("anyOf", ())]:
            names |= self.property_names(alt, seen)
        for target in node.get("discriminator", {}).get("mapping", {}).values():
            if target not in seen:
                names |= self.property_names(self.schemas[target], seen | {target})
        return names

    def fast_types(self, node: Mapping[str, Any], seen: int = 0) -> frozenset[type] | None:
        """The Python types a value may have to pass ``node`` on its type alone (a plain
        string, integer or boolean): callers test ``type(value) in ...`` before calling the
        node's check. None: the check has more to say."""
        if "ref" in node:
            local = set(node) - {"ref", "default", "format", "nullable"}
            found = (
                None if local or seen > 8 else self.fast_types(self.schemas[node["ref"]], seen + 1)
            )
        elif set(node) - {"type", "format", "default", "nullable"}:
            return None
        else:
            found = _FAST_TYPES.get(node.get("type", ""))
        if found is not None and node.get("nullable"):
            found = found | {type(None)}
        return found

    def compile(self, node: Mapping[str, Any], *, partial: bool = False) -> _Check:
        if "ref" in node:
            return self.reference(node, partial=partial)
        if node.get("readOnly"):
            return _any  # never sent, so never checked
        alternatives = self.alternatives(node)
        kind = node.get("type")
        if kind == "object" or (kind is None and ("properties" in node or "required" in node)):
            base = self.object(node, alternatives, strict=kind == "object", partial=partial)
        elif kind == "array":
            base = self.array(node)
        elif kind == "string":
            base = self.string(node)
        elif kind in ("integer", "number"):
            base = self.number(node, integer=kind == "integer")
        elif kind == "boolean":
            base = self.boolean(node)
        else:
            base = self.untyped(node)
        if alternatives is None or kind == "object" or "properties" in node or "required" in node:
            return base
        nullable = bool(node.get("nullable"))
        alt = alternatives

        def with_alternatives(value: Any, depth: int) -> list[_Error] | None:
            if value is None and nullable:
                return None
            return base(value, depth) or alt(value, depth)

        return with_alternatives

    def reference(self, node: Mapping[str, Any], *, partial: bool) -> _Check:
        if partial:
            target = self.compile(self.schemas[node["ref"]], partial=True)
        else:
            target = self.ref(node["ref"])
        local = {k: v for k, v in node.items() if k not in ("ref", "default", "format", "nullable")}
        nullable = bool(node.get("nullable"))
        if local.get("readOnly"):
            return _any
        if local:
            own = self.compile(local)

            def both(value: Any, depth: int) -> list[_Error] | None:
                if value is None and nullable:
                    return None
                return own(value, depth) or target(value, depth)

            return both
        if nullable:

            def or_null(value: Any, depth: int) -> list[_Error] | None:
                return None if value is None else target(value, depth)

            return or_null
        return target

    def alternatives(self, node: Mapping[str, Any]) -> _Check | None:
        disc = node.get("discriminator")
        if disc is not None:
            prop = disc["propertyName"]
            mapping = {value: self.ref(name) for value, name in disc["mapping"].items()}
            wrong = _enum_message(tuple(mapping))

            def by_tag(value: Any, depth: int) -> list[_Error] | None:
                if not isinstance(value, Mapping):
                    return None  # the type is the base schema's to check
                tag = value.get(prop)
                check = mapping.get(tag) if isinstance(tag, str) else None
                if check is None:
                    if prop not in value:
                        return [["is required", "required", prop]]
                    return [[wrong, "discriminator", prop]]
                return check(value, depth)

            return by_tag
        alts = [*node.get("oneOf", ()), *node.get("anyOf", ())]
        if not alts:
            return None
        checks = [self.compile(alt) for alt in alts]

        def any_of(value: Any, depth: int) -> list[_Error] | None:
            # oneOf is read as anyOf: alternatives in this spec overlap, and the real API takes
            # a value that fits one. Failing all, the errors of the one that got furthest.
            best: list[_Error] | None = None
            best_score = (-1, 0)
            for check in checks:
                errors = check(value, depth)
                if errors is None:
                    return None
                score = (max(len(e) for e in errors), -len(errors))
                if score > best_score:
                    best, best_score = errors, score
            return best

        return any_of

    def object(
        self,
        node: Mapping[str, Any],
        alternatives: _Check | None,
        *,
        strict: bool,
        partial: bool,
    ) -> _Check:
        nullable = bool(node.get("nullable"))
        props = {name: self.compile(sub) for name, sub in node.get("properties", {}).items()}
        fast = {
            name: found
            for name, sub in node.get("properties", {}).items()
            if (found := self.fast_types(sub)) is not None
        }
        required = () if partial else tuple(node.get("required", ()))
        extra_node = node.get("additionalProperties")
        closed = extra_node is False
        extra: _Check | None = None
        if isinstance(extra_node, Mapping):
            extra = self.compile(extra_node)
        # Properties of the alternatives are theirs to check (and known to a closed base).
        elsewhere = (
            frozenset(self.property_names(node) - set(props)) if alternatives else frozenset()
        )
        min_props, max_props = node.get("minProperties"), node.get("maxProperties")
        enum = node.get("enum")

        def check(value: Any, depth: int) -> list[_Error] | None:
            if type(value) is not dict and not isinstance(value, Mapping):
                if value is None and nullable:
                    return None
                if strict:
                    return _type_error("object")
                return None if alternatives is None else alternatives(value, depth)
            if depth >= MAX_DEPTH:
                return [[_DEPTH_MESSAGE, "depth"]]
            errors: list[_Error] | None = None
            for name in required:
                if name not in value:
                    if errors is None:
                        errors = []
                    errors.append(["is required", "required", name])
            inner = depth + 1
            for key, item in value.items():
                plain = fast.get(key)
                if plain is not None and type(item) in plain:
                    continue
                sub = props.get(key)
                if sub is not None:
                    found = sub(item, inner)
                elif key in elsewhere:
                    continue
                elif closed:
                    found = [["is not a field the spec allows here", "additionalProperties"]]
                elif extra is not None:
                    found = extra(item, inner)
                elif isinstance(item, dict | list):
                    found = _deep(item, inner)
                else:
                    continue
                if found is not None:
                    for error in found:
                        error.append(key)
                    if errors is None:
                        errors = found
                    else:
                        errors.extend(found)
            if min_props is not None and len(value) < min_props:
                errors = [
                    *(errors or []),
                    [f"must have at least {min_props} fields", "minProperties"],
                ]
            if max_props is not None and len(value) > max_props:
                errors = [
                    *(errors or []),
                    [f"must have at most {max_props} fields", "maxProperties"],
                ]
            if enum is not None and value not in enum:
                errors = [*(errors or []), [_enum_message(enum), "enum"]]
            if alternatives is not None and errors is None:
                return alternatives(value, depth)
            return errors

        return check

    def array(self, node: Mapping[str, Any]) -> _Check:
        nullable = bool(node.get("nullable"))
        lo, hi = node.get("minItems"), node.get("maxItems")
        items = self.compile(node["items"]) if "items" in node else None
        plain = self.fast_types(node["items"]) if "items" in node else None
        few = f"must have at least {lo} item{'s' if lo != 1 else ''}"
        many = f"must have at most {hi} item{'s' if hi != 1 else ''}"

        def check(value: Any, depth: int) -> list[_Error] | None:
            if type(value) is not list and not isinstance(value, list | tuple):
                if value is None and nullable:
                    return None
                return _type_error("array")
            if depth >= MAX_DEPTH:
                return [[_DEPTH_MESSAGE, "depth"]]
            count = len(value)
            if hi is not None and count > hi:
                return [[many, "maxItems"]]  # and its items are not worth walking
            errors: list[_Error] | None = None
            if lo is not None and count < lo:
                errors = [[few, "minItems"]]
            if items is None:
                return errors or _deep(value, depth)
            if plain is not None:
                for item in value:
                    if type(item) not in plain:
                        break
                else:
                    return errors
            inner = depth + 1
            for index, item in enumerate(value):
                found = items(item, inner)
                if found is not None:
                    for error in found:
                        error.append(index)
                    if errors is None:
                        errors = found
                    else:
                        errors.extend(found)
            return errors

        return check

    def string(self, node: Mapping[str, Any]) -> _Check:
        nullable = bool(node.get("nullable"))
        lo, hi = node.get("minLength"), node.get("maxLength")
        raw_pattern = node.get("pattern")
        search = None if raw_pattern is None else _ecma_regex(raw_pattern)
        unmatched = (
            "must be a string of digits"
            if raw_pattern in DIGIT_PATTERNS
            else f"must match the pattern {raw_pattern}"
        )
        enum = node.get("enum")
        member = None if enum is None else _enum_set(enum)
        wrong = "" if enum is None else _enum_message(enum)
        short = f"must be at least {lo} character{'s' if lo != 1 else ''}"
        long = f"must be at most {hi} character{'s' if hi != 1 else ''}"

        def check(value: Any, depth: int) -> list[_Error] | None:
            if not isinstance(value, str):
                if value is None and nullable:
                    return None
                return _type_error("string")
            if member is not None and not member(value):
                return [[wrong, "enum"]]
            if hi is not None and len(value) > hi:
                return [[long, "maxLength"]]
            if lo is not None and len(value) < lo:
                return [[short, "minLength"]]
            if search is not None and search(value) is None:
                return [[unmatched, "pattern"]]
            return None

        return check

    def number(self, node: Mapping[str, Any], *, integer: bool) -> _Check:
        nullable = bool(node.get("nullable"))
        kind = "integer" if integer else "number"
        lo, hi = node.get("minimum"), node.get("maximum")
        lo_open, hi_open = bool(node.get("exclusiveMinimum")), bool(node.get("exclusiveMaximum"))
        below = f"must be greater than {lo}" if lo_open else f"must be at least {lo}"
        above = f"must be less than {hi}" if hi_open else f"must be at most {hi}"
        enum = node.get("enum")
        member = None if enum is None else _enum_set(enum)
        wrong = "" if enum is None else _enum_message(enum)

        def check(value: Any, depth: int) -> list[_Error] | None:
            kind_of = type(value)
            if kind_of is float:
                if not math.isfinite(value) or (integer and not value.is_integer()):
                    return _type_error(kind)
            elif kind_of is not int and (kind_of is bool or not isinstance(value, int | float)):
                if value is None and nullable:
                    return None
                return _type_error(kind)
            if member is not None and not member(value):
                return [[wrong, "enum"]]
            if lo is not None and (value <= lo if lo_open else value < lo):
                return [[below, "minimum"]]
            if hi is not None and (value >= hi if hi_open else value > hi):
                return [[above, "maximum"]]
            return None

        return check

    def boolean(self, node: Mapping[str, Any]) -> _Check:
        nullable = bool(node.get("nullable"))

        def check(value: Any, depth: int) -> list[_Error] | None:
            if value is True or value is False or (value is None and nullable):
                return None
            return _type_error("boolean")

        return check

    def untyped(self, node: Mapping[str, Any]) -> _Check:
        enum = node.get("enum")
        if enum is None:
            return _any
        member = _enum_set(enum)
        wrong = _enum_message(enum)
        nullable = bool(node.get("nullable"))

        def check(value: Any, depth: int) -> list[_Error] | None:
            if member(value) or (value is None and nullable):
                return None
            return [[wrong, "enum"]]

        return check


#: Compiling is serialized: a schema being compiled is reachable through a placeholder that only
#: works once its compilation is done (the emulator validates from several threads).
_COMPILING = threading.RLock()


@cache
def _compiler() -> _Compiler:
    return _Compiler(_table()["schemas"])


@cache
def _body_check(operation_id: str, partial: bool) -> Callable[[Any], list[Problem]]:
    body = _operation(operation_id).get("body", {})
    schema = body.get("schema")
    if schema is None:
        return lambda value: []
    with _COMPILING:
        check = _compiler().compile(schema, partial=partial)
    required = bool(body.get("required")) and not partial

    def check_one(value: Any) -> list[Problem]:
        if value is None:  # no body
            return [Problem("", "is required", "required")] if required else []
        errors = check(value, 0)
        return [] if errors is None else [_problem(e) for e in errors]

    return check_one


def check_body(operation_id: str, body: Any, *, partial: bool = False) -> list[Problem]:
    """What is wrong with ``body`` (decoded JSON, or the dict the client is about to send) as
    the operation's JSON request body. ``None`` is no body. ``partial``: ``body`` holds some of
    the fields only (the client checks them before it has them all), so the body's own
    ``required`` fields are not asked for."""
    return _body_check(operation_id, partial)(body)


# -- parameters --------------------------------------------------------------------------------
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
_BAD = object()


def _parse_integer(raw: str) -> Any:
    return int(raw) if _INTEGER.fullmatch(raw) else _BAD


def _parse_number(raw: str) -> Any:
    return float(raw) if _NUMBER.fullmatch(raw) else _BAD


def _parse_boolean(raw: str) -> Any:
    return _BOOLEANS.get(raw.lower(), _BAD)


def _parse_string(raw: str) -> Any:
    return raw


_PARSERS: dict[str | None, tuple[Callable[[str], Any], str]] = {
    "integer": (_parse_integer, "must be an integer"),
    "number": (_parse_number, "must be a number"),
    "boolean": (_parse_boolean, "must be true or false"),
}

_ParamCheck: TypeAlias = Callable[[str, list[str], list[Problem]], None]


def _param_check(name: str, entry: Mapping[str, Any]) -> _ParamCheck:
    """Parse a parameter's raw values (strings) as its schema's type and check them."""
    compiler = _compiler()
    schema = entry["schema"]
    resolved = _resolve(schema)
    check = compiler.compile(schema)
    kind = resolved.get("type")
    if kind == "object":  # deepObject (name[key]=value): the presence test is the caller's

        def nothing(label: str, values: list[str], problems: list[Problem]) -> None:
            return None

        return nothing
    if kind == "array":
        items = _resolve(resolved.get("items", {}))
        parse, wrong = _PARSERS.get(items.get("type"), (_parse_string, ""))

        def array(label: str, values: list[str], problems: list[Problem]) -> None:
            # Repeated keys and comma-separated values both make a list (the real API takes
            # either, whatever the spec's explode says).
            parts = [part for raw in values for part in raw.split(",") if part]
            parsed = [parse(part) for part in parts]
            for index, value in enumerate(parsed):
                if value is _BAD:
                    problems.append(Problem(f"{label}[{index}]", wrong, "type"))
                    return
            errors = check(parsed, 0)
            if errors is not None:
                problems.extend(_problem([*e, label]) for e in errors)

        return array
    parse, wrong = _PARSERS.get(kind, (_parse_string, ""))

    def scalar(label: str, values: list[str], problems: list[Problem]) -> None:
        value = parse(values[0])
        if value is _BAD:
            problems.append(Problem(label, wrong, "type"))
            return
        errors = check(value, 0)
        if errors is not None:
            problems.extend(_problem([*e, label]) for e in errors)

    return scalar


@cache
def _params_check(
    operation_id: str,
) -> Callable[[Mapping[str, str], Mapping[str, list[str]]], list[Problem]]:
    path_checks: list[tuple[str, bool, _ParamCheck]] = []
    query_checks: list[tuple[str, bool, bool, _ParamCheck]] = []
    with _COMPILING:
        for name, entry in _parameters(operation_id).items():
            required = bool(entry.get("required"))
            if entry["in"] == "path":
                path_checks.append((name, required, _param_check(name, entry)))
            else:
                deep = _resolve(entry["schema"]).get("type") == "object"
                query_checks.append((name, required, deep, _param_check(name, entry)))

    def check(path_params: Mapping[str, str], query: Mapping[str, list[str]]) -> list[Problem]:
        problems: list[Problem] = []
        for name, required, run in path_checks:
            raw = path_params.get(name)
            if raw is None:
                if required:
                    problems.append(Problem(name, "is required", "required"))
            else:
                run(name, [raw], problems)
        for name, required, deep, run in query_checks:
            if deep:
                if required and not any(k.startswith(f"{name}[") for k in query):
                    problems.append(Problem(name, "is required", "required"))
                continue
            values = query.get(name)
            if not values:
                if required:
                    problems.append(Problem(name, "is required", "required"))
            else:
                run(name, values, problems)
        return problems

    return check


def check_params(
    operation_id: str, path_params: Mapping[str, str], query: Mapping[str, list[str]]
) -> list[Problem]:
    """What is wrong with a request's path parameters and query (raw strings; a query key maps
    to its values in order, arrays as repeated keys and/or comma-separated). Parameters the
    operation does not have are ignored, as the real API ignores them."""
    return _params_check(operation_id)(path_params, query)


@dataclass(frozen=True)
class DateLimit:
    """How far back (days before today, UTC) a date range may start, and how long it may be
    (days from ``start_date`` to ``end_date``), as the operation's description states it;
    None where it states nothing."""

    back_days: int | None
    range_days: int | None


def date_limit(operation_id: str, fields: Mapping[str, Any] | None = None) -> DateLimit:
    """The strictest of the operation's date limits that apply to a request with ``fields``
    (``{"granularity": "HOUR", "level": ...}``): a limit stated for one value of a field
    applies when the request has it (or, for "is not", does not)."""
    backs: list[int] = []
    spans: list[int] = []
    for limit in _operation(operation_id).get("date_limits", []):
        when = limit.get("when")
        if when is not None:
            has = (fields or {}).get(when["field"]) == when["value"]
            if has == when["not"]:
                continue
        if limit.get("back_days") is not None:
            backs.append(int(limit["back_days"]))
        if limit.get("range_days") is not None:
            spans.append(int(limit["range_days"]))
    return DateLimit(min(backs, default=None), min(spans, default=None))
