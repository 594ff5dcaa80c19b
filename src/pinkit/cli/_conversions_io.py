"""Files of conversion events for ``pinkit conversions``: CSV and JSONL read as events, lazily,
with the line each one came from; rejects files written with those lines and read back.

CSV columns (a header row; names trimmed, any case; an empty cell is a field left out):

* event fields by their API names: ``event_name``, ``action_source``, ``event_time``,
  ``event_id``, ``event_source_url``, ``opt_out``, ``partner_name``, ``app_id``, ... ;
* ``user_data`` fields as top-level columns: ``em``, ``ph``, ``ge``, ``db``, ``ln``, ``fn``,
  ``ct``, ``st``, ``zp``, ``country``, ``external_id``, ``hashed_maids`` (raw or SHA-256; several
  values separated by ``|``), ``client_ip_address``, ``client_user_agent``, ``click_id``,
  ``partner_id``;
* ``custom_data`` fields as top-level columns: ``value``, ``currency``, ``order_id``,
  ``content_ids`` (``|``-separated), ``num_items``, ``contents`` (a JSON array), ... .

Cells are converted by the field's type in the spec: integers (``event_time`` also takes an
ISO 8601 date and time with a zone), booleans (``true``/``false``, ``1``/``0``, ``yes``/``no``),
JSON for the object fields (``app_info``, ``device_info``, ``contents``). A row whose cell cannot
be converted is not dropped: it becomes an ``UnreadableEvent`` (rejected as ``invalid``, the row
as read kept in the rejects file). A column that is no field is bad input before anything is
sent: a misspelt ``emial`` would otherwise be lost without a word.

JSONL: one event per line, in the API's shape (``user_data`` and ``custom_data`` nested); blank
lines are skipped; a line that is not a JSON object is an ``UnreadableEvent``.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from .._capi import HASHED_FIELDS, PLAIN_FIELDS
from ..conversions._event import UnreadableEvent, custom_data_fields, event_fields
from ..conversions._sinks import JsonlRejects
from ._common import BadInput

try:  # optional (pinkit[fast])
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment]

__all__ = [
    "CUSTOM_COLUMNS",
    "EVENT_COLUMNS",
    "LIST_SEPARATOR",
    "USER_DATA_COLUMNS",
    "EventFile",
    "LineRejects",
    "read_rejects",
]

LIST_SEPARATOR = "|"
USER_DATA_COLUMNS: tuple[str, ...] = (*HASHED_FIELDS, *PLAIN_FIELDS)
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
csv.field_size_limit(2**24)


def _types(section: str) -> dict[str, str]:
    from .._constraints import field

    prefix = "data[]" if not section else f"data[].{section}"
    names = event_fields() if not section else custom_data_fields()
    return {n: field("events/create", f"{prefix}.{n}").type or "object" for n in names}


EVENT_COLUMNS: tuple[str, ...] = tuple(
    n for n in event_fields() if n not in ("user_data", "custom_data")
)
CUSTOM_COLUMNS: tuple[str, ...] = custom_data_fields()


def _loads(text: str | bytes) -> Any:
    if orjson is not None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


class _CellError(Exception):
    pass


def _event_time(text: str) -> int:
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _CellError("is not Unix seconds or an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise _CellError("has no time zone (write 2026-12-01T10:00:00Z, or Unix seconds)")
    return int(moment.timestamp())


def _converter(name: str, kind: str) -> Callable[[str], Any]:
    if name == "event_time":
        return _event_time
    if kind == "integer":

        def integer(text: str) -> Any:
            try:
                return int(text)
            except ValueError:
                raise _CellError("is not an integer") from None

        return integer
    if kind == "boolean":

        def boolean(text: str) -> Any:
            value = _BOOLEANS.get(text.lower())
            if value is None:
                raise _CellError("is not true or false")
            return value

        return boolean
    if kind == "number":

        def number(text: str) -> Any:
            try:
                return float(text)
            except ValueError:
                raise _CellError("is not a number") from None

        return number
    if kind in ("object", "array") and name != "content_ids":
        expected = dict if kind == "object" else list

        def parsed(text: str) -> Any:
            try:
                value = json.loads(text)
            except ValueError:
                raise _CellError(f"is not JSON (it takes a JSON {kind})") from None
            if not isinstance(value, expected):
                raise _CellError(f"is not a JSON {kind}")
            return value

        return parsed
    if kind == "array":
        return lambda text: [v.strip() for v in text.split(LIST_SEPARATOR) if v.strip()]
    return lambda text: text


def _hashed(text: str) -> Any:
    if LIST_SEPARATOR not in text:
        return text
    values = [v.strip() for v in text.split(LIST_SEPARATOR) if v.strip()]
    return values[0] if len(values) == 1 else values


class _Columns:
    """How each column of a CSV header becomes part of an event."""

    def __init__(self, header: Sequence[str]) -> None:
        event_types = _types("")
        custom_types = _types("custom_data")
        self.names = [h.strip().lower() for h in header]
        seen: set[str] = set()
        unknown: list[str] = []
        self.plan: list[tuple[int, str, str, Callable[[str], Any]]] = []
        for position, name in enumerate(self.names):
            if not name:
                continue
            if name in seen:
                raise BadInput(f"column {name!r} appears twice in the header")
            seen.add(name)
            if name in USER_DATA_COLUMNS:
                convert = _hashed if name in HASHED_FIELDS else (lambda text: text)
                self.plan.append((position, "user_data", name, convert))
            elif name in CUSTOM_COLUMNS:
                self.plan.append(
                    (position, "custom_data", name, _converter(name, custom_types[name]))
                )
            elif name in EVENT_COLUMNS:
                self.plan.append((position, "", name, _converter(name, event_types[name])))
            else:
                unknown.append(name)
        if unknown:
            raise BadInput(
                f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}:"
                " a CSV of events takes the API's event fields (event_name, action_source, "
                "event_time, event_id, ...), the user_data fields as columns (em, ph, "
                "client_ip_address, ...) and the custom_data fields as columns (value, "
                "currency, order_id, content_ids, ...); see docs/conversions.md"
            )
        if not self.plan:
            raise BadInput("the CSV header names no event field")

    def event(self, row: Sequence[str]) -> dict[str, Any] | UnreadableEvent:
        event: dict[str, Any] = {}
        user_data: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        width = len(row)
        for position, section, name, convert in self.plan:
            if position >= width:
                continue
            text = row[position].strip()
            if not text:
                continue
            try:
                value = convert(text)
            except _CellError as exc:
                return UnreadableEvent(f"column {name} {exc}", self.raw(row))
            if section == "user_data":
                user_data[name] = value
            elif section == "custom_data":
                custom[name] = value
            else:
                event[name] = value
        if width > len(self.names) and any(cell.strip() for cell in row[len(self.names) :]):
            return UnreadableEvent("the row has more cells than the header", self.raw(row))
        event["user_data"] = user_data
        if custom:
            event["custom_data"] = custom
        return event

    def raw(self, row: Sequence[str]) -> dict[str, str]:
        return {name: cell for name, cell in zip(self.names, row, strict=False) if name}


class EventFile:
    """A file of events (``.csv``, ``.jsonl``, or ``-`` for stdin), read once, lazily.

    ``items()`` yields ``(line, event)``; ``line_of(index)`` is the line of the ``index``-th
    item yielded so far (an index the sender reports in a reject)."""

    def __init__(self, name: str, *, kind: str | None = None) -> None:
        self.name = name
        self.stdin = name == "-"
        self.path = None if self.stdin else Path(name)
        if self.path is not None:
            if not self.path.exists():
                raise BadInput(f"no such file: {name}")
            if self.path.is_dir():
                raise BadInput(f"{name} is a folder, not a file of events")
        suffix = "" if self.path is None else self.path.suffix.lower()
        if kind is None and suffix in (".csv", ".jsonl", ".ndjson"):
            kind = "csv" if suffix == ".csv" else "jsonl"
        if kind is None and not self.stdin:
            raise BadInput(f"{name}: a file of events is .csv or .jsonl (or - for stdin)")
        self.kind = kind
        self._starts: list[int] = [0]
        self._offsets: list[int] = [0]
        self._count = 0

    @property
    def label(self) -> str:
        return "stdin" if self.stdin else self.name

    def count_lines(self) -> int | None:
        """The file's lines (a progress bar's total); None for stdin."""
        if self.path is None:
            return None
        lines = 0
        with self.path.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                lines += block.count(b"\n")
        return max(0, lines - (1 if self.kind == "csv" else 0))

    def line_of(self, index: int) -> int:
        at = bisect.bisect_right(self._starts, index) - 1
        return index + self._offsets[at]

    def _note(self, line: int) -> None:
        offset = line - self._count
        if offset != self._offsets[-1]:
            self._starts.append(self._count)
            self._offsets.append(offset)
        self._count += 1

    def _open(self) -> IO[str]:
        if self.path is None:
            return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
        return self.path.open(encoding="utf-8-sig", newline="")

    def items(self) -> Iterator[tuple[int, Any]]:
        with self._open() as file:
            kind = self.kind
            first = ""
            if kind is None:  # stdin: a JSON object first means JSONL
                first = file.readline()
                kind = self.kind = "jsonl" if first.lstrip().startswith("{") else "csv"
            lines: Iterator[str] = _chain(first, file) if first else iter(file)
            if kind == "csv":
                yield from self._csv(lines)
            else:
                yield from self._jsonl(lines)

    def _csv(self, lines: Iterator[str]) -> Iterator[tuple[int, Any]]:
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise BadInput(f"{self.label}: the header row is not valid CSV: {exc}") from None
        if header is None:
            return
        columns = _Columns(header)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                line = reader.line_num
                self._note(line)
                yield line, UnreadableEvent(f"not valid CSV: {exc}", None)
                continue
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            self._note(line)
            yield line, columns.event(row)

    def _jsonl(self, lines: Iterator[str]) -> Iterator[tuple[int, Any]]:
        for line, text in enumerate(lines, 1):
            if not text.strip():
                continue
            self._note(line)
            try:
                value = _loads(text)
            except (ValueError, RecursionError):
                yield line, UnreadableEvent("the line is not valid JSON", text.rstrip("\r\n"))
                continue
            if not isinstance(value, dict):
                yield line, UnreadableEvent("the line is not a JSON object", value)
                continue
            yield line, value


def _chain(first: str, rest: IO[str]) -> Iterator[str]:
    yield first
    yield from rest


class LineRejects(JsonlRejects):
    """The rejects file, each reject with the ``line`` of the input it came from."""

    def __init__(self, path: Path, line_of: Callable[[int], int]) -> None:
        super().__init__(path)
        self._line_of = line_of

    def write(self, rejects: Sequence[dict[str, Any]]) -> None:
        line_of = self._line_of
        super().write([{"index": r["index"], "line": line_of(r["index"]), **r} for r in rejects])


def read_rejects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rejects of a rejects file, ``(line, reject)``; a line that is not one is bad
    input (exit 2)."""
    with path.open(encoding="utf-8") as file:
        for line, text in enumerate(file, 1):
            if not text.strip():
                continue
            try:
                reject = _loads(text)
            except ValueError:
                reject = None
            if (
                not isinstance(reject, dict)
                or reject.get("kind") not in ("invalid", "refused", "undeliverable")
                or "event" not in reject
            ):
                raise BadInput(
                    f"{path}, line {line}: not a reject of pinkit conversions (a JSON object "
                    'with "kind" and "event")'
                )
            yield line, reject
