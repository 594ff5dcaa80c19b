"""``Report``: the typed rows of a report (or of synchronous analytics), with exports and
charts."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from . import exports
from .parsing import Row
from .planner import Window

__all__ = ["Report"]

PathArg = str | os.PathLike[str]


@dataclass
class Report(Sequence[Row]):
    """Rows as dicts keyed by column name: ``DATE`` (a ``datetime.date``; not for TOTAL),
    ``HOUR`` (HOUR granularity), the entity's ID column, the requested columns, each
    ``*_IN_MICRO_DOLLAR`` column followed by its amount in the account's currency
    (``*_IN_ACCOUNT_CURRENCY``, a ``Decimal``) and ``CURRENCY``.

    Iterate it, index it, or export it: ``to_csv``, ``to_jsonl``, ``to_parquet``
    (``pinkit[parquet]``), ``to_pandas`` (``pinkit[pandas]``), ``chart`` (a PNG,
    ``pinkit[charts]``) and ``terminal_chart``.
    """

    rows: list[Row]
    keys: list[str]
    level: str
    granularity: str
    start_date: Any
    end_date: Any
    ad_account_id: str | None = None
    currency: str | None = None
    windows: list[Window] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    """The report tokens, one per window (empty for synchronous analytics)."""

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __repr__(self) -> str:
        return (
            f"Report({self.level} {self.granularity} {self.start_date} to {self.end_date}: "
            f"{len(self.rows)} rows in {max(1, len(self.windows))} window(s))"
        )

    @property
    def title(self) -> str:
        level = self.level.replace("_", " ").lower()
        by = {"DAY": "daily", "HOUR": "hourly", "WEEK": "weekly", "MONTH": "monthly"}
        account = f", ad account {self.ad_account_id}" if self.ad_account_id else ""
        return (
            f"{level[0].upper()}{level[1:]} report{account}: {self.start_date} to "
            f"{self.end_date}, {by.get(self.granularity, self.granularity.lower())}"
        )

    # -- exports -----------------------------------------------------------------------------
    def to_csv(self, path: PathArg) -> int:
        """Write the rows as CSV (dates ``YYYY-MM-DD``, exact amounts); returns the count."""
        return exports.write_csv(self.rows, self.keys, path)

    def to_jsonl(self, path: PathArg) -> int:
        """Write one JSON object per row (amounts as exact text); returns the count."""
        return exports.write_jsonl(self.rows, path)

    def to_parquet(self, path: PathArg) -> int:
        """Write a typed Parquet file (``pinkit[parquet]``); returns the count."""
        return exports.write_parquet(self.rows, self.keys, path)

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (``pinkit[pandas]``)."""
        return exports.to_pandas(self.rows, self.keys)

    def save(self, path: PathArg) -> int:
        """Write by the extension of ``path``: ``.csv``, ``.jsonl`` or ``.parquet``."""
        return exports.write(self.rows, self.keys, path)

    # -- charts ------------------------------------------------------------------------------
    def chart(
        self,
        path: PathArg,
        metrics: Sequence[str] | None = None,
        *,
        width: int = 1200,
        height: int | None = None,
    ) -> None:
        """A PNG line chart of ``metrics`` over time (``pinkit[charts]``); money in the
        account's currency. ``width`` x ``height`` pixels."""
        from .charts import png_chart

        png_chart(
            self.rows,
            self.keys,
            path,
            metrics=metrics,
            title=self.title,
            currency=self.currency,
            width=width,
            height=height,
        )

    def terminal_chart(self, metrics: Sequence[str] | None = None, *, width: int = 60) -> str:
        """A small bar chart per metric in block characters, for a terminal."""
        from .charts import terminal_chart

        return terminal_chart(
            self.rows, self.keys, metrics=metrics, currency=self.currency, width=width
        )
