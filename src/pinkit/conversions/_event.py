"""A conversion event, and the checks it passes before it is sent.

The fields an event may have, their types and the batch limit come from the constraints table
(``events/create``), read once when the first preparer is made; the rules the spec states only
in prose (event names, action sources, the identity requirement, the 7-day age limit) from
``pinkit._capi``. ``EventPreparer`` turns an event (a ``ConversionEvent`` or a plain mapping)
into the dict to send, or raises ``InvalidInputError`` saying what is wrong: it is made once
per send and costs a few microseconds per event, so millions of events can go through it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Literal

from .._capi import ACTION_SOURCES, EVENT_NAMES, MAX_EVENT_AGE_S
from ..errors import InvalidInputError
from ._normalize import HashMode, MaidCase, UserDataHasher, ZipLetters

__all__ = [
    "FUTURE_SLACK_S",
    "ConversionEvent",
    "EventPreparer",
    "InvalidMode",
    "Prepared",
    "UnreadableEvent",
    "event_fields",
    "max_batch",
]

OPERATION = "events/create"
#: Clocks differ: an event time a few minutes ahead of ours is still "now".
FUTURE_SLACK_S = 300
#: An ``event_time`` above this is not seconds (year 5138): it is milliseconds.
_MILLISECONDS = 10**11
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
#: custom_data fields that are lists of strings (checked item by item on the fast path).
_STRING_LISTS = frozenset({"content_ids"})
#: Fields checked by their own rules rather than by type alone.
_SPECIAL = frozenset({"user_data", "custom_data", "event_time"})
#: The spec's required event fields (checked against the table when a preparer is made).
_REQUIRED = frozenset({"action_source", "event_id", "event_name", "event_time", "user_data"})

InvalidMode = Literal["reject", "drop_field"]


@cache
def event_fields() -> tuple[str, ...]:
    """The fields the spec allows in an event (it closes the object: no others)."""
    from .._constraints import field

    return field(OPERATION, "data[]").properties


@cache
def custom_data_fields() -> tuple[str, ...]:
    from .._constraints import field

    return field(OPERATION, "data[].custom_data").properties


@cache
def required_fields() -> tuple[str, ...]:
    from .._constraints import field

    names = event_fields()
    return tuple(n for n in names if field(OPERATION, f"data[].{n}").required)


@cache
def max_batch() -> int:
    """The most events one request may carry (the spec's ``maxItems``)."""
    from .._constraints import field

    limit = field(OPERATION, "data").max_items
    assert limit is not None
    return limit


_PYTHON_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "number": (int, float),
    "array": (list, tuple),
    "object": (dict, Mapping),
}


@cache
def _scalar_types(section: str) -> dict[str, tuple[tuple[type, ...], str]]:
    """``name -> (python types, spec type)`` of an object's fields (``""``: the event,
    ``custom_data``)."""
    from .._constraints import field

    prefix = "data[]" if not section else f"data[].{section}"
    names = event_fields() if not section else custom_data_fields()
    out = {}
    for name in names:
        spec = field(OPERATION, f"{prefix}.{name}")
        kind = spec.type or "object"
        out[name] = (_PYTHON_TYPES.get(kind, (object,)), kind)
    return out


def _exact_types(
    types: Mapping[str, tuple[tuple[type, ...], str]],
) -> dict[str, frozenset[type]]:
    """Fields whose value passes on its exact type alone (strings, integers, booleans)."""
    return {
        name: frozenset(python)
        for name, (python, kind) in types.items()
        if kind in ("string", "integer", "boolean") and name not in _SPECIAL
    }


def _usual_types(types: Mapping[str, tuple[tuple[type, ...], str]]) -> dict[str, type]:
    """``name -> type`` of the event fields a value of that exact type is taken as it is: the
    strings, integers and booleans, ``event_time`` as an integer (its range is checked after),
    ``user_data`` and ``custom_data`` as dicts (they are rebuilt after)."""
    exact = _exact_types(types)
    usual = {name: next(iter(kinds)) for name, kinds in exact.items() if len(kinds) == 1}
    for name, kind in (("event_time", int), ("user_data", dict), ("custom_data", dict)):
        if name in types:
            usual[name] = kind
    return usual


@dataclass(frozen=True, kw_only=True)
class ConversionEvent:
    """One conversion event, as ``events/create`` takes it.

    ``user_data`` may hold raw values (they are normalised and hashed when sent) or digests.
    ``event_time`` is Unix seconds (an aware ``datetime`` is converted). ``event_id`` is
    required: Pinterest deduplicates by it, and a retried event keeps it
    (``make_event_id`` gives a stable one). The field names are the spec's; a name it does not
    know raises ``TypeError`` here and ``InvalidInputError`` in ``from_dict``, since Pinterest
    answers "Additional properties are not allowed".
    """

    event_name: str
    action_source: str
    event_time: int | datetime
    event_id: str
    user_data: Mapping[str, Any]
    custom_data: Mapping[str, Any] | None = None
    event_source_url: str | None = None
    opt_out: bool | None = None
    partner_name: str | None = None
    app_id: str | None = None
    app_name: str | None = None
    app_version: str | None = None
    app_info: Mapping[str, Any] | None = None
    device_brand: str | None = None
    device_carrier: str | None = None
    device_model: str | None = None
    device_type: str | None = None
    device_info: Mapping[str, Any] | None = None
    os_version: str | None = None
    wifi: bool | None = None
    language: str | None = None

    def __new__(cls, *args: Any, **kwargs: Any) -> ConversionEvent:
        # a field Pinterest does not take is refused before the generated __init__ would
        # raise a bare TypeError
        for key in kwargs:
            if key not in _FIELD_NAMES:
                raise _unknown_field(key)
        return super().__new__(cls)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConversionEvent:
        """An event from a mapping of the spec's field names; any other name raises
        ``InvalidInputError`` naming it."""
        for key in data:
            if key not in _FIELD_NAMES:
                raise _unknown_field(key)
        missing = [name for name in required_fields() if name not in data]
        if missing:
            raise InvalidInputError(f"{missing[0]} is required")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """The event's set fields (``None`` ones left out), values as given."""
        return {f.name: value for f in fields(self) if (value := getattr(self, f.name)) is not None}


_FIELD_NAMES = frozenset(f.name for f in fields(ConversionEvent))


def _unknown_field(key: str, where: str = "") -> InvalidInputError:
    return InvalidInputError(
        f"{where}{key} is not a field Pinterest accepts here (it answers 'Additional properties "
        "are not allowed')"
    )


@dataclass(frozen=True)
class UnreadableEvent:
    """An item a source could not make into an event (a CSV row with a bad cell, a line that
    is not JSON): the bulk sender rejects it as ``invalid`` with ``reason``, and ``raw`` (what
    was read) as its event, so that it is never dropped unseen. ``reason`` should not repeat
    the values read (rejects reasons end up in logs)."""

    reason: str
    raw: Any = None


class Prepared:
    """An event ready to send, and what preparing it found (``hashed_mask``/``raw_mask``:
    see ``UserDataHasher.prepare``)."""

    __slots__ = ("event", "hashed_mask", "offline", "raw_mask", "warnings")

    def __init__(
        self,
        event: dict[str, Any],
        offline: bool,
        hashed_mask: int,
        raw_mask: int,
        warnings: tuple[str, ...] = (),
    ) -> None:
        self.event = event
        self.offline = offline
        self.hashed_mask = hashed_mask
        self.raw_mask = raw_mask
        self.warnings = warnings


class EventPreparer:
    """Checks and converts events, with the options fixed once.

    ``now`` is given per call (the client's clock), so the age limit follows the clock the
    requests use. ``max_event_age_s`` is the accepted window (7 days by default, Pinterest's
    documented limit); ``allow_unknown_event_name`` lets through names outside the 22 known
    ones (Pinterest then reports them as "Unknown" events); ``on_invalid_field="drop_field"``
    leaves out an invalid ``user_data`` field (with a warning) instead of refusing the event,
    as long as the event still meets the identity requirement.
    """

    def __init__(
        self,
        *,
        hash: HashMode = "auto",
        on_invalid_field: InvalidMode = "reject",
        allow_unknown_event_name: bool = False,
        max_event_age_s: float = MAX_EVENT_AGE_S,
        maid_case: MaidCase = "lower",
        zip_letters: ZipLetters = "keep",
    ) -> None:
        if on_invalid_field not in ("reject", "drop_field"):
            raise InvalidInputError("on_invalid_field must be 'reject' or 'drop_field'")
        if not max_event_age_s > 0:
            raise InvalidInputError("max_event_age_s must be > 0")
        self.hasher = UserDataHasher(hash=hash, maid_case=maid_case, zip_letters=zip_letters)
        self.drop_invalid = on_invalid_field == "drop_field"
        self.allow_unknown_event_name = allow_unknown_event_name
        self.max_event_age_s = float(max_event_age_s)
        self._event_types = _scalar_types("")
        self._custom_types = _scalar_types("custom_data")
        self._plain = _exact_types(self._event_types)
        self._custom_plain = _exact_types(self._custom_types)
        self._usual = _usual_types(self._event_types)
        self._required = required_fields()
        assert set(self._required) == _REQUIRED, "the spec's required event fields changed"

    def prepare(self, event: Any, now: float) -> Prepared:
        """The event to send; ``InvalidInputError`` saying what is wrong otherwise."""
        if type(event) is dict or isinstance(event, Mapping):
            source: Mapping[str, Any] = event
        elif isinstance(event, ConversionEvent):
            source = event.to_dict()
        elif isinstance(event, UnreadableEvent):
            raise InvalidInputError(event.reason)
        else:
            raise InvalidInputError(
                f"an event must be a ConversionEvent or a mapping, got {type(event).__name__}"
            )
        out: dict[str, Any] | None = None
        if type(source) is dict:
            # the usual event: every field of its usual type, so a copy is the checked event
            usual = self._usual
            for key, value in source.items():
                if usual.get(key) is not type(value):
                    break
            else:
                out = source.copy()
        if out is None:
            out = self._fields(source)
        try:
            name = out["event_name"]
            source_kind = out["action_source"]
            event_time = out["event_time"]
            event_id = out["event_id"]
            user_data = out["user_data"]
        except KeyError:
            for required in self._required:
                if required not in out:
                    raise InvalidInputError(f"{required} is required") from None
            raise
        if name not in EVENT_NAMES and not (
            self.allow_unknown_event_name and type(name) is str and name
        ):
            raise InvalidInputError(
                f"event_name {name!r} is not one of Pinterest's {len(EVENT_NAMES)} event names "
                "(Pinterest would count it as an 'Unknown' event; pass "
                "allow_unknown_event_name=True to send it anyway)"
            )
        if source_kind not in ACTION_SOURCES:
            raise InvalidInputError(
                f"action_source {source_kind!r} is not one of {sorted(ACTION_SOURCES)}"
            )
        if type(event_time) is not int or not (
            now - self.max_event_age_s <= event_time <= now + FUTURE_SLACK_S
        ):
            out["event_time"] = self._event_time(event_time, now)
        if not event_id.strip():
            raise InvalidInputError("event_id is empty: Pinterest deduplicates events by it")
        if type(user_data) is not dict and not isinstance(user_data, Mapping):
            raise InvalidInputError(f"user_data must be a mapping, got {type(user_data).__name__}")
        hashed, hashed_mask, raw_mask, dropped = self.hasher.prepare(user_data, self.drop_invalid)
        if not (
            "em" in hashed
            or "hashed_maids" in hashed
            or ("client_ip_address" in hashed and "client_user_agent" in hashed)
        ):
            raise InvalidInputError(
                "user_data needs em, or hashed_maids, or client_ip_address with "
                "client_user_agent"
                + (f" (left out as invalid: {', '.join(dropped)})" if dropped else "")
            )
        out["user_data"] = hashed
        custom = out.get("custom_data")
        deep = "app_info" in out or "device_info" in out
        if custom is not None:
            custom = out["custom_data"] = self._custom_data(custom)
            deep = deep or "contents" in custom
        if deep:
            self._deep_check(out)
        if dropped:
            warnings = tuple(f"invalid user_data.{name} left out" for name in dropped)
            return Prepared(out, source_kind == "offline", hashed_mask, raw_mask, warnings)
        return Prepared(out, source_kind == "offline", hashed_mask, raw_mask)

    def _fields(self, source: Mapping[str, Any]) -> dict[str, Any]:
        """The event's fields checked one by one against their spec types (``None`` ones left
        out)."""
        plain = self._plain
        out: dict[str, Any] = {}
        for key, value in source.items():
            kinds = plain.get(key)
            if kinds is not None and type(value) in kinds:
                out[key] = value
            elif value is None:
                if key not in self._event_types:
                    raise _unknown_field(key)
            elif key in _SPECIAL:
                out[key] = value
            else:
                out[key] = self._typed(key, value)
        return out

    def _typed(self, key: str, value: Any) -> Any:
        """A field's value checked against its spec type (the slow path)."""
        spec = self._event_types.get(key)
        if spec is None:
            raise _unknown_field(key)
        if type(value) not in spec[0] and not (
            isinstance(value, spec[0]) and not isinstance(value, bool)
        ):
            raise InvalidInputError(f"{key} must be a {spec[1]}, got {type(value).__name__}")
        if spec[1] == "object":
            return dict(value)
        if spec[1] == "array":
            return list(value)
        return value

    def _event_time(self, value: Any, now: float) -> int:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise InvalidInputError(
                    "event_time is a datetime without a time zone: give an aware datetime "
                    "or Unix seconds"
                )
            value = int(value.timestamp())
        elif type(value) is float and math.isfinite(value):
            value = int(value)
        elif type(value) is not int:
            raise InvalidInputError(
                f"event_time must be Unix seconds (an integer), got {type(value).__name__}"
            )
        if value > _MILLISECONDS:
            raise InvalidInputError(
                f"event_time {value} is in milliseconds: Pinterest takes Unix seconds"
            )
        if value > now + FUTURE_SLACK_S:
            raise InvalidInputError(f"event_time {value} is in the future")
        if value < now - self.max_event_age_s:
            days = self.max_event_age_s / 86400
            raise InvalidInputError(
                f"event_time {value} is more than {days:g} days ago: Pinterest accepts only "
                "recent events"
            )
        return int(value)

    def _custom_data(self, custom: Any) -> dict[str, Any]:
        if type(custom) is not dict and not isinstance(custom, Mapping):
            raise InvalidInputError(f"custom_data must be a mapping, got {type(custom).__name__}")
        plain = self._custom_plain
        out: dict[str, Any] = {}
        for key, value in custom.items():
            if key == "value":
                if type(value) is str and _DECIMAL.fullmatch(value) is not None:
                    out[key] = value  # already the decimal string Pinterest parses
                elif value is not None:
                    out[key] = _money("custom_data.value", value)
                continue
            if key == "currency":
                if value is None:
                    continue
                if type(value) is not str or not (
                    len(value) == 3 and value.isascii() and value.isalpha()
                ):
                    raise InvalidInputError(
                        "custom_data.currency must be a three-letter ISO-4217 code (USD)"
                    )
                out[key] = value if value.isupper() else value.upper()
                continue
            kinds = plain.get(key)
            if kinds is not None and type(value) in kinds:
                out[key] = value
                continue
            if type(value) is list and key in _STRING_LISTS and all(type(v) is str for v in value):
                out[key] = value
                continue
            spec = self._custom_types.get(key)
            if spec is None:
                raise _unknown_field(key, "custom_data.")
            if value is None:
                continue
            if type(value) not in spec[0] and not (
                isinstance(value, spec[0]) and not isinstance(value, bool)
            ):
                raise InvalidInputError(
                    f"custom_data.{key} must be a {spec[1]}, got {type(value).__name__}"
                )
            if key == "contents":
                value = [_content(i, item) for i, item in enumerate(value)]
            elif spec[1] == "array":
                value = list(value)
            out[key] = value
        return out

    def _deep_check(self, event: dict[str, Any]) -> None:
        """The rest of the spec's limits, from the compiled table validator (for the nested
        objects only a few events carry)."""
        from .._constraints import check_body

        problems = check_body(OPERATION, {"data": [event]})
        if problems:
            problem = problems[0]
            where = problem.path.removeprefix("data[0].")
            raise InvalidInputError(f"{where} {problem.message}")


def _money(where: str, value: Any) -> str:
    """A money amount as the decimal string Pinterest parses (``"72.39"``): a number or a
    decimal string, finite and not negative."""
    if type(value) is str and _DECIMAL.fullmatch(value) is not None:
        return value
    if isinstance(value, bool):
        raise InvalidInputError(f"{where} must be a number, got bool")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(f"{where} must be a finite number")
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInputError(f"{where} must be a finite number")
        text = format(value, "f")
    elif isinstance(value, str):
        text = value.strip()
        if _DECIMAL.fullmatch(text) is None:
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = None
            if number is not None and number.is_finite() and number < 0:
                raise InvalidInputError(f"{where} must not be negative")
            raise InvalidInputError(f'{where} must be a decimal number such as "72.39"')
        return text
    else:
        raise InvalidInputError(f"{where} must be a number, got {type(value).__name__}")
    if text.startswith("-"):
        raise InvalidInputError(f"{where} must not be negative")
    return text


def _content(index: int, item: Any) -> Any:
    if not isinstance(item, Mapping):
        return item  # the table check says what is wrong
    item = dict(item)
    if item.get("item_price") is not None:
        item["item_price"] = _money(f"custom_data.contents[{index}].item_price", item["item_price"])
    return item
