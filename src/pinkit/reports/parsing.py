"""Report files and analytics answers as typed rows: ``dict``s keyed by column name.

Every row of one report has the same keys in the same order, whatever the file's format:
``DATE`` (not for TOTAL), ``HOUR`` (for HOUR), the level's ID column, then the requested
columns, each ``*_IN_MICRO_DOLLAR`` one followed by its exact amount in the account's currency
(``*_IN_ACCOUNT_CURRENCY``, a ``Decimal``), then ``CURRENCY``. Pinterest's JSON files leave out
metrics that are 0 and its CSV files write them (the spec: "Reports in JSON will not zero-fill
metrics, whereas reports in CSV will"), so a value missing from a JSON row is filled in: ``0``
(or ``0.0``) for metrics, ``None`` for text. Values are ``int``, ``float``, ``Decimal``,
``datetime.date``, ``str`` or ``None`` (:mod:`pinkit.reports.columns` says which).

CSV rows go through a row builder generated once per file header: one function that builds the
whole dict with C-level conversions, so parsing costs about what ``csv.DictReader`` alone does.
A row the fast builder cannot take (an empty cell, a fraction in a count column) is converted
cell by cell instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from .columns import (
    CURRENCY,
    is_money,
    kind_of,
    micro_column,
    money_column,
)

__all__ = ["Row", "RowShape", "report_keys", "shape_of_header"]

Row = dict[str, Any]
_ZERO = {"number": 0, "float": 0.0, "hour": 0}
_CONVERSION_ERRORS = (ValueError, ArithmeticError, KeyError, IndexError, TypeError)


class _Dates(dict[str, dt.date]):
    """``"2026-01-31"`` -> ``date(2026, 1, 31)``, each text parsed once."""

    def __missing__(self, text: str) -> dt.date:
        value = self[text] = dt.date.fromisoformat(text)
        return value


def report_keys(
    columns: Sequence[str], *, granularity: str, id_column: str | None, currency: bool
) -> list[str]:
    """The keys of every row: date, hour, entity ID, the columns with their money amounts,
    and ``CURRENCY`` when ``currency`` and any column is money."""
    keys: list[str] = []
    if granularity != "TOTAL":
        keys.append("DATE")
    if granularity == "HOUR":
        keys.append("HOUR")
    if id_column:
        keys.append(id_column)
    money = False
    for column in columns:
        if column in keys:
            continue
        keys.append(column)
        if is_money(column):
            money = True
            keys.append(money_column(column))
    if currency and money:
        keys.append(CURRENCY)
    return keys


def _micros_to_amount(value: Any) -> Decimal | None:
    """Micro-units (int, float or text) as an exact ``Decimal`` amount of currency units."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(value).scaleb(-6)
    except (InvalidOperation, TypeError, ValueError):
        return None


def _number(value: Any) -> Any:
    """A count or amount from text: int, else float, else None for an empty cell, else the
    text itself (never lose what Pinterest sent)."""
    if not isinstance(value, str):
        return value
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value


def _float(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if value == "" or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _date(value: Any) -> Any:
    if isinstance(value, dt.date) or not isinstance(value, str) or not value:
        return value or None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return value


def _decimal(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(repr(value) if isinstance(value, float) else str(value))
    except (InvalidOperation, ValueError):
        return value


def _text(value: Any) -> Any:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


_CONVERT: Mapping[str, Callable[[Any], Any]] = {
    "date": _date,
    "hour": _number,
    "text": _text,
    "float": _float,
    "number": _number,
    "decimal": _decimal,
}


class RowShape:
    """How to turn one report's rows into typed rows with ``keys``.

    ``currency`` fills ``CURRENCY`` (the ad account's, read once per report).
    ``id_column`` is filled from the entity key of Pinterest's ``{entity_id: [rows]}`` JSON
    files when a row does not carry it.
    """

    def __init__(
        self, keys: Sequence[str], *, currency: str | None = None, id_column: str | None = None
    ) -> None:
        self.keys = list(keys)
        self.currency = currency
        self.id_column = id_column
        self._kinds = [(key, kind_of(key)) for key in self.keys]

    # -- JSON (report files, synchronous answers, JSON Lines exports) -----------------------
    def from_json(self, raw: Mapping[str, Any], entity: str | None = None) -> Row:
        """A typed row from a JSON object (metrics left out count as 0)."""
        row: Row = {}
        for key, kind in self._kinds:
            value = raw.get(key)
            if value is None:
                if kind == "decimal":
                    source = micro_column(key)
                    if source in raw or source in row:
                        row[key] = _micros_to_amount(raw.get(source, 0) or 0)
                        continue
                    row[key] = None
                elif key == CURRENCY:
                    row[key] = self.currency
                elif key == self.id_column and entity is not None:
                    row[key] = entity
                elif key == "DATE" or kind in ("text", "date"):
                    row[key] = None
                else:
                    row[key] = _ZERO.get(kind)
                continue
            if kind == "text" and key.endswith("_ID") and not isinstance(value, str):
                row[key] = str(value)  # the spec's examples show some IDs as numbers
            else:
                row[key] = _CONVERT[kind](value)
        for key, value in raw.items():
            if key not in row:  # a column Pinterest sent that the request did not name
                row[key] = _CONVERT[kind_of(key)](value)
        return row

    def parse_json_report(self, data: bytes | str) -> list[Row]:
        """Pinterest's JSON report file: ``{entity_id: [row, ...]}`` (a bare list works too)."""
        body = json.loads(data) if data else {}
        if isinstance(body, list):
            return [self.from_json(raw) for raw in body]
        rows: list[Row] = []
        for entity, entity_rows in (body or {}).items():
            for raw in entity_rows or ():
                rows.append(self.from_json(raw, str(entity)))
        return rows

    # -- CSV ---------------------------------------------------------------------------------
    def csv_builder(self, header: Sequence[str]) -> Callable[[list[str]], Row]:
        """A function from one CSV record (fields of ``header``) to a typed row."""
        index = {name: i for i, name in enumerate(header)}
        keys = self.keys + [name for name in header if name not in self.keys]
        fast: list[str] = []
        slow: list[tuple[str, Callable[[list[str]], Any]]] = []
        for key in keys:
            kind = kind_of(key)
            fast_expr, slow_fn = self._cell(key, kind, index)
            fast.append(f"{key!r}: {fast_expr}")
            slow.append((key, slow_fn))
        source = "def build(r):\n    return {" + ", ".join(fast) + "}\n"
        namespace: dict[str, Any] = {"_dates": _Dates(), "_D": Decimal, "_cur": self.currency}
        # The source is made of repr() of column names and integer indexes only.
        exec(compile(source, "<pinkit report row>", "exec"), namespace)  # noqa: S102
        build: Callable[[list[str]], Row] = namespace["build"]
        width = len(header)

        def careful(record: list[str]) -> Row:
            padded = record + [""] * (width - len(record))
            return {key: fn(padded) for key, fn in slow}

        def row(record: list[str]) -> Row:
            try:
                return build(record)
            except _CONVERSION_ERRORS:
                return careful(record)

        return row

    def _cell(
        self, key: str, kind: str, index: Mapping[str, int]
    ) -> tuple[str, Callable[[list[str]], Any]]:
        """The fast expression for ``key`` and the careful function, from a record ``r``."""
        if key in index:
            i = index[key]
            convert = _CONVERT[kind]
            if key == self.id_column or kind == "text":
                return f"(r[{i}] or None)", lambda r: _text(r[i])
            expr = {
                "date": f"_dates[r[{i}]]",
                "hour": f"int(r[{i}])",
                "float": f"float(r[{i}])",
                "number": f"int(r[{i}])",
                "decimal": f"_D(r[{i}])",
            }[kind]
            return expr, lambda r: convert(r[i])
        if kind == "decimal" and micro_column(key) in index:
            i = index[micro_column(key)]
            return f"_D(r[{i}]).scaleb(-6)", lambda r: _micros_to_amount(r[i])
        if key == CURRENCY:
            return "_cur", lambda r: self.currency
        constant = None if kind in ("text", "date", "decimal") else _ZERO.get(kind)
        return repr(constant), lambda r: constant

    def parse_csv(self, stream: IO[bytes] | bytes) -> list[Row]:
        """A CSV report (or export) read from a binary file or bytes."""
        return list(self.iter_csv(stream))

    def iter_csv(self, stream: IO[bytes] | bytes) -> Iterator[Row]:
        binary = io.BytesIO(stream) if isinstance(stream, bytes) else stream
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        try:
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None:
                return
            build = self.csv_builder(header)
            for record in reader:
                if record:
                    yield build(record)
        finally:
            text.detach()


def shape_of_header(header: Iterable[str]) -> RowShape:
    """The shape of a file pinkit exported (its header already holds every key)."""
    keys = list(header)
    return RowShape(keys)
