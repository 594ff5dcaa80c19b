"""Async analytics reports: create, poll, download, parse; and ``run``, which does all of it
for ranges of any length Pinterest keeps (up to 914 days back), split into windows.

See ``pinkit.reports.runner`` for the states and retries and ``pinkit.reports.planner`` for the
windows. Every limit comes from the spec (``pinkit._constraints.date_limit``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from .._flow import Flow
from .._resource import Call, Host, M, endpoint, workflow
from .._validate import check_id
from ..errors import InvalidInputError
from ..reports.checks import check_body, names
from ..reports.columns import LEVEL_ID_COLUMNS
from ..reports.parsing import RowShape, report_keys
from ..reports.planner import (
    REPORT_OPERATION,
    Window,
    check_dates,
    check_range,
    plan_windows,
    today_utc,
)
from ..reports.report import Report
from ..reports.runner import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_TIMEOUT_S,
    ProgressCallback,
    ReportStatus,
    create_call,
    get_call,
    run_windows_flow,
)
from ._ads import AdAccountResource
from .analytics import currency_flow

__all__ = ["ReportsAPI"]


def _id_list(name: str, values: Sequence[str] | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    return [check_id(name, v) for v in values]


class _Request:
    """A checked report request, its dates aside (each window gets its own)."""

    def __init__(
        self,
        *,
        level: str,
        columns: Sequence[str] | str,
        granularity: str,
        report_format: str,
        fields: Mapping[str, Any],
        start_date: dt.date,
        end_date: dt.date,
    ) -> None:
        self.level = level.upper()
        self.granularity = granularity.upper()
        self.report_format = report_format.upper()
        self.columns = names(columns, "columns") or []
        if not self.columns:
            raise InvalidInputError("name at least one column")
        self.start, self.end = check_dates(start_date, end_date)
        if self.level == "PRODUCT_ITEM" and (fields.get("ad_ids") or fields.get("ad_statuses")):
            raise InvalidInputError(
                "ad_ids and ad_statuses are not allowed with the PRODUCT_ITEM level"
            )
        self.base = {
            "level": self.level,
            "granularity": self.granularity,
            "columns": self.columns,
            "report_format": self.report_format,
            **{k: v for k, v in fields.items() if v is not None},
        }
        self.body(Window(self.start, self.end))  # checks every field against the spec

    def body(self, window: Window) -> dict[str, Any]:
        body = {
            **self.base,
            "start_date": window.start.isoformat(),
            "end_date": window.end.isoformat(),
        }
        return check_body(REPORT_OPERATION, body)

    def shape(self, currency: str | None) -> RowShape:
        id_column = LEVEL_ID_COLUMNS.get(self.level.removesuffix("_TARGETING"))
        keys = report_keys(
            self.columns, granularity=self.granularity, id_column=id_column, currency=True
        )
        return RowShape(keys, currency=currency, id_column=id_column)


def _fields(
    *,
    campaign_ids: Sequence[str] | None,
    ad_group_ids: Sequence[str] | None,
    ad_ids: Sequence[str] | None,
    click_window_days: int | None,
    engagement_window_days: int | None,
    view_window_days: int | None,
    conversion_report_time: str | None,
    attribution_types: Sequence[str] | str | None,
    targeting_types: Sequence[str] | str | None,
    reporting_timezone: str | None,
    extra: Mapping[str, Any] | None,
) -> dict[str, Any]:
    return {
        "campaign_ids": _id_list("campaign_ids", campaign_ids),
        "ad_group_ids": _id_list("ad_group_ids", ad_group_ids),
        "ad_ids": _id_list("ad_ids", ad_ids),
        "click_window_days": click_window_days,
        "engagement_window_days": engagement_window_days,
        "view_window_days": view_window_days,
        "conversion_report_time": conversion_report_time,
        "attribution_types": names(attribution_types, "attribution_types"),
        "targeting_types": names(targeting_types, "targeting_types"),
        "reporting_timezone": reporting_timezone,
        **dict(extra or {}),
    }


class ReportsAPI(AdAccountResource[M]):
    """Async reports of an ad account: ``run`` for the whole flow, or ``create``/``get``."""

    def __init__(self, client: Host) -> None:
        super().__init__(client)
        self._currencies: dict[str, str | None] = {}

    def _today(self) -> dt.date:
        return today_utc(self._client.clock.now())

    def plan(
        self,
        start_date: dt.date,
        end_date: dt.date,
        *,
        granularity: str = "DAY",
        level: str = "CAMPAIGN",
    ) -> list[Window]:
        """The windows ``run`` would ask for (one report each), from the spec's limits for
        ``granularity`` and ``level``: 186 days and 914 days back for most, 3 days and 8
        days back for HOUR, 31 days and 92 days back for PRODUCT_ITEM."""
        start, end = check_dates(start_date, end_date)
        return plan_windows(
            start, end, granularity=granularity.upper(), level=level.upper(), today=self._today()
        )

    @endpoint
    def create(
        self,
        ad_account_id: str | None = None,
        *,
        level: str,
        columns: Sequence[str] | str,
        start_date: dt.date,
        end_date: dt.date,
        granularity: str = "DAY",
        report_format: str = "CSV",
        campaign_ids: Sequence[str] | None = None,
        ad_group_ids: Sequence[str] | None = None,
        ad_ids: Sequence[str] | None = None,
        click_window_days: int | None = None,
        engagement_window_days: int | None = None,
        view_window_days: int | None = None,
        conversion_report_time: str | None = None,
        attribution_types: Sequence[str] | str | None = None,
        targeting_types: Sequence[str] | str | None = None,
        reporting_timezone: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Call[str]:
        """Ask for one report; returns its token (poll it with ``get``). The range must fit
        one report: the start at most 914 days back (8 for HOUR, 92 for PRODUCT_ITEM) and the
        end at most 186 days after it (3 for HOUR, 31 for PRODUCT_ITEM), boundary days
        allowed. ``extra`` holds any other body field of the spec (checked too)."""
        account = self._account(ad_account_id)
        request = _Request(
            level=level,
            columns=columns,
            granularity=granularity,
            report_format=report_format,
            start_date=start_date,
            end_date=end_date,
            fields=_fields(
                campaign_ids=campaign_ids,
                ad_group_ids=ad_group_ids,
                ad_ids=ad_ids,
                click_window_days=click_window_days,
                engagement_window_days=engagement_window_days,
                view_window_days=view_window_days,
                conversion_report_time=conversion_report_time,
                attribution_types=attribution_types,
                targeting_types=targeting_types,
                reporting_timezone=reporting_timezone,
                extra=extra,
            ),
        )
        check_range(
            REPORT_OPERATION,
            request.start,
            request.end,
            self._today(),
            {"granularity": request.granularity, "level": request.level},
            longer="reports.run splits longer ranges into several reports",
        )
        return create_call(account, request.body(Window(request.start, request.end)))

    @endpoint
    def get(self, ad_account_id: str | None, token: str) -> Call[ReportStatus]:
        """A report's status, and its download link once FINISHED (valid five minutes;
        download it without the Authorization header)."""
        if not isinstance(token, str) or not token.strip():
            raise InvalidInputError("token must be the text create() returned")
        return get_call(self._account(ad_account_id), token)

    @workflow
    def run(
        self,
        ad_account_id: str | None = None,
        *,
        level: str,
        columns: Sequence[str] | str,
        start_date: dt.date,
        end_date: dt.date,
        granularity: str = "DAY",
        report_format: str = "CSV",
        campaign_ids: Sequence[str] | None = None,
        ad_group_ids: Sequence[str] | None = None,
        ad_ids: Sequence[str] | None = None,
        click_window_days: int | None = None,
        engagement_window_days: int | None = None,
        view_window_days: int | None = None,
        conversion_report_time: str | None = None,
        attribution_types: Sequence[str] | str | None = None,
        targeting_types: Sequence[str] | str | None = None,
        reporting_timezone: str | None = None,
        extra: Mapping[str, Any] | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        timeout: float = DEFAULT_TIMEOUT_S,
        on_progress: ProgressCallback | None = None,
    ) -> Flow[Report]:
        """A whole report: split into windows one report each allows (``plan``), each
        created, polled with backoff, downloaded at once (a fresh link when the five-minute one
        expired) and parsed; the rows of every window concatenated into one ``Report``.

        A report that ends FAILED, CANCELLED, EXPIRED or DOES_NOT_EXIST is created again, up to
        ``max_attempts`` reports per window; ``timeout`` seconds (30 minutes) bound the whole
        run, on the client's clock. Either way a report that cannot be had raises
        ``pinkit.ReportError`` with ``.status``. Everything is checked before the first request:
        columns and fields against the spec, a start further back than Pinterest keeps, and a
        TOTAL over more than one report allows. ``on_progress`` gets a ``ReportProgress`` at
        each step (which window of how many, its status).
        """
        account = self._account(ad_account_id)
        if max_attempts < 1:
            raise InvalidInputError("max_attempts must be at least 1")
        if not timeout > 0:
            raise InvalidInputError("timeout must be more than 0 seconds")
        request = _Request(
            level=level,
            columns=columns,
            granularity=granularity,
            report_format=report_format,
            start_date=start_date,
            end_date=end_date,
            fields=_fields(
                campaign_ids=campaign_ids,
                ad_group_ids=ad_group_ids,
                ad_ids=ad_ids,
                click_window_days=click_window_days,
                engagement_window_days=engagement_window_days,
                view_window_days=view_window_days,
                conversion_report_time=conversion_report_time,
                attribution_types=attribution_types,
                targeting_types=targeting_types,
                reporting_timezone=reporting_timezone,
                extra=extra,
            ),
        )
        windows = plan_windows(
            request.start,
            request.end,
            granularity=request.granularity,
            level=request.level,
            today=self._today(),
        )
        return self._run(account, request, windows, max_attempts, timeout, on_progress)

    def _run(
        self,
        account: str,
        request: _Request,
        windows: list[Window],
        max_attempts: int,
        timeout: float,
        on_progress: ProgressCallback | None,
    ) -> Flow[Report]:
        currency = yield from currency_flow(self, self._currencies, account)
        shape = request.shape(currency)
        rows, tokens = yield from run_windows_flow(
            self,
            account,
            windows,
            request.body,
            shape,
            report_format=request.report_format,
            max_attempts=max_attempts,
            timeout=timeout,
            on_progress=on_progress,
        )
        return Report(
            rows,
            shape.keys,
            level=request.level,
            granularity=request.granularity,
            start_date=request.start,
            end_date=request.end,
            ad_account_id=account,
            currency=currency,
            windows=windows,
            tokens=tokens,
        )
