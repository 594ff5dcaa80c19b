"""Date ranges and how far Pinterest lets them go, from the limits the spec states.

Every limit comes from ``pinkit._constraints.date_limit`` (parsed from the operations'
descriptions by ``scripts/gen_operations.py``): how far back a range may start and how long it
may be, for the request's granularity and level. The boundary days count as the API counts
them: a range may start ``back_days`` days before today (UTC), that day included, and end
``range_days`` days after its start, that day included (so one report covers at most
``range_days + 1`` calendar days).

``plan_windows`` splits a longer report range into windows one report each may have, aligned to
the granularity (whole weeks for WEEK, whole months for MONTH), so that each row of the merged
result is one whole period from one report and nothing needs summing across windows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInputError

__all__ = [
    "REPORT_OPERATION",
    "Window",
    "check_dates",
    "check_range",
    "limits_for",
    "plan_windows",
    "today_utc",
]

REPORT_OPERATION = "analytics/create_report"
GRANULARITIES = ("TOTAL", "DAY", "HOUR", "WEEK", "MONTH")


@dataclass(frozen=True)
class Window:
    """One report's dates (both included), the ``index``-th of ``count``."""

    start: dt.date
    end: dt.date
    index: int = 1
    count: int = 1

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        return f"{self.start} to {self.end}"


def today_utc(now: float) -> dt.date:
    """Today's date in UTC at epoch second ``now`` (Pinterest counts days in UTC)."""
    return dt.datetime.fromtimestamp(int(now), dt.timezone.utc).date()


def check_dates(start_date: Any, end_date: Any) -> tuple[dt.date, dt.date]:
    """``start_date`` and ``end_date`` as dates (``datetime.date``, not datetimes or text),
    end not before start."""
    for name, value in (("start_date", start_date), ("end_date", end_date)):
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise InvalidInputError(
                f"{name} must be a datetime.date, got {type(value).__name__} ({value!r})"
            )
    if end_date < start_date:
        raise InvalidInputError(f"end_date {end_date} is before start_date {start_date}")
    return start_date, end_date


def limits_for(operation_id: str, fields: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """``(back_days, range_days)`` for ``operation_id`` with ``fields`` (granularity, level)."""
    from .._constraints import date_limit  # the table loads on first use

    limit = date_limit(operation_id, fields)
    return limit.back_days, limit.range_days


def _what(fields: Mapping[str, Any]) -> str:
    parts = []
    if fields.get("granularity") == "HOUR":
        parts.append("HOUR granularity")
    if fields.get("level") == "PRODUCT_ITEM":
        parts.append("the PRODUCT_ITEM level")
    return f" with {' and '.join(parts)}" if parts else ""


def check_back(
    operation_id: str,
    start: dt.date,
    today: dt.date,
    fields: Mapping[str, Any],
    *,
    longer: str = "",
) -> None:
    """Refuse a start further back than Pinterest keeps data for, saying how far it goes."""
    back, _ = limits_for(operation_id, fields)
    if back is not None and (today - start).days > back:
        earliest = today - dt.timedelta(days=back)
        raise InvalidInputError(
            f"start_date {start} is {(today - start).days} days before today ({today}); "
            f"{operation_id} goes back {back} days{_what(fields)}: the earliest start is "
            f"{earliest}" + (f". {longer}" if longer else "")
        )


def check_range(
    operation_id: str,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    fields: Mapping[str, Any],
    *,
    longer: str = "",
    further: str = "",
) -> None:
    """What one request allows: the start at most ``back_days`` before ``today`` (that day
    allowed) and the end at most ``range_days`` after the start (that day allowed). ``longer``
    and ``further`` are hints added to the messages for a range too long or too far back."""
    check_back(operation_id, start, today, fields, longer=further)
    _, span = limits_for(operation_id, fields)
    if span is not None and (end - start).days > span:
        raise InvalidInputError(
            f"{start} to {end} is {(end - start).days} days after the start; {operation_id} "
            f"allows at most {span}{_what(fields)} (end_date at most {start + dt.timedelta(span)})"
            + (f". {longer}" if longer else "")
        )


def _period_end(day: dt.date, granularity: str) -> dt.date:
    """The last day of the period (week from Monday, month) that ``day`` is in."""
    if granularity == "WEEK":
        return day + dt.timedelta(days=6 - day.weekday())
    if granularity == "MONTH":
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1)
    return day


def plan_windows(
    start: dt.date,
    end: dt.date,
    *,
    granularity: str,
    level: str,
    today: dt.date,
    operation_id: str = REPORT_OPERATION,
) -> list[Window]:
    """The windows, one report each, that cover ``start`` to ``end`` exactly once.

    Refuses (``InvalidInputError``, before anything is sent) a start further back than
    Pinterest keeps, and a TOTAL over more than one report allows (a total cannot be made from
    several windows without summing across them). Windows end on period boundaries for WEEK
    and MONTH, so no week or month is split between two reports.
    """
    fields = {"granularity": granularity, "level": level}
    check_back(operation_id, start, today, fields)
    _, span = limits_for(operation_id, fields)
    if span is None or (end - start).days <= span:
        return [Window(start, end)]
    if granularity == "TOTAL":
        raise InvalidInputError(
            f"a TOTAL report of {start} to {end} ({(end - start).days + 1} days) is longer than "
            f"one report allows ({span + 1} days{_what(fields)}), and a total cannot be merged "
            "from several reports without summing across them: ask for DAY, WEEK or MONTH "
            "rows, or a shorter range"
        )
    ranges: list[tuple[dt.date, dt.date]] = []
    first = start
    while first <= end:
        limit = min(end, first + dt.timedelta(days=span))
        last = limit
        if granularity in ("WEEK", "MONTH") and limit < end:
            last = _period_end(first, granularity)
            if last > limit:
                raise InvalidInputError(
                    f"one {granularity} period does not fit in one report ({span + 1} days)"
                )
            while (following := _period_end(last + dt.timedelta(days=1), granularity)) <= limit:
                last = following
        ranges.append((first, last))
        first = last + dt.timedelta(days=1)
    return [Window(a, b, n, len(ranges)) for n, (a, b) in enumerate(ranges, 1)]
