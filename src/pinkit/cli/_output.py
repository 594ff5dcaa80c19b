"""Every byte the CLI writes goes through here.

Results go to stdout in one of four formats: ``table`` (rich; the default on a terminal),
``json`` (the default when piped), ``ndjson`` (one JSON value per line, streamed) and ``csv``
(flattened ``a.b`` column names). Messages go to stderr and ``--quiet`` silences the
informational ones; errors are always shown.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["FORMATS", "Output", "ProgressBar", "flatten", "rows_of"]

FORMATS = ("table", "json", "ndjson", "csv")


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


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _columns(flat_rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in flat_rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


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


class Output:
    def __init__(
        self,
        fmt: str | None = None,
        *,
        quiet: bool = False,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
    ) -> None:
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.quiet = quiet
        self.format = fmt or ("table" if self._isatty(self.stdout) else "json")
        self.console = Console(file=self.stdout, highlight=False, soft_wrap=False)
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

    @property
    def shows_progress(self) -> bool:
        """Progress bars only on a terminal (stderr), never when piped or ``--quiet``."""
        return not self.quiet and self._isatty(self.stderr)

    @contextmanager
    def progress(
        self, description: str, *, total: float | None = None, unit: str = "items"
    ) -> Iterator[ProgressBar]:
        """A rich progress bar on stderr; ``unit="bytes"`` shows sizes and transfer speed."""
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
        with Progress(*columns, console=self.err_console, transient=False) as bar:
            task = bar.add_task(escape(description), total=total)
            yield ProgressBar(bar, task)

    # -- results (stdout) -----------------------------------------------------------------------
    def emit(self, data: Any, *, title: str | None = None) -> None:
        """One result (an object, a list or a page)."""
        if data is None:
            return
        if self.format == "json":
            self._write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        elif self.format == "ndjson":
            for row in self._ndjson_rows(data):
                self._write(json.dumps(row, ensure_ascii=False) + "\n")
        elif self.format == "csv":
            self._write_csv(rows_of(data))
        else:
            self._table(data, title=title)
            if isinstance(data, Mapping) and data.get("bookmark"):
                self.info(f"more items: bookmark={data['bookmark']}")

    def stream(self, items: Iterable[Any], *, columns: Sequence[str] | None = None) -> int:
        """Items arriving page by page; json/ndjson write each item as soon as it arrives.
        ``columns`` picks the (flattened) columns a table shows; other formats keep all."""
        count = 0
        if self.format == "ndjson":
            for item in items:
                self._write(json.dumps(item, ensure_ascii=False) + "\n")
                count += 1
        elif self.format == "json":
            self._write("[")
            for item in items:
                text = textwrap.indent(json.dumps(item, indent=2, ensure_ascii=False), "  ")
                self._write(("," if count else "") + "\n" + text)
                count += 1
            self._write("\n]\n" if count else "]\n")
        else:
            collected = list(items)
            count = len(collected)
            if self.format == "csv":
                self._write_csv(collected)
            else:
                self._table(collected, columns=columns)
        return count

    @staticmethod
    def _ndjson_rows(data: Any) -> Iterator[Any]:
        if isinstance(data, Mapping) and isinstance(data.get("items"), list):
            yield from data["items"]
        elif isinstance(data, list):
            yield from data
        else:
            yield data

    def _write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _write_csv(self, records: list[Any]) -> None:
        flat = [flatten(r) for r in records]
        columns = _columns(flat)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if columns:
            writer.writerow(columns)
        for row in flat:
            writer.writerow([_cell(row.get(c)) for c in columns])
        self._write(buffer.getvalue())

    def _table(
        self, data: Any, *, title: str | None = None, columns: Sequence[str] | None = None
    ) -> None:
        if isinstance(data, Mapping) and not isinstance(data.get("items"), list):
            table = Table(title=title, show_header=True, header_style="bold")
            table.add_column("field", style="cyan", no_wrap=True)
            table.add_column("value", overflow="fold")
            for key, value in flatten(data).items():
                table.add_row(escape(key), escape(_cell(value)))
            self.console.print(table)
            return
        records = rows_of(data)
        flat = [flatten(r) for r in records]
        present = _columns(flat)
        if columns is not None:
            columns = [c for c in columns if c in present] or present
        else:
            columns = present
        table = Table(title=title, show_header=True, header_style="bold")
        for column in columns:
            table.add_column(escape(column), overflow="fold")
        for row in flat:
            table.add_row(*(escape(_cell(row.get(c))) for c in columns))
        if not records:
            self.info("(no items)")
            return
        self.console.print(table)
