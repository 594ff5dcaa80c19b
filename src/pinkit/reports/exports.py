"""Rows to files and back: CSV, JSON Lines, Parquet (``pinkit[parquet]``) and pandas
(``pinkit[pandas]``).

The files keep every key of every row in the rows' order. CSV and JSON Lines write dates as
``YYYY-MM-DD`` and money amounts as exact decimal text (never a float), so ``read_csv`` and
``read_jsonl`` give back rows equal to the ones written. Parquet keeps the types: ``date32``,
``int64``, ``double``, ``decimal128(38, 6)`` for amounts and ``string``. The optional
libraries are imported only by the functions that need them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError
from .columns import kind_of
from .parsing import Row, RowShape

__all__ = [
    "EXPORT_FORMATS",
    "read_csv",
    "read_jsonl",
    "to_pandas",
    "write",
    "write_csv",
    "write_jsonl",
    "write_parquet",
]

PathArg = str | os.PathLike[str]
EXPORT_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"  # 0.000000, never 0E-6
    return str(value)


def write_csv(rows: Iterable[Row], keys: Sequence[str], path: PathArg) -> int:
    """Write ``rows`` as CSV with a header of ``keys``; returns the number of rows."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(keys)
        for row in rows:
            writer.writerow([_text(row.get(k)) for k in keys])
            count += 1
    return count


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_ready(row: Row) -> dict[str, Any]:
    """``row`` with dates and amounts as text (what the JSON exports hold)."""
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else f"{v:f}" if isinstance(v, Decimal) else v)
        for k, v in row.items()
    }


def write_jsonl(rows: Iterable[Row], path: PathArg) -> int:
    """One JSON object per line; returns the number of rows."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, default=_json_default, ensure_ascii=False))
            fh.write("\n")
            count += 1
    return count


def _missing_extra(extra: str, package: str) -> InvalidInputError:
    return InvalidInputError(
        f"this needs the '{extra}' extra ({package}): pip install 'pinkit[{extra}]'"
    )


def _arrow_type(pa: Any, key: str, rows: Sequence[Row]) -> Any:
    kind = kind_of(key)
    if kind == "date":
        return pa.date32()
    if kind == "decimal":
        return pa.decimal128(38, 6)
    if kind == "float":
        return pa.float64()
    if kind in ("number", "hour"):
        values = [r.get(key) for r in rows]
        if all(isinstance(v, int) or v is None for v in values):
            return pa.int64()
        if all(isinstance(v, (int, float)) or v is None for v in values):
            return pa.float64()
    return pa.string()


def write_parquet(rows: Sequence[Row], keys: Sequence[str], path: PathArg) -> int:
    """A Parquet file with one typed column per key (``pinkit[parquet]``)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise _missing_extra("parquet", "pyarrow") from None
    schema = pa.schema([pa.field(k, _arrow_type(pa, k, rows)) for k in keys])
    columns = {}
    for field in schema:
        values = [r.get(field.name) for r in rows]
        if pa.types.is_string(field.type):
            values = [None if v is None else str(v) for v in values]
        columns[field.name] = pa.array(values, type=field.type)
    pq.write_table(pa.table(columns, schema=schema), str(path))
    return len(rows)


def to_pandas(rows: Sequence[Row], keys: Sequence[str]) -> Any:
    """A ``pandas.DataFrame`` (``pinkit[pandas]``): ``DATE`` as ``datetime64``, counts as
    integers, amounts as ``Decimal`` objects (exact), text as strings."""
    try:
        import pandas as pd
    except ImportError:
        raise _missing_extra("pandas", "pandas") from None
    frame = pd.DataFrame.from_records(list(rows), columns=list(keys))
    if "DATE" in frame.columns:
        frame["DATE"] = pd.to_datetime(frame["DATE"])
    return frame


def write(rows: Sequence[Row], keys: Sequence[str], path: PathArg) -> int:
    """Write by the file's extension: ``.csv``, ``.jsonl`` or ``.parquet``."""
    suffix = Path(path).suffix.lower()
    kind = EXPORT_FORMATS.get(suffix)
    if kind == "csv":
        return write_csv(rows, keys, path)
    if kind == "jsonl":
        return write_jsonl(rows, path)
    if kind == "parquet":
        return write_parquet(rows, keys, path)
    raise InvalidInputError(
        f"cannot tell the format of {str(path)!r}: the file name must end in "
        f"{', '.join(EXPORT_FORMATS)}"
    )


def read_csv(path: PathArg) -> list[Row]:
    """Rows of a CSV file ``write_csv`` (or ``Report.to_csv``) wrote, typed again."""
    with Path(path).open("rb") as fh:
        header = fh.readline().decode("utf-8-sig").rstrip("\r\n")
        fh.seek(0)
        keys = next(csv.reader([header]), [])
        return RowShape(keys).parse_csv(fh)


def read_jsonl(path: PathArg) -> list[Row]:
    """Rows of a JSON Lines file ``write_jsonl`` wrote, typed again."""
    rows: list[Row] = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                raw = json.loads(line)
                rows.append(RowShape(list(raw)).from_json(raw))
    return rows
