"""What ``pinkit ads`` reads and shows: amounts in the account's currency (never bare micros
outside ``--format json``), ISO 8601 times, and campaigns, ad groups and ads from CSV or JSON
files, every row checked before anything is sent."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError

__all__ = [
    "MONEY_FIELDS",
    "FileProblem",
    "display",
    "money_option",
    "parse_amount_cell",
    "parse_time",
    "read_items",
    "show_time",
]

#: Pinterest's integer micro-currency fields, and the names amounts are shown under.
MONEY_FIELDS = {
    "daily_spend_cap": "daily_spend_cap",
    "lifetime_spend_cap": "lifetime_spend_cap",
    "default_ad_group_budget_in_micro_currency": "default_ad_group_budget",
    "budget_in_micro_currency": "budget",
    "bid_in_micro_currency": "bid",
}
TIME_FIELDS = ("start_time", "end_time", "created_time", "updated_time")


def parse_time(name: str, text: str) -> int:
    """ISO 8601 date (``2026-12-24``: midnight UTC) or date and time (without a zone: UTC), or
    Unix seconds, as Unix seconds."""
    value = text.strip()
    if value.isascii() and value.isdigit():
        return int(value)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        else:
            iso = value[:-1] + "+00:00" if value[-1:] in ("Z", "z") else value
            moment = datetime.fromisoformat(iso)
    except ValueError:
        raise InvalidInputError(
            f"{name}: not an ISO 8601 date or time: {text!r} (like 2026-12-24 or "
            "2026-12-24T09:00, UTC unless it has a zone)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


def show_time(seconds: Any) -> Any:
    if isinstance(seconds, int) and not isinstance(seconds, bool):
        return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return seconds


def money_option(name: str, text: str, currency: str) -> int:
    """An amount given on the command line, in units of the account's ``currency``."""
    from ..money import to_micros

    try:
        micros = to_micros(text, currency)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{name}: {exc}") from None
    if micros <= 0:
        raise InvalidInputError(f"{name} must be more than 0, got {text!r}")
    return micros


def parse_amount_cell(value: Any, currency: str) -> int:
    """A money value from a file: ``"USD 20.00"`` (the currency is required, and must be the
    account's) or, in JSON, an integer of micros as the API and ``--format json`` write it."""
    from ..money import to_micros

    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise InvalidInputError(f"write the amount with its currency, like '{currency} 20.00'")
    parts = value.replace(",", "").split()
    if len(parts) != 2 or not parts[0].isalpha():
        raise InvalidInputError(
            f"write the amount with its currency, like '{currency} 20.00', got {value!r}"
        )
    code, amount = parts[0].upper(), parts[1]
    if code != currency:
        raise InvalidInputError(f"the ad account is in {currency}, not {code}")
    return to_micros(amount, currency)


def display(record: Mapping[str, Any], currency: str | None) -> dict[str, Any]:
    """A record as the table and CSV formats show it: amounts with their currency, times in
    UTC."""
    from ..money import format_amount

    shown: dict[str, Any] = {}
    for key, value in record.items():
        if key in MONEY_FIELDS and isinstance(value, int) and currency:
            shown[MONEY_FIELDS[key]] = format_amount(value, currency)
        elif key in MONEY_FIELDS and isinstance(value, int):
            shown[MONEY_FIELDS[key]] = f"{value} micros"  # no currency known: say what it is
        elif key in TIME_FIELDS:
            shown[key] = show_time(value)
        else:
            shown[key] = value
    return shown


# -- files -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FileProblem:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return (
            f"{where}, {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"
        )


def _cell(operation_id: str, column: str, raw: Any, currency: str | None, from_csv: bool) -> Any:
    from .._constraints import field

    if column in MONEY_FIELDS:
        if currency is None:
            raise InvalidInputError("no currency known for the ad account")
        return parse_amount_cell(raw.strip() if isinstance(raw, str) else raw, currency)
    if column in ("start_time", "end_time") and isinstance(raw, str):
        return parse_time(column, raw)
    if not from_csv:
        return raw
    kind = field(operation_id, f"[].{column}").type
    text = raw.strip()
    if kind == "integer":
        if not (text.lstrip("-").isascii() and text.lstrip("-").isdigit()):
            raise InvalidInputError(f"must be an integer, got {raw!r}")
        return int(text)
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise InvalidInputError(f"must be a number, got {raw!r}") from None
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise InvalidInputError(f"must be true or false, got {raw!r}")
        return text.lower() == "true"
    if kind in ("array", "object"):
        try:
            return json.loads(text)
        except ValueError:
            raise InvalidInputError(f"must be JSON (an {kind}), got {raw!r}") from None
    return raw


def read_items(
    path: Path, operation_id: str, currency: str | None
) -> tuple[list[dict[str, Any]], list[int], list[FileProblem]]:
    """The items of a ``.csv`` (header row; rows numbered as a spreadsheet shows them, the
    first item being row 2) or ``.json`` file (an array of objects; item 1 first), their row
    numbers, and every problem found. Columns are the API's field names (those of
    ``operation_id``'s items); empty CSV cells are left out."""
    from .._constraints import field

    properties = set(field(operation_id, "[]").properties)
    problems: list[FileProblem] = []
    from_csv = path.suffix.lower() == ".csv"
    raw_rows: list[tuple[int, Mapping[str, Any]]] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {path}: {exc}") from None
    if from_csv:
        reader = csv.DictReader(text.splitlines())
        for column in reader.fieldnames or []:
            if column not in properties:
                problems.append(FileProblem(0, column, "not a field of the API's items"))
        for number, row in enumerate(reader, start=2):
            raw_rows.append((number, {k: v for k, v in row.items() if k and v not in (None, "")}))
    elif path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidInputError(f"{path} is not valid JSON: {exc}") from None
        if not isinstance(data, list):
            data = [data]
        for number, entry in enumerate(data, start=1):
            if not isinstance(entry, dict):
                problems.append(FileProblem(number, "", "an item is a JSON object"))
                continue
            raw_rows.append((number, entry))
    else:
        raise InvalidInputError(f"{path}: give a .csv or .json file")
    items: list[dict[str, Any]] = []
    numbers: list[int] = []
    for number, fields in raw_rows:
        item: dict[str, Any] = {}
        for column, raw in fields.items():
            if column not in properties:
                if not from_csv:
                    problems.append(FileProblem(number, column, "not a field of the API's items"))
                continue
            try:
                item[column] = _cell(operation_id, column, raw, currency, from_csv)
            except InvalidInputError as exc:
                problems.append(FileProblem(number, column, str(exc)))
        items.append(item)
        numbers.append(number)
    if not raw_rows and not problems:
        problems.append(FileProblem(0, "", "no items in the file"))
    return items, numbers, problems
