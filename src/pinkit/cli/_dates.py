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


class _Date(_DateType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date (write it as YYYY-MM-DD)", param, ctx)


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
