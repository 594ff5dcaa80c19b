"""Every byte the CLI writes goes through here.

Results go to stdout in one of four formats: ``table`` (rich; the default on a terminal),
``json`` (the default when piped), ``ndjson`` (one JSON value per line, streamed) and ``csv``
(flattened ``a.b`` column names, streamed). Messages go to stderr and ``--quiet`` silences the
informational ones; errors are always shown.

stdout is valid output or nothing: ``json`` (and ``table``) write once every item is in hand,
so a failure halfway through a list leaves stdout empty; ``ndjson`` and ``csv`` write whole
lines only, page by page. A ``csv`` header holds the columns of the first page (or exactly the
``--fields``).

Tables fit the terminal: columns whose values are all short words (IDs, enums, numbers,
dates) never wrap; text columns are cut with an ellipsis to share what is left; columns that
do not fit at all are left out (named on stderr). Piped, a table is as wide as its content.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import InvalidInputError

__all__ = [
    "FORMATS",
    "Output",
    "ProgressBar",
    "auto_columns",
    "flatten",
    "list_table",
    "pick",
    "project",
    "rows_of",
]

FORMATS = ("table", "json", "ndjson", "csv")

#: A value this short without spaces (an ID, an enum, a number, a date) is never wrapped.
RIGID_MAX = 24
#: The narrowest a text column is cut to before it is left out.
TEXT_MIN = 10
#: Columns a table of raw API items (``pinkit api``) shows at most, chosen by ``auto_columns``.
AUTO_MAX = 6
#: What each column of a rich table adds to its content: a border and a space either side.
COLUMN_EDGES = 3

_RIGID = re.compile(rf"\S{{1,{RIGID_MAX}}}")
_FIRST = ("id", "name", "title", "username")


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}, "c": [1, 2]}`` -> ``{"a.b": 1, "c": "[1, 2]"}`` (scalars kept)."""
    if isinstance(value, Mapping):
        if not value and prefix:
            return {prefix: ""}
        flat: dict[str, Any] = {}
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten(item, name))
        return flat
    if isinstance(value, (list, tuple)):
        text = json.dumps(value, ensure_ascii=False) if value else ""
        return {prefix or "value": text}
    return {prefix or "value": value}


def rows_of(data: Any) -> list[Any]:
    """The records in a result: a page's items, a list's elements, or the object itself."""
    if isinstance(data, Mapping) and isinstance(data.get("items"), list):
        return list(data["items"])
    if isinstance(data, list):
        return data
    return [data]


_MISSING = object()


def pick(record: Any, path: str) -> Any:
    """The value at a dot path (``owner.username``; a number indexes a list), or None."""
    value = _lookup(record, path)
    return None if value is _MISSING else value


def _lookup(record: Any, path: str) -> Any:
    value = record
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def project(record: Any, fields: Sequence[str]) -> Any:
    """``record`` with only ``fields`` (dot paths), nested as in the record, in the order
    given; a field the record lacks is null. Non-objects are kept as they are."""
    if not isinstance(record, Mapping):
        return record
    out: dict[str, Any] = {}
    for path in fields:
        *parents, last = path.split(".")
        target = out
        for part in parents:
            child = target.get(part)
            if not isinstance(child, dict):
                child = target[part] = {}
            target = child
        target[last] = pick(record, path)
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(value, ensure_ascii=False) if value else ""
    return str(value)


def _columns(flat_rows: Iterable[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in flat_rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def auto_columns(records: Sequence[Any], limit: int = AUTO_MAX) -> list[str]:
    """The columns a table of raw items shows: ``id``, ``name``, ``title``, ``username``
    when present, then the other top-level fields with a plain value (no objects or lists)
    in some item, in the order they come, ``limit`` at most."""
    objects = [r for r in records if isinstance(r, Mapping)]
    keys = _columns(objects)
    plain = [
        k
        for k in keys
        if all(_scalar(r.get(k)) for r in objects)
        and any(r.get(k) not in (None, "") for r in objects)
    ]
    first = [k for k in _FIRST if k in plain]
    rest = [k for k in plain if k not in first]
    return (first + rest)[:limit]


# -- tables --------------------------------------------------------------------------------------
@dataclass
class _Column:
    name: str
    cells: list[str]
    rigid: bool
    natural: int
    minimum: int


def _one_line(text: str) -> str:
    return " ".join(text.split()) if ("\n" in text or "\r" in text or "\t" in text) else text


def _measure(name: str, cells: list[str]) -> _Column:
    natural = max([cell_len(name), *(cell_len(c) for c in cells)])
    rigid = all(not c or _RIGID.fullmatch(c) for c in cells)
    minimum = natural if rigid else min(natural, max(cell_len(name), TEXT_MIN))
    return _Column(name, cells, rigid, natural, minimum)


def _table_width(columns: Sequence[_Column], attr: str = "natural") -> int:
    return 1 + sum(int(getattr(c, attr)) + COLUMN_EDGES for c in columns)


def _share(columns: list[_Column], width: int) -> dict[str, int]:
    """Widths for the text columns so the table is ``width`` wide: each gets its minimum,
    then what is left goes to them in proportion to what more they would need."""
    flexible = [c for c in columns if not c.rigid]
    room = width - _table_width([c for c in columns if c.rigid]) - COLUMN_EDGES * len(flexible)
    widths = {c.name: c.minimum for c in flexible}
    extra = room - sum(widths.values())
    wants = {c.name: c.natural - c.minimum for c in flexible}
    total = sum(wants.values())
    if extra <= 0 or total <= 0:
        return widths
    given = 0
    for c in flexible:
        share = min(wants[c.name], extra * wants[c.name] // total)
        widths[c.name] += share
        given += share
    for c in flexible:  # the rounding remainder, first come first served
        more = min(extra - given, c.natural - widths[c.name])
        widths[c.name] += more
        given += more
    return widths


def list_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], width: int | None
) -> tuple[Table, list[str], int]:
    """A table of ``rows`` (column -> value) fitted to ``width`` (None: no limit).

    Returns the table, the columns left out for lack of room, and the width to print it at.
    A row is one line: rigid columns keep their whole values; text is cut with an ellipsis.
    """
    measured = [_measure(n, [_one_line(_cell(r.get(n))) for r in rows]) for n in columns]
    shown: list[_Column] = []
    dropped: list[str] = []
    for column in measured:
        if width is None or not shown or _table_width([*shown, column], "minimum") <= width:
            shown.append(column)
        else:
            dropped.append(column.name)
    natural = _table_width(shown)
    fixed: dict[str, int] = {}
    if width is not None and natural > width:
        fixed = _share(shown, width)
    table = Table(show_header=True, header_style="bold")
    for column in shown:
        table.add_column(
            escape(column.name),
            no_wrap=True,
            overflow="ellipsis",
            min_width=column.natural if column.rigid else None,
            width=fixed.get(column.name),
        )
    for i in range(len(rows)):
        table.add_row(*(escape(c.cells[i]) for c in shown))
    return table, dropped, min(natural, width) if width is not None else natural


def record_table(flat: Mapping[str, Any], width: int | None) -> tuple[Table, int]:
    """One object as ``field | value`` rows; long values fold onto more lines."""
    table = Table(show_header=True, header_style="bold")
    table.add_column("field", style="cyan", no_wrap=True)
    table.add_column("value", overflow="fold")
    keys = [escape(k) for k in flat]
    values = [escape(_cell(v)) for v in flat.values()]
    for key, value in zip(keys, values, strict=True):
        table.add_row(key, value)
    longest = max((cell_len(line) for v in values for line in v.splitlines()), default=0)
    natural = 1 + 2 * COLUMN_EDGES + max([5, *(cell_len(k) for k in keys)]) + max(5, longest)
    return table, natural if width is None else min(natural, width)


# -- progress ------------------------------------------------------------------------------------
class ProgressBar:
    """One task of a progress display; a no-op when progress is not shown."""

    def __init__(self, progress: Any = None, task: Any = None) -> None:
        self._progress = progress
        self._task = task

    @property
    def shown(self) -> bool:
        return self._progress is not None

    def update(
        self,
        completed: float | None = None,
        *,
        total: float | None = None,
        description: str | None = None,
    ) -> None:
        if self._progress is None:
            return
        fields: dict[str, Any] = {}
        if completed is not None:
            fields["completed"] = completed
        if total is not None:
            fields["total"] = total
        if description is not None:
            fields["description"] = escape(description)
        self._progress.update(self._task, **fields)

    def advance(self, amount: float = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, amount)

    def log(self, message: str) -> None:
        """A line printed above the bar (plain text)."""
        if self._progress is not None:
            self._progress.console.print(escape(message))


# -- output --------------------------------------------------------------------------------------
class Output:
    def __init__(
        self,
        fmt: str | None = None,
        *,
        quiet: bool = False,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
        width: int | None = None,
    ) -> None:
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.quiet = quiet
        self.format = fmt or ("table" if self._isatty(self.stdout) else "json")
        self.width = width
        self.console = Console(file=self.stdout, highlight=False, soft_wrap=False, width=width)
        self.err_console = Console(file=self.stderr, highlight=False, soft_wrap=True)

    @staticmethod
    def _isatty(stream: IO[str]) -> bool:
        try:
            return stream.isatty()
        except (AttributeError, ValueError):
            return False

    # -- messages (stderr) ----------------------------------------------------------------------
    def info(self, message: str) -> None:
        """A status line; silenced by ``--quiet``. ``message`` is plain text, not markup."""
        if not self.quiet:
            self.err_console.print(escape(message))

    def error(self, message: str) -> None:
        self.err_console.print(escape(message), style="red" if self._isatty(self.stderr) else None)

    def warn(self, message: str) -> None:
        """A problem the user must see (a failed row): shown even with ``--quiet``."""
        self.err_console.print(
            escape(message), style="yellow" if self._isatty(self.stderr) else None
        )

    def done(self, message: str) -> None:
        """A one-line confirmation of a change without a result (delete): stderr, not quiet."""
        self.info(message)

    def meta(self, text: str) -> None:
        """Text the user asked for on stderr (``api -i``'s status line and headers): written
        as it is, even with ``--quiet``."""
        self.stderr.write(text if text.endswith("\n") else text + "\n")
        self.stderr.flush()

    @property
    def shows_progress(self) -> bool:
        """Progress bars only on a terminal (stderr), never when piped or ``--quiet``."""
        return not self.quiet and self._isatty(self.stderr)

    @contextmanager
    def progress(
        self, description: str, *, total: float | None = None, unit: str = "items"
    ) -> Iterator[ProgressBar]:
        """A rich progress bar on stderr; ``unit="bytes"`` shows sizes and transfer speed.
        Transient: gone from the screen once its step is over, nested ones included."""
        if not self.shows_progress:
            yield ProgressBar()
            return
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn()]
        if unit == "bytes":
            columns += [DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn()]
        else:
            columns += [MofNCompleteColumn(), TimeElapsedColumn()]
        with Progress(*columns, console=self.err_console, transient=True) as bar:
            task = bar.add_task(escape(description), total=total)
            yield ProgressBar(bar, task)

    # -- results (stdout) -----------------------------------------------------------------------
    def emit(
        self,
        data: Any,
        *,
        title: str | None = None,
        fields: Sequence[str] | None = None,
        check_fields: bool = False,
    ) -> None:
        """One result (an object, a list or a page). ``fields`` (dot paths) selects what
        every format shows; with ``check_fields`` (raw API answers, no model to check them
        against up front) none of them being in the answer is bad input."""
        if data is None:
            return
        records = rows_of(data)
        if fields:
            if check_fields:
                self._check_fields(records, fields)
            projected = [project(r, fields) for r in records]
            if isinstance(data, Mapping) and isinstance(data.get("items"), list):
                data = {**data, "items": projected}
            elif isinstance(data, list):
                data = projected
            else:
                data = projected[0]
            records = projected
        if self.format == "json":
            self._write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        elif self.format == "ndjson":
            self._write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        elif self.format == "csv":
            self._write_csv(records, fields)
        else:
            if isinstance(data, Mapping) and not isinstance(data.get("items"), list):
                self._record_table(data, fields)
            else:
                self._list_table(records, None, fields)
            if isinstance(data, Mapping) and data.get("bookmark"):
                self.info(f"more items: bookmark={data['bookmark']}")

    def stream(
        self,
        items: Iterable[Any],
        *,
        columns: Sequence[str] | None = None,
        fields: Sequence[str] | None = None,
    ) -> int:
        """Items already in hand, as one page (see ``stream_pages``)."""
        return self.stream_pages([list(items)], columns=columns, fields=fields)

    def stream_pages(
        self,
        pages: Iterable[Sequence[Any]],
        *,
        columns: Sequence[str] | None = None,
        fields: Sequence[str] | None = None,
        check_fields: bool = False,
    ) -> int:
        """A list arriving page by page; returns the number of items.

        ``json`` and ``table`` write once the last page is in (a failure on the way leaves
        stdout empty); ``ndjson`` writes each page's lines as it arrives; ``csv`` writes the
        header with the first page (its columns, or ``fields``) and each page's rows as they
        arrive. ``columns`` picks the columns a table shows when ``fields`` is not given."""
        count = 0
        first = True
        collected: list[Any] = []
        header: list[str] | None = None
        late: dict[str, None] = {}
        for page in pages:
            records = list(page)
            if first and fields and check_fields and records:
                self._check_fields(records, fields)
            if fields:
                records = [project(r, fields) for r in records]
            count += len(records)
            if self.format == "ndjson":
                self._write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
            elif self.format == "csv":
                flat = [self._flat(r, fields) for r in records]
                if header is None:
                    header = list(fields) if fields else _columns(flat)
                    if not header:
                        header = None
                        continue
                    self._write(self._csv_lines([header]))
                late.update((k, None) for k in _columns(flat) if k not in header)
                self._write(self._csv_lines([[_cell(row.get(c)) for c in header] for row in flat]))
            else:
                collected.extend(records)
            first = False
        if self.format == "json":
            self._write(json.dumps(collected, indent=2, ensure_ascii=False) + "\n")
        elif self.format == "csv":
            if header is None and fields:
                self._write(self._csv_lines([list(fields)]))
            if late:
                self.warn(
                    "warning: csv columns are the first page's; left out, first seen later: "
                    f"{', '.join(late)} (choose columns with --fields)"
                )
        elif self.format == "table":
            self._list_table(collected, columns, fields)
        return count

    def _check_fields(self, records: Sequence[Any], fields: Sequence[str]) -> None:
        found = [f for f in fields if any(_lookup(r, f) is not _MISSING for r in records)]
        if found or not records:
            missing = [f for f in fields if f not in found]
            if missing:
                self.warn(f"warning: --fields: no item here has {', '.join(missing)}")
            return
        known = _columns(flatten(r) for r in records if isinstance(r, Mapping))
        raise InvalidInputError(
            f"--fields: the answer has none of {', '.join(fields)} (its fields: "
            f"{', '.join(known[:20])}{', ...' if len(known) > 20 else ''})"
        )

    @staticmethod
    def _flat(record: Any, fields: Sequence[str] | None) -> dict[str, Any]:
        if fields:
            return {f: pick(record, f) for f in fields}
        return flatten(record)

    def _write(self, text: str) -> None:
        if text:
            self.stdout.write(text)
            self.stdout.flush()

    @staticmethod
    def _csv_lines(rows: Iterable[Sequence[Any]]) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(rows)
        return buffer.getvalue()

    def _write_csv(self, records: list[Any], fields: Sequence[str] | None) -> None:
        flat = [self._flat(r, fields) for r in records]
        columns = list(fields) if fields else _columns(flat)
        if columns:
            self._write(
                self._csv_lines([columns, *([_cell(r.get(c)) for c in columns] for r in flat)])
            )

    # -- tables ---------------------------------------------------------------------------------
    def table_width(self) -> int | None:
        """The width tables fit in: the terminal's (or ``$COLUMNS``); None when piped, so a
        table is as wide as its content and every cell holds its whole value."""
        if self.width is not None:
            return self.width
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        if self._isatty(self.stdout):
            return self.console.width
        return None

    def _print(self, table: Table, width: int) -> None:
        if self.width is None and width != self.console.width:
            console = Console(file=self.stdout, highlight=False, soft_wrap=False, width=width)
            console.print(table)
        else:
            self.console.print(table)

    def _record_table(self, data: Mapping[str, Any], fields: Sequence[str] | None) -> None:
        flat = {f: pick(data, f) for f in fields} if fields else flatten(data)
        table, width = record_table(flat, self.table_width())
        self._print(table, width)

    def _list_table(
        self,
        records: Sequence[Any],
        columns: Sequence[str] | None,
        fields: Sequence[str] | None,
    ) -> None:
        if not records:
            self.info("(no items)")
            return
        flat = [self._flat(r, fields) for r in records]
        present = _columns(flat)
        chosen: list[str]
        if fields:
            chosen = list(fields)
        elif columns is not None:
            chosen = [c for c in columns if c in present] or present
        else:
            chosen = auto_columns(records) or present
        table, dropped, width = list_table(flat, chosen, self.table_width())
        self._print(table, width)
        if not fields and columns is None and len(chosen) - len(dropped) < len(present):
            shown = len(chosen) - len(dropped)
            self.info(
                f"{shown} of {len(present)} fields shown; --format json shows them all, "
                "--fields picks"
            )
        elif dropped:
            self.info(f"not shown at this width: {', '.join(dropped)} (see --fields, --format)")
