"""Records of a customer list: read, checked, normalised and hashed as the list type requires.

Pinterest takes a list's records as one comma-separated string (api-facts §5):

- ``EMAIL``: an address is trimmed and lowercased (``normalize_email``, the Conversions API's
  rule), then sent as its SHA-256 hex digest;
- ``IDFA``: an Apple advertising id in upper case, ``MAID``: an Android advertising id (AAID) in
  lower case (the customer-list rules of Pinterest's help centre), each then hashed with
  SHA-256 (``normalize_maid``);
- a record that is already a digest (32, 40 or 64 hex digits: MD5, SHA-1 or SHA-256, all of
  which Pinterest takes) is sent as it is, lowercased, never hashed twice;
- ``LR_ID``, ``DLX_ID`` (LiveRamp and Epsilon partner ids) and ``HASHED_PINNER_ID`` are sent
  as given (trimmed).

A record that cannot be used (an address without ``@``, an id that is not 8-4-4-4-12 hex, a
comma, something that is not a string) is a :class:`BadRecord` with its position and the
reason, never sent. Blank records (empty lines) are skipped and counted; a record given twice
is sent once, and counted as a duplicate.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from ..conversions._normalize import normalize_email, normalize_maid, sha256_hex
from ..errors import InvalidInputError

__all__ = [
    "PARTNER_TYPES",
    "BadRecord",
    "ListType",
    "OnBad",
    "PreparedRecords",
    "prepare_record",
    "prepare_records",
    "list_types",
    "prepare_file",
    "read_records",
]

ListType = Literal["EMAIL", "IDFA", "MAID", "LR_ID", "DLX_ID", "HASHED_PINNER_ID"]
OnBad = Literal["stop", "skip"]
ON_BAD: tuple[OnBad, ...] = ("stop", "skip")

#: Records sent as given: partner ids (LiveRamp, Epsilon) and hashed pinner ids.
PARTNER_TYPES = frozenset({"LR_ID", "DLX_ID", "HASHED_PINNER_ID"})
#: A digest Pinterest takes: MD5, SHA-1 or SHA-256 in hex.
_DIGEST = re.compile(r"[0-9a-fA-F]{32}(?:[0-9a-fA-F]{8}(?:[0-9a-fA-F]{24})?)?")
_FIELD_PREFIX = re.compile(r"user_data\.\w+ ")
_NOUNS = {"EMAIL": "the e-mail address", "IDFA": "the IDFA", "MAID": "the MAID"}


@cache
def list_types() -> tuple[str, ...]:
    """The list types: the spec's ``UserListType`` (``EMAIL``, ``IDFA``, ``MAID``...)."""
    from .._constraints import field as spec_field

    return tuple(str(v) for v in spec_field("customer_lists/create", "list_type").enum or ())


def check_list_type(list_type: Any) -> str:
    allowed = list_types()
    if list_type not in allowed:
        raise InvalidInputError(f"list_type must be one of {', '.join(allowed)}, got {list_type!r}")
    return str(list_type)


@dataclass(frozen=True)
class BadRecord:
    """A record that was not sent: its ``index`` in the input (0-based, blank records
    counted), ``line`` in the file it was read from (1-based; for a CSV column, the row as a
    spreadsheet numbers it, the header being row 1; None for records given in Python) and
    why. ``value`` is the record as given; it is left out of the repr and the
    message, so both can be logged."""

    index: int
    reason: str
    value: Any = field(default=None, repr=False)
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else f"records[{self.index}]"
        return f"{where}: {self.reason}"


@dataclass
class PreparedRecords:
    """What a list's input holds: ``values`` to send (unique, in input order), ``bad``
    records, and how many were ``blank`` or ``duplicates``."""

    values: list[str] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)
    blank: int = 0
    duplicates: int = 0

    @property
    def read(self) -> int:
        """Records read, blank ones left out."""
        return len(self.values) + len(self.bad) + self.duplicates


class _Bad(Exception):
    pass


def _reason(error: InvalidInputError, list_type: str) -> str:
    """A normaliser's message without its ``user_data.<field>`` name: "the e-mail address
    has no @", "not a mobile advertising id (...)"."""
    text = _FIELD_PREFIX.sub("", str(error), count=1)
    if text.startswith("is not "):
        return text.removeprefix("is ")
    return f"{_NOUNS.get(list_type, 'the record')} {text}"


def prepare_record(value: Any, list_type: str = "EMAIL") -> str:
    """The value one record is sent as in a list of ``list_type`` (a SHA-256 digest, a
    digest given, or a partner id); ``InvalidInputError`` with the reason if it cannot be
    used. A blank record is an error here (``prepare_records`` skips blank ones)."""
    check_list_type(list_type)
    if isinstance(value, str) and not value.strip():
        raise InvalidInputError("the record is blank")
    try:
        return _prepare(value, list_type)
    except _Bad as bad:
        raise InvalidInputError(str(bad)) from None


def _prepare(value: Any, list_type: str) -> str:
    if not isinstance(value, str):
        raise _Bad(f"a record is a string, got {type(value).__name__}")
    text = value.strip()
    if "," in text:
        raise _Bad("the record holds a comma, which separates records")
    if list_type in PARTNER_TYPES:
        return text
    if _DIGEST.fullmatch(text):
        return text.lower()
    try:
        if list_type == "EMAIL":
            return sha256_hex(normalize_email(text))
        return sha256_hex(normalize_maid(text, case="upper" if list_type == "IDFA" else "lower"))
    except InvalidInputError as error:
        raise _Bad(_reason(error, list_type)) from None


def prepare_records(
    records: Iterable[Any], list_type: str, *, first_line: int | None = None
) -> PreparedRecords:
    """Every record of ``records`` checked and prepared (``first_line``: the file line of the
    first record, when they come from a file)."""
    check_list_type(list_type)
    prepared = PreparedRecords()
    seen: dict[str, None] = {}
    for index, value in enumerate(records):
        if isinstance(value, str) and not value.strip():
            prepared.blank += 1
            continue
        try:
            sent = _prepare(value, list_type)
        except _Bad as bad:
            line = None if first_line is None else first_line + index
            prepared.bad.append(BadRecord(index, str(bad), value, line))
            continue
        if sent in seen:
            prepared.duplicates += 1
        else:
            seen[sent] = None
    prepared.values = list(seen)
    return prepared


def read_records(path: str | os.PathLike[str], *, column: str | None = None) -> Iterator[str]:
    """The records of a file: one per line, or (with ``column``) the values of that column of
    a CSV file with a header row. Read as UTF-8 (a byte-order mark is skipped)."""
    file = Path(path)
    try:
        handle = file.open(encoding="utf-8-sig", newline="" if column is not None else None)
    except OSError as exc:
        raise InvalidInputError(f"cannot read {file}: {exc.strerror or exc}") from None
    with handle:
        try:
            if column is None:
                for line in handle:
                    yield line.rstrip("\r\n")
                return
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or column not in reader.fieldnames:
                known = ", ".join(reader.fieldnames or ()) or "none"
                raise InvalidInputError(f"{file} has no column {column!r} (its columns: {known})")
            for row in reader:
                yield row.get(column) or ""
        except UnicodeDecodeError:
            raise InvalidInputError(f"{file} is not UTF-8 text") from None


def prepare_file(
    path: str | os.PathLike[str], list_type: str, *, column: str | None = None
) -> PreparedRecords:
    """``prepare_records`` of a file: one record per line (``line`` numbers from 1), or a CSV
    column (``line`` is the row as a spreadsheet numbers it: the first record is row 2)."""
    return prepare_records(
        read_records(path, column=column), list_type, first_line=1 if column is None else 2
    )
