"""Options the analytics and reports commands share: dates and comma-separated names."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

__all__ = ["DATE", "NAMES"]

if TYPE_CHECKING:  # click's ParamType is generic for type checkers only in recent releases
    _DateType = click.ParamType[dt.date]
    _NamesType = click.ParamType[list[str]]
else:
    _DateType = _NamesType = click.ParamType


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


class _Date(_DateType):
    """``YYYY-MM-DD``, or relative to today in UTC: ``today``, ``yesterday``, ``today-N``
    (N days before), so a script or a cron job can ask for "the last 30 days"."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip().lower()
        if text in ("today", "yesterday"):
            return _today() - dt.timedelta(days=0 if text == "today" else 1)
        days = text.removeprefix("today-")
        if days != text and days.isascii() and days.isdigit() and len(days) <= 5:
            return _today() - dt.timedelta(days=int(days))
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{value!r} is not a date (write it as YYYY-MM-DD, today, yesterday or today-N)",
                param,
                ctx,
            )


class _Names(_NamesType):
    name = "A,B,C"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, list):
            return value
        items = [v.strip().upper() for v in str(value).split(",") if v.strip()]
        if not items:
            self.fail("name at least one", param, ctx)
        return items


DATE = _Date()
NAMES = _Names()
