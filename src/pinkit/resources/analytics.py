"""Synchronous analytics: a user's and pins' organic metrics, and ad accounts', campaigns',
ad groups' and ads' metrics, typed.

Dates are ``datetime.date``. The ranges are checked before sending, against the limits each
operation states (``pinkit._constraints.date_limit``): the start may be at most N days before
today in UTC, day N itself allowed (N = 90, or 8 with HOUR granularity), and the end at most M
days after the start, day M itself allowed (M = 90, or 3 with HOUR). For longer ranges or
further back use an async report: ``client.reports.run(...)``.

Columns, metric types, granularity, attribution windows and the conversion report time are
checked against the spec's enums. The ads-level methods return a ``pinkit.reports.Report``:
rows with typed values and money columns in the account's currency (read once per account).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from .._calls import Call
from .._flow import Flow
from .._resource import Host, M, Resource, endpoint, workflow
from .._validate import check_id
from ..errors import InvalidInputError
from ..models import AnalyticsMetrics, TopPins
from ..reports.checks import check_query, names
from ..reports.columns import SYNC_ID_COLUMNS
from ..reports.parsing import RowShape, report_keys
from ..reports.planner import REPORT_OPERATION, check_dates, check_range, limits_for, today_utc
from ..reports.report import Report
from ._ads import AdAccountResource

__all__ = ["AnalyticsAPI", "currency_flow"]

Dates = Sequence[str] | str | None


def currency_flow(
    resource: Resource[Any], cache: dict[str, str | None], ad_account_id: str
) -> Flow[str | None]:
    """The ad account's currency, read once (it is fixed when the account is made)."""
    if ad_account_id not in cache:
        account: Any = yield from resource._call(Call("GET", f"/ad_accounts/{ad_account_id}"))
        currency = account.get("currency") if isinstance(account, dict) else None
        cache[ad_account_id] = str(currency) if currency else None
    return cache[ad_account_id]


def _longer_hint(granularity: str) -> str:
    back, span = limits_for(REPORT_OPERATION, {"granularity": granularity})
    return (
        f"Use an async report for longer ranges (client.reports.run: up to {back} days back, "
        f"split into reports of {span} days)"
    )


def _dates(
    resource: Resource[Any],
    operation_id: str,
    start_date: dt.date,
    end_date: dt.date,
    granularity: str | None = None,
) -> dict[str, str]:
    start, end = check_dates(start_date, end_date)
    today = today_utc(resource._client.clock.now())
    fields = {"granularity": granularity} if granularity else {}
    hint = _longer_hint(granularity or "DAY")
    check_range(operation_id, start, end, today, fields, longer=hint, further=hint)
    return {"start_date": start.isoformat(), "end_date": end.isoformat()}


def _ids(name: str, values: Sequence[str] | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    return [check_id(name, v) for v in values]


def _analytics_map(body: Any) -> dict[str, AnalyticsMetrics]:
    return {str(k): AnalyticsMetrics.model_validate(v) for k, v in (body or {}).items()}


def _per_pin(body: Any) -> dict[str, dict[str, AnalyticsMetrics]]:
    return {str(pin): _analytics_map(v) for pin, v in (body or {}).items()}


class AnalyticsAPI(AdAccountResource[M]):
    """Synchronous analytics (90 days back at most; use ``client.reports`` for more)."""

    def __init__(self, client: Host) -> None:
        super().__init__(client)
        self._currencies: dict[str, str | None] = {}

    # -- organic ------------------------------------------------------------------------------
    @endpoint
    def user_account(
        self,
        start_date: dt.date,
        end_date: dt.date,
        *,
        metric_types: Sequence[str] | str | None = None,
        from_claimed_content: str | None = None,
        pin_format: str | None = None,
        app_types: str | None = None,
        content_type: str | None = None,
        source: str | None = None,
        split_field: str | None = None,
        ad_account_id: str | None = None,
    ) -> Call[dict[str, AnalyticsMetrics]]:
        """The user's daily metrics and their summary, keyed by split value (``"all"``
        without a split). At most 90 days back, 90 days long (both boundary days allowed)."""
        op = "user_account/analytics"
        params = check_query(
            op,
            {},
            {
                **_dates(self, op, start_date, end_date),
                "metric_types": names(metric_types, "metric_types"),
                "from_claimed_content": from_claimed_content,
                "pin_format": pin_format,
                "app_types": app_types,
                "content_type": content_type,
                "source": source,
                "split_field": split_field,
                "ad_account_id": ad_account_id,
            },
        )
        return Call("GET", "/user_account/analytics", params=params, parse=_analytics_map)

    def _top(
        self,
        op: str,
        path: str,
        start_date: dt.date,
        end_date: dt.date,
        sort_by: str,
        fields: Mapping[str, Any],
    ) -> Call[TopPins]:
        params = check_query(
            op, {}, {**_dates(self, op, start_date, end_date), "sort_by": sort_by, **fields}
        )
        return Call("GET", path, params=params, parse=TopPins.model_validate)

    @endpoint
    def top_pins(
        self,
        start_date: dt.date,
        end_date: dt.date,
        *,
        sort_by: str = "IMPRESSION",
        metric_types: Sequence[str] | str | None = None,
        num_of_pins: int | None = None,
        created_in_last_n_days: int | None = None,
        from_claimed_content: str | None = None,
        pin_format: str | None = None,
        app_types: str | None = None,
        content_type: str | None = None,
        source: str | None = None,
        ad_account_id: str | None = None,
    ) -> Call[TopPins]:
        """The user's top pins by ``sort_by`` (1 to 50 of them, ``num_of_pins``)."""
        return self._top(
            "user_account/analytics/top_pins",
            "/user_account/analytics/top_pins",
            start_date,
            end_date,
            sort_by.upper(),
            {
                "metric_types": names(metric_types, "metric_types"),
                "num_of_pins": num_of_pins,
                "created_in_last_n_days": created_in_last_n_days,
                "from_claimed_content": from_claimed_content,
                "pin_format": pin_format,
                "app_types": app_types,
                "content_type": content_type,
                "source": source,
                "ad_account_id": ad_account_id,
            },
        )

    @endpoint
    def top_video_pins(
        self,
        start_date: dt.date,
        end_date: dt.date,
        *,
        sort_by: str = "IMPRESSION",
        metric_types: Sequence[str] | str | None = None,
        num_of_pins: int | None = None,
        created_in_last_n_days: int | None = None,
        from_claimed_content: str | None = None,
        pin_format: str | None = None,
        app_types: str | None = None,
        content_type: str | None = None,
        source: str | None = None,
        ad_account_id: str | None = None,
    ) -> Call[TopPins]:
        """The user's top video pins by ``sort_by`` (video metrics such as VIDEO_START)."""
        return self._top(
            "user_account/analytics/top_video_pins",
            "/user_account/analytics/top_video_pins",
            start_date,
            end_date,
            sort_by.upper(),
            {
                "metric_types": names(metric_types, "metric_types"),
                "num_of_pins": num_of_pins,
                "created_in_last_n_days": created_in_last_n_days,
                "from_claimed_content": from_claimed_content,
                "pin_format": pin_format,
                "app_types": app_types,
                "content_type": content_type,
                "source": source,
                "ad_account_id": ad_account_id,
            },
        )

    @endpoint
    def pin(
        self,
        pin_id: str,
        start_date: dt.date,
        end_date: dt.date,
        *,
        metric_types: Sequence[str] | str = ("IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK"),
        app_types: str | None = None,
        split_field: str | None = None,
        ad_account_id: str | None = None,
    ) -> Call[dict[str, AnalyticsMetrics]]:
        """One pin's daily metrics and summary, keyed by split value (``"all"``)."""
        op = "pins/analytics"
        check_id("pin_id", pin_id)
        params = check_query(
            op,
            {"pin_id": pin_id},
            {
                **_dates(self, op, start_date, end_date),
                "metric_types": names(metric_types, "metric_types"),
                "app_types": app_types,
                "split_field": split_field,
                "ad_account_id": ad_account_id,
            },
        )
        return Call("GET", f"/pins/{pin_id}/analytics", params=params, parse=_analytics_map)

    @endpoint
    def pins(
        self,
        pin_ids: Sequence[str],
        start_date: dt.date,
        end_date: dt.date,
        *,
        metric_types: Sequence[str] | str = ("IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK"),
        app_types: str | None = None,
        ad_account_id: str | None = None,
    ) -> Call[dict[str, dict[str, AnalyticsMetrics]]]:
        """Several pins' metrics (up to 100; beta), keyed by pin ID, then split value."""
        op = "multi_pins/analytics"
        params = check_query(
            op,
            {},
            {
                **_dates(self, op, start_date, end_date),
                "pin_ids": _ids("pin_ids", pin_ids),
                "metric_types": names(metric_types, "metric_types"),
                "app_types": app_types,
                "ad_account_id": ad_account_id,
            },
        )
        return Call("GET", "/pins/analytics", params=params, parse=_per_pin)

    # -- ads ----------------------------------------------------------------------------------
    def _ads_flow(
        self,
        op: str,
        ad_account_id: str,
        params: dict[str, Any],
        columns: list[str],
        granularity: str,
        start_date: dt.date,
        end_date: dt.date,
    ) -> Flow[Report]:
        currency = yield from currency_flow(self, self._currencies, ad_account_id)
        suffix = op.split("/")[0]
        path = f"/ad_accounts/{ad_account_id}" + ("" if suffix == "ad_account" else f"/{suffix}")
        body: Any = yield from self._call(Call("GET", f"{path}/analytics", params=params))
        id_column = SYNC_ID_COLUMNS[op]
        keys = report_keys(columns, granularity=granularity, id_column=id_column, currency=True)
        shape = RowShape(keys, currency=currency, id_column=id_column)
        rows = [shape.from_json(raw) for raw in body or []]
        return Report(
            rows,
            keys,
            level={"ad_account": "ADVERTISER", "ad_groups": "AD_GROUP"}.get(
                suffix, suffix.upper().rstrip("S")
            ),
            granularity=granularity,
            start_date=start_date,
            end_date=end_date,
            ad_account_id=ad_account_id,
            currency=currency,
        )

    def _ads(
        self,
        op: str,
        ad_account_id: str | None,
        start_date: dt.date,
        end_date: dt.date,
        columns: Sequence[str] | str,
        granularity: str,
        ids: Mapping[str, Any],
        windows: Mapping[str, Any],
    ) -> Flow[Report]:
        account = self._account(ad_account_id)
        chosen = names(columns, "columns") or []
        if not chosen:
            raise InvalidInputError("name at least one column")
        granularity = granularity.upper()
        params = check_query(
            op,
            {"ad_account_id": account},
            {
                **_dates(self, op, start_date, end_date, granularity),
                "columns": chosen,
                "granularity": granularity,
                **ids,
                **windows,
            },
        )
        return self._ads_flow(op, account, params, chosen, granularity, start_date, end_date)

    @workflow
    def ad_account(
        self,
        ad_account_id: str | None = None,
        *,
        start_date: dt.date,
        end_date: dt.date,
        columns: Sequence[str] | str,
        granularity: str = "DAY",
        click_window_days: int | None = None,
        engagement_window_days: int | None = None,
        view_window_days: int | None = None,
        conversion_report_time: str | None = None,
        reporting_timezone: str | None = None,
    ) -> Flow[Report]:
        """The ad account's metrics (rows with ``AD_ACCOUNT_ID``). ``ad_account_id`` defaults
        to the client's. Non-HOUR: up to 90 days back, 90 days long; HOUR: 8 days back (each
        boundary day allowed)."""
        return self._ads(
            "ad_account/analytics",
            ad_account_id,
            start_date,
            end_date,
            columns,
            granularity,
            {},
            {
                "click_window_days": click_window_days,
                "engagement_window_days": engagement_window_days,
                "view_window_days": view_window_days,
                "conversion_report_time": conversion_report_time,
                "reporting_timezone": reporting_timezone,
            },
        )

    @workflow
    def campaigns(
        self,
        ad_account_id: str | None = None,
        *,
        campaign_ids: Sequence[str],
        start_date: dt.date,
        end_date: dt.date,
        columns: Sequence[str] | str,
        granularity: str = "DAY",
        click_window_days: int | None = None,
        engagement_window_days: int | None = None,
        view_window_days: int | None = None,
        conversion_report_time: str | None = None,
        reporting_timezone: str | None = None,
    ) -> Flow[Report]:
        """Campaigns' metrics (rows with ``CAMPAIGN_ID``). Non-HOUR: up to 90 days back and
        90 days long; HOUR: 8 days back, 3 days long (each boundary day allowed)."""
        return self._ads(
            "campaigns/analytics",
            ad_account_id,
            start_date,
            end_date,
            columns,
            granularity,
            {"campaign_ids": _ids("campaign_ids", campaign_ids)},
            {
                "click_window_days": click_window_days,
                "engagement_window_days": engagement_window_days,
                "view_window_days": view_window_days,
                "conversion_report_time": conversion_report_time,
                "reporting_timezone": reporting_timezone,
            },
        )

    @workflow
    def ad_groups(
        self,
        ad_account_id: str | None = None,
        *,
        ad_group_ids: Sequence[str],
        start_date: dt.date,
        end_date: dt.date,
        columns: Sequence[str] | str,
        granularity: str = "DAY",
        click_window_days: int | None = None,
        engagement_window_days: int | None = None,
        view_window_days: int | None = None,
        conversion_report_time: str | None = None,
        reporting_timezone: str | None = None,
    ) -> Flow[Report]:
        """Ad groups' metrics (rows with ``AD_GROUP_ID``); the same date limits as
        ``campaigns``."""
        return self._ads(
            "ad_groups/analytics",
            ad_account_id,
            start_date,
            end_date,
            columns,
            granularity,
            {"ad_group_ids": _ids("ad_group_ids", ad_group_ids)},
            {
                "click_window_days": click_window_days,
                "engagement_window_days": engagement_window_days,
                "view_window_days": view_window_days,
                "conversion_report_time": conversion_report_time,
                "reporting_timezone": reporting_timezone,
            },
        )

    @workflow
    def ads(
        self,
        ad_account_id: str | None = None,
        *,
        ad_ids: Sequence[str] | None = None,
        campaign_ids: Sequence[str] | None = None,
        pin_ids: Sequence[str] | None = None,
        start_date: dt.date,
        end_date: dt.date,
        columns: Sequence[str] | str,
        granularity: str = "DAY",
        click_window_days: int | None = None,
        engagement_window_days: int | None = None,
        view_window_days: int | None = None,
        conversion_report_time: str | None = None,
        reporting_timezone: str | None = None,
    ) -> Flow[Report]:
        """Ads' metrics (rows with ``AD_ID``): name ``ad_ids``, or both ``campaign_ids`` and
        ``pin_ids``, as the API requires. The same date limits as ``campaigns``."""
        if not ad_ids and not (campaign_ids and pin_ids):
            raise InvalidInputError("ads analytics need ad_ids, or both campaign_ids and pin_ids")
        return self._ads(
            "ads/analytics",
            ad_account_id,
            start_date,
            end_date,
            columns,
            granularity,
            {
                "ad_ids": _ids("ad_ids", ad_ids),
                "campaign_ids": _ids("campaign_ids", campaign_ids),
                "pin_ids": _ids("pin_ids", pin_ids),
            },
            {
                "click_window_days": click_window_days,
                "engagement_window_days": engagement_window_days,
                "view_window_days": view_window_days,
                "conversion_report_time": conversion_report_time,
                "reporting_timezone": reporting_timezone,
            },
        )
