"""``pinterest_reports``: analytics reports of many ad accounts as one DataFrame.

One partition per (ad account, window), the windows from the report planner
(``pinkit.reports.planner``), each read by ``client.reports.run`` in a task of its own (create,
poll, download, parse). Rows are wide, as Pinterest returns them: one per date and entity, a
column per metric, each money column followed by its amount in the account's currency and a
``CURRENCY`` column; ``AD_ACCOUNT_ID`` comes first. Rows whose metrics are all zero are left
out, as Pinterest leaves them out, unless ``zero_fill`` is set (DAY rows only: every day for
every entity of the level that the account lists).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pyspark.sql.datasource import DataSource, DataSourceReader, InputPartition
from pyspark.sql.types import (
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from ..errors import InvalidInputError
from ..reports.columns import LEVEL_ID_COLUMNS, is_money, kind_of
from ..reports.parsing import report_keys
from ..reports.planner import Window, plan_windows, today_utc
from ._options import Defaults, ReportOptions, bad_option

__all__ = ["ReportsDataSource"]

SOURCE = ReportOptions.SOURCE
_TYPES: dict[str, DataType] = {
    "date": DateType(),
    "hour": IntegerType(),
    "text": StringType(),
    "float": DoubleType(),
    "number": LongType(),
    "micro": DoubleType(),
    "decimal": DecimalType(38, 12),
}


def _kind(column: str) -> str:
    """The analytics kind of ``column``, with ``micro`` for the counts in micro-units, which
    Pinterest may send with a fraction (per-unit costs): a double, never truncated. The exact
    amount is the ``*_IN_ACCOUNT_CURRENCY`` decimal beside it."""
    kind = kind_of(column)
    return "micro" if kind == "number" and is_money(column) else kind


#: The levels whose entities an account lists, for ``zero_fill``.
_LISTED = {"CAMPAIGN": "campaigns", "AD_GROUP": "ad_groups", "PIN_PROMOTION": "ads"}


def _id_column(level: str) -> str | None:
    return LEVEL_ID_COLUMNS.get(level.removesuffix("_TARGETING"))


def report_schema(options: ReportOptions) -> StructType:
    keys = report_keys(
        list(options.columns),
        granularity=options.granularity,
        id_column=_id_column(options.level),
        currency=True,
    )
    fields = [StructField("AD_ACCOUNT_ID", StringType(), False)]
    fields += [StructField(k, _TYPES[_kind(k)], True) for k in keys if k != "AD_ACCOUNT_ID"]
    return StructType(fields)


@dataclass(frozen=True)
class ReportPartition(InputPartition):
    """One report: an ad account and a window (both dates included)."""

    ad_account_id: str
    start: dt.date
    end: dt.date


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class ReportsReader(DataSourceReader):
    def __init__(self, options: ReportOptions, schema: StructType) -> None:
        self.options = options
        self.names = schema.fieldNames()
        self.kinds = [_kind(n) if n != "AD_ACCOUNT_ID" else "text" for n in self.names]

    def __repr__(self) -> str:
        return f"ReportsReader({self.options!r})"

    def partitions(self) -> list[ReportPartition]:
        windows = _windows(self.options)
        return [
            ReportPartition(account, w.start, w.end)
            for account in self.options.ad_account_ids
            for w in windows
        ]

    def read(self, partition: InputPartition) -> Iterator[tuple[Any, ...]]:
        assert isinstance(partition, ReportPartition)
        options = self.options
        limiter = options.limiter("ads_analytics")
        try:
            with options.client(limiter) as client:
                report = client.reports.run(
                    partition.ad_account_id,
                    level=options.level,
                    columns=list(options.columns),
                    start_date=partition.start,
                    end_date=partition.end,
                    granularity=options.granularity,
                )
                rows = list(report.rows)
                if options.zero_fill:
                    rows = self._zero_filled(client, partition, rows, report.currency)
        finally:
            if limiter is not None:
                limiter.close()
        names, kinds, account = self.names, self.kinds, partition.ad_account_id
        for row in rows:
            values: list[Any] = []
            for name, kind in zip(names, kinds, strict=True):
                if name == "AD_ACCOUNT_ID":
                    values.append(account)
                    continue
                value = row.get(name)
                if kind == "number":
                    value = _number(value)
                    if isinstance(value, float):  # a LongType column: never truncated
                        raise InvalidInputError(
                            f"{SOURCE}: {name} of ad account {account} on {row.get('DATE')} "
                            f"is {value}, not a whole number"
                        )
                elif kind == "micro" and value is not None:
                    value = float(value)
                elif kind == "text" and value is not None:
                    value = str(value)
                values.append(value)
            yield tuple(values)

    def _zero_filled(
        self, client: Any, part: ReportPartition, rows: list[dict[str, Any]], currency: Any
    ) -> list[dict[str, Any]]:
        level = self.options.level
        id_column = _id_column(level) or ""
        if level == "ADVERTISER":
            entities = [part.ad_account_id]
        else:
            listed = getattr(client, _LISTED[level])
            entities = [str(e.id) for e in listed.list(part.ad_account_id, include_archived=True)]
        seen = {(r.get("DATE"), str(r.get(id_column))) for r in rows}
        zero: dict[str, Any] = {}
        for name in self.names:
            kind = _kind(name)
            if name in ("DATE", "AD_ACCOUNT_ID", id_column):
                continue
            if name == "CURRENCY":
                zero[name] = currency
            elif kind == "decimal":
                zero[name] = Decimal(0)
            elif kind in ("number", "micro", "float"):
                zero[name] = 0 if kind == "number" else 0.0
        filled = list(rows)
        day = part.start
        while day <= part.end:
            for entity in entities:
                if (day, entity) not in seen:
                    filled.append({"DATE": day, str(id_column): entity, **zero})
            day += dt.timedelta(days=1)
        filled.sort(key=lambda r: (r.get("DATE"), str(r.get(id_column))))
        return filled


class ReportsDataSource(DataSource):
    """``spark.read.format("pinterest_reports").option("ad_account_ids", "1,2,3")
    .option("level", "CAMPAIGN").option("columns", "SPEND_IN_MICRO_DOLLAR,TOTAL_IMPRESSION")
    .option("start_date", "2026-01-01").option("end_date", "2026-12-01").load()``.

    Options: ``ad_account_ids`` (comma-separated), ``level`` (CAMPAIGN by default),
    ``columns`` (comma-separated), ``start_date`` and ``end_date`` (``YYYY-MM-DD``, both
    included), ``granularity`` (DAY by default; WEEK, MONTH, HOUR), ``zero_fill``; the
    credential, ``base_url``, ``redis_url`` and ``rate_limit`` as for
    ``pinterest_conversions``.
    """

    KNOWN = ReportOptions.KNOWN
    defaults = Defaults({})

    @classmethod
    def name(cls) -> str:
        return SOURCE

    def _options(self) -> ReportOptions:
        options = ReportOptions.parse(self.defaults.merged(self.options))
        _check_request(options)
        options.check_remote(SOURCE)
        return options

    def schema(self) -> StructType:
        return report_schema(self._options())

    def reader(self, schema: StructType) -> DataSourceReader:
        return ReportsReader(self._options(), schema)


def _check_request(options: ReportOptions) -> None:
    """The report's fields against the spec and the planner's limits, on the driver."""
    from ..resources.reports import _Request

    if options.zero_fill and (
        options.granularity != "DAY"
        or (options.level not in _LISTED and options.level != "ADVERTISER")
    ):
        raise bad_option(
            SOURCE,
            "zero_fill needs granularity DAY and the level ADVERTISER, CAMPAIGN, AD_GROUP "
            "or PIN_PROMOTION",
        )
    try:
        _Request(
            level=options.level,
            columns=list(options.columns),
            granularity=options.granularity,
            report_format="CSV",
            fields={},
            start_date=options.start_date,
            end_date=options.end_date,
        )
    except InvalidInputError as exc:
        raise bad_option(SOURCE, str(exc)) from None
    _windows(options)


def _windows(options: ReportOptions) -> list[Window]:
    """The report windows of the range, from the planner; a range it refuses is a bad option."""
    try:
        return plan_windows(
            options.start_date,
            options.end_date,
            granularity=options.granularity,
            level=options.level,
            today=today_utc(time.time()),
        )
    except InvalidInputError as exc:
        raise bad_option(SOURCE, str(exc)) from None
