"""Organic analytics answers: a user's and pins' daily metrics, top pins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from ._base import PinterestModel

__all__ = ["AnalyticsMetrics", "DailyMetrics", "DateAvailability", "TopPin", "TopPins"]

Number = int | float


class DailyMetrics(PinterestModel):
    """One day's metrics (``data_status`` says whether they are final: ``READY``)."""

    date: dt.date | None = None
    data_status: str | None = None
    metrics: dict[str, Number | None] = Field(default_factory=dict)


class AnalyticsMetrics(PinterestModel):
    """Daily metrics and their summary over the range."""

    daily_metrics: list[DailyMetrics] = Field(default_factory=list)
    summary_metrics: dict[str, Number | None] = Field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """One row per day: ``DATE``, ``DATA_STATUS`` and each metric."""
        return [
            {"DATE": day.date, "DATA_STATUS": day.data_status, **day.metrics}
            for day in self.daily_metrics
        ]


class DateAvailability(PinterestModel):
    is_realtime: bool | None = None
    latest_available_timestamp: float | None = None
    """Milliseconds since the epoch (not seconds)."""


class TopPin(PinterestModel):
    pin_id: str | None = None
    metrics: dict[str, Number | None] = Field(default_factory=dict)
    data_status: dict[str, str] = Field(default_factory=dict)


class TopPins(PinterestModel):
    """The user's top pins by ``sort_by`` over the range."""

    date_availability: DateAvailability | None = None
    pins: list[TopPin] = Field(default_factory=list)
    sort_by: str | None = None
