"""Bulk pin publishing from a CSV file: validate every row, create pins one by one, record
each outcome in a results file, and resume from it without duplicating pins.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first pin row 2.

Results file (CSV, appended to and flushed after every row; the last record of a row wins)::

    row,key,status,pin_id,message,time

``key`` is a hash of the row's normalised content (board, section, texts, media, cover).
A row matches a record with the same key: at the same row number first, else (rows were
inserted or moved) the remaining records with that key in order. So identical rows are still
told apart by their row numbers, and an edited row is a new row.

``status`` is ``created`` (skipped on a re-run), ``failed`` (the API refused it, or it never
reached the API: retried on a re-run) or ``unknown`` (the create request may have reached
Pinterest, but no answer came back: a timeout, a lost connection, a 5xx, an interruption).
A row is recorded ``unknown`` just before its create request, so even a killed run leaves no
row unaccounted for. A re-run settles ``unknown`` rows by looking at their board
(``find_published``): a pin with the row's texts and section means created, none means send
again; rows with no text stay held unless ``--retry-unknown`` is given (a blind retry may
duplicate a pin, no retry may leave a row unpublished).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from .._redact import redact_text
from .._validate import check_fields, check_id
from ..errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    InvalidInputError,
    PinterestError,
    RateLimitError,
)
from ..media_sources import ImageBase64, ImageURL, MediaSource, VideoFile, VideoID, sniff_image
from ._exits import Terminated, login_invalid

__all__ = [
    "COLUMNS",
    "RESULT_COLUMNS",
    "Problem",
    "Record",
    "ResultsFile",
    "Row",
    "find_published",
    "match_records",
    "outcome_unknown",
    "read_rows",
    "row_key",
    "stop_reason",
]

TEXT_COLUMNS = ("title", "description", "link", "alt_text")
MEDIA_COLUMNS = ("image_url", "image", "video")
COVER_COLUMNS = ("cover_image_url", "cover_frame")
COLUMNS = ("board", "section", *TEXT_COLUMNS, *MEDIA_COLUMNS, *COVER_COLUMNS)
RESULT_COLUMNS = ("row", "key", "status", "pin_id", "message", "time")
STATUSES = ("created", "failed", "unknown")


def one_line(text: str) -> str:
    return " ".join(redact_text(str(text)).split())


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return (
            f"{where}, {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"
        )


@dataclass(frozen=True)
class Row:
    """One validated pin to create."""

    number: int
    board: str
    section: str | None
    texts: dict[str, str]
    media_column: str
    media_value: str
    media_path: Path | None
    cover_image_url: str | None
    cover_frame: int | None
    key: str

    @property
    def fields(self) -> dict[str, Any]:
        """Keyword arguments for ``client.pins.create`` besides board and media."""
        return {**self.texts, "board_section_id": self.section}

    def media_source(self, media_id: str | None = None) -> MediaSource:
        if self.media_column == "image_url":
            return ImageURL(self.media_value)
        if self.media_column == "image":
            assert self.media_path is not None
            return ImageBase64.from_file(self.media_path)
        return video_source(media_id or "0", self.cover_image_url, self.cover_frame)

    def summary(self) -> dict[str, Any]:
        return {
            "row": self.number,
            "key": self.key,
            "board": self.board,
            "section": self.section or "",
            "title": self.texts.get("title", ""),
            "media": f"{self.media_column}={self.media_value}",
        }


def find_published(
    rows: list[Row], pins_by_board: dict[str, list[dict[str, Any]]], taken: set[str]
) -> dict[int, str]:
    """Row number -> the id of a pin on the row's board with the row's texts and section.

    Each pin answers for one row at most, and pins in ``taken`` (already recorded for other
    rows) for none, so identical rows are matched to distinct pins.
    """
    found: dict[int, str] = {}
    for row in rows:
        for pin in pins_by_board.get(row.board, []):
            pin_id = str(pin.get("id") or "")
            if not pin_id or pin_id in taken or pin.get("board_section_id") != row.section:
                continue
            if all(pin.get(name) == value for name, value in row.texts.items()):
                found[row.number] = pin_id
                taken.add(pin_id)
                break
    return found


def video_source(media_id: str, cover_url: str | None, cover_frame: int | None) -> VideoID:
    """A video's media source; the first frame is the cover when none is given."""
    if cover_url is None and cover_frame is None:
        cover_frame = 0
    return VideoID(media_id, cover_url, cover_frame)


def _norm(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip())


def row_key(values: dict[str, str]) -> str:
    """A stable hash of a row's normalised content (column order and spacing don't matter)."""
    content = {c: _norm(values.get(c, "")) for c in COLUMNS}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _header_name(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _reason(exc: Exception) -> str:
    return one_line(str(exc))


def _not_a_file(path: Path, value: str) -> str | None:
    """Why ``path`` is not a file to read (None: it is one)."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return f"no such file: {value}"
    except OSError as exc:  # a name too long for the file system, a symlink loop...
        shown = value if len(value) <= 60 else value[:60] + "..."
        return f"cannot use {shown}: {exc.strerror or exc}"
    return None if stat.S_ISREG(mode) else f"not a file: {value}"


def _check_row(number: int, values: dict[str, str], base: Path) -> tuple[Row | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(column: str, reason: str) -> None:
        problems.append(Problem(number, column, reason))

    board = values.get("board", "")
    if not board:
        bad("board", "a board id is required")
    else:
        try:
            check_id("board", board)
        except InvalidInputError:
            bad("board", f"must be a board id (digits), got {board!r}")
    section = values.get("section") or None
    if section is not None:
        try:
            check_id("section", section)
        except InvalidInputError:
            bad("section", f"must be a section id (digits), got {section!r}")

    texts = {c: values[c] for c in TEXT_COLUMNS if values.get(c)}
    for column, value in texts.items():
        try:
            check_fields("pins/create", {column: value})  # the client's own checks
        except InvalidInputError as exc:
            bad(column, _reason(exc))

    given = [c for c in MEDIA_COLUMNS if values.get(c)]
    media_path: Path | None = None
    if not given:
        bad("media", f"give one of {', '.join(MEDIA_COLUMNS)}")
    elif len(given) > 1:
        bad("media", f"give only one of {', '.join(given)}")
    else:
        column = given[0]
        value = values[column]
        if column == "image_url":
            try:
                ImageURL(value)
            except InvalidInputError as exc:
                bad(column, _reason(exc))
        else:
            media_path = base / Path(value).expanduser()
            missing = _not_a_file(media_path, value)
            if missing is not None:
                bad(column, missing)
            elif column == "image":
                try:
                    with media_path.open("rb") as fh:
                        sniff_image(fh.read(16))
                except InvalidInputError:
                    bad(column, f"{value}: not a JPEG or PNG image")
                except OSError as exc:
                    bad(column, f"cannot read {value}: {exc.strerror or exc}")
            else:
                try:
                    VideoFile.check(media_path)
                except InvalidInputError as exc:
                    bad(column, _reason(exc))

    cover_url = values.get("cover_image_url") or None
    cover_frame: int | None = None
    raw_frame = values.get("cover_frame") or None
    if raw_frame is not None:
        try:
            cover_frame = int(raw_frame)
        except ValueError:
            bad("cover_frame", f"must be a whole number of seconds, got {raw_frame!r}")
    if (cover_url is not None or raw_frame is not None) and given and given != ["video"]:
        bad("cover_image_url" if cover_url else "cover_frame", "a cover only goes with video")
    elif cover_url is not None or cover_frame is not None:
        try:
            video_source("0", cover_url, cover_frame)
        except InvalidInputError as exc:
            bad("cover_image_url" if cover_url else "cover_frame", _reason(exc))

    if problems:
        return None, problems
    column = given[0]
    return (
        Row(
            number=number,
            board=board,
            section=section,
            texts=texts,
            media_column=column,
            media_value=values[column],
            media_path=media_path,
            cover_image_url=cover_url,
            cover_frame=cover_frame,
            key=row_key(values),
        ),
        [],
    )


def _records(fh: IO[str]) -> Iterator[tuple[list[str] | None, str]]:
    """The CSV's records, strictly parsed: a record that is not valid CSV comes as
    ``(None, reason)`` (an unclosed quote swallows the rest of the file: it is the last)."""
    reader = csv.reader(fh, strict=True)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            text = str(exc)
            if "unexpected end of data" in text:
                text = "a quote is not closed (the cell would run to the end of the file)"
            yield None, f"not valid CSV: {text}"
            continue
        yield record, ""


def _cell_name(header: list[str], index: int) -> str:
    return header[index] if index < len(header) and header[index] else f"cell {index + 1}"


def read_rows(path: Path) -> tuple[list[Row], list[Problem]]:
    """Every row of the CSV checked; all problems are collected, none is sent."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            records = list(_records(fh))
    except UnicodeDecodeError as exc:
        return [], [Problem(0, "", f"{path.name} is not UTF-8 text ({exc.reason})")]
    except OSError as exc:
        return [], [Problem(0, "", f"cannot read {path.name}: {exc}")]
    if not records:
        return [], [Problem(0, "", f"{path.name} is empty: expected a header row")]
    if records[0][0] is None:
        return [], [Problem(1, "", records[0][1])]
    header = [_header_name(h) for h in records[0][0]]
    problems: list[Problem] = []
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        problems.append(
            Problem(1, ", ".join(unknown), f"unknown column (known: {', '.join(COLUMNS)})")
        )
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        problems.append(Problem(1, ", ".join(dupes), "column given more than once"))
    if "board" not in header:
        problems.append(Problem(1, "board", "missing required column"))
    if not any(c in header for c in MEDIA_COLUMNS):
        problems.append(Problem(1, "media", f"needs a column {' / '.join(MEDIA_COLUMNS)}"))
    if problems:
        return [], problems

    rows: list[Row] = []
    base = path.parent
    for index, (record, malformed) in enumerate(records[1:], start=2):
        if record is None:
            problems.append(Problem(index, "", malformed))
            continue
        if not any(cell.strip() for cell in record):
            continue  # a blank line: nothing to publish, nothing lost
        nul = [_cell_name(header, i) for i, cell in enumerate(record) if "\0" in cell]
        if nul:
            problems.append(Problem(index, ", ".join(nul), "contains a NUL byte"))
            continue
        if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            problems.append(
                Problem(index, "", f"{len(record)} cells but the header has {len(header)}")
            )
            continue
        values = {h: record[i].strip() for i, h in enumerate(header) if h and i < len(record)}
        row, row_problems = _check_row(index, values, base)
        problems += row_problems
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(Problem(0, "", f"{path.name} has no pin rows"))
    return rows, problems


# -- results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    row: int
    key: str
    status: str
    pin_id: str = ""
    message: str = ""
    time: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "key": self.key,
            "status": self.status,
            "pin_id": self.pin_id,
            "message": self.message,
            "time": self.time,
        }


def match_records(rows: list[Row], records: list[Record]) -> dict[int, Record]:
    """The previous outcome of each row (by row number), from the results file's records."""
    latest: dict[tuple[str, int], Record] = {}
    for record in records:
        latest[(record.key, record.row)] = record  # later lines win
    by_key: dict[str, dict[int, Record]] = {}
    for (key, number), record in latest.items():
        by_key.setdefault(key, {})[number] = record
    rows_by_key: dict[str, list[Row]] = {}
    for row in rows:
        rows_by_key.setdefault(row.key, []).append(row)

    matched: dict[int, Record] = {}
    for key, same in rows_by_key.items():
        left = dict(by_key.get(key, {}))
        moved: list[Row] = []
        for row in same:
            if row.number in left:
                matched[row.number] = left.pop(row.number)
            else:
                moved.append(row)
        for row, (_n, record) in zip(moved, sorted(left.items()), strict=False):
            matched[row.number] = record  # the row moved (rows inserted or deleted above it)
    return matched


def _split_torn(data: bytes) -> tuple[bytes, bytes]:
    """The complete lines, and what follows the last newline: every record is written with
    its newline, so anything after the last one is a record a stopped run did not finish."""
    if not data or data.endswith(b"\n"):
        return data, b""
    cut = data.rfind(b"\n") + 1
    return data[:cut], data[cut:]


@dataclass
class ResultsFile:
    """The append-only results CSV, locked while a run writes to it.

    A last line without its newline is a record a stopped run did not finish writing (a crash
    or a kill mid-append): ``read`` leaves it out and ``open`` removes it, and both keep it in
    ``torn`` for the run to report.
    """

    path: Path
    torn: str | None = field(default=None, repr=False)
    _fh: IO[str] | None = field(default=None, repr=False)
    _writer: Any = field(default=None, repr=False)

    def read(self) -> list[Record]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise InvalidInputError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        complete, torn = _split_torn(data)
        if torn:
            self.torn = torn.decode("utf-8", "replace")
        try:
            text = complete.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError(f"{self.path} is not a pinkit results file") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        names = reader.fieldnames or []
        if names and not {"row", "key", "status"} <= set(names):
            raise InvalidInputError(
                f"{self.path} is not a pinkit results file (columns: {', '.join(names)})"
            )
        records: list[Record] = []
        for line in reader:
            status = (line.get("status") or "").strip()
            number = (line.get("row") or "").strip()
            valid_number = number.isascii() and number.isdigit()  # not "²", which int() refuses
            if status not in STATUSES or not valid_number or not line.get("key"):
                raise InvalidInputError(
                    f"{self.path}, line {reader.line_num}: not a results record"
                )
            records.append(
                Record(
                    int(number),
                    line["key"].strip(),
                    status,
                    (line.get("pin_id") or "").strip(),
                    line.get("message") or "",
                    line.get("time") or "",
                )
            )
        return records

    def _remove_torn(self, fh: IO[str]) -> None:
        """Cut a torn last line off (under the lock), so the next record starts a line."""
        complete, torn = _split_torn(self.path.read_bytes())
        if torn:
            self.torn = torn.decode("utf-8", "replace")
            os.ftruncate(fh.fileno(), len(complete))
            fh.seek(0, os.SEEK_END)

    @contextlib.contextmanager
    def open(self) -> Iterator[ResultsFile]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = self.path.open("a", newline="", encoding="utf-8")
        except OSError as exc:
            raise InvalidInputError(
                f"cannot write the results file {self.path}: {exc.strerror or exc}"
            ) from None
        with fh:
            _lock(fh, self.path)
            try:
                self._remove_torn(fh)
            except OSError as exc:
                raise InvalidInputError(
                    f"cannot repair the results file {self.path}: {exc.strerror or exc}"
                ) from None
            self._fh = fh
            self._writer = csv.writer(fh, lineterminator="\n")
            if fh.tell() == 0:
                self._writer.writerow(RESULT_COLUMNS)
                self._flush()
            try:
                yield self
            finally:
                self._fh = None
                self._writer = None

    def write(self, record: Record) -> None:
        assert self._writer is not None, "ResultsFile.write outside open()"
        self._writer.writerow([record.as_dict()[c] for c in RESULT_COLUMNS])
        self._flush()

    def _flush(self) -> None:
        assert self._fh is not None
        self._fh.flush()
        with contextlib.suppress(OSError):
            os.fsync(self._fh.fileno())


def _lock(fh: IO[str], path: Path) -> None:
    """One writer per results file: a second concurrent run would create the same pins."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise InvalidInputError(
            f"{path} is in use by another `pinkit pins publish`; wait for it to finish"
        ) from None


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# -- outcomes ------------------------------------------------------------------------------------
def outcome_unknown(exc: BaseException) -> bool:
    """Whether a failed create may nevertheless have created the pin."""
    if isinstance(exc, APIConnectionError):
        import httpx2

        not_sent = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)
        return not isinstance(exc.__context__, not_sent)
    if isinstance(exc, RateLimitError):
        return False
    if isinstance(exc, APIStatusError):
        return exc.status_code >= 500 or exc.status_code == 408
    return not isinstance(exc, PinterestError)  # an interruption or a crash mid-request


def stop_reason(exc: BaseException) -> str | None:
    """Why the run stops on ``exc``, for an interruption or an error every later row would hit
    too (None: go on with the next row)."""
    if isinstance(exc, Terminated):
        return "terminated (SIGTERM)"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, AuthenticationError):
        return "authentication failed"
    if login_invalid(exc):
        return "the token could not be refreshed"
    if isinstance(exc, RateLimitError) and (exc.spam or exc.retry_after):
        return "rate limited" + (
            f" (retry after {exc.retry_after:.0f}s)" if exc.retry_after else ""
        )
    return None
