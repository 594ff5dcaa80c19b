"""Analytics and async reports: one engine for every operation, from a table.

``SYNC`` maps each synchronous ads-analytics operation to the level it reports and the query
parameter that names its entities; ``ORGANIC`` the organic ones. Dates are checked against the
limits the spec states for each operation (``pinkit._constraints.date_limit``): the start no
more than N days before today (UTC; day N itself allowed) and the end no more than M days after
the start (day M itself allowed). Report jobs run on the emulator clock (``IN_PROGRESS`` for
``REPORT_SECONDS``, or what ``configure_reports`` set, then ``FINISHED``, or what
``fail_next_reports`` asked), and their files are
made when downloaded, from the same metrics.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import secrets
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pinkit._constraints import date_limit

from ..._errors import ApiError
from ..._jobs import Timeline
from ..._registry import Rules
from ..._store import Doc
from ..ad_accounts.rules import AD_ACCOUNT
from ..ad_groups.rules import AD_GROUP, RATES
from ..ads.rules import AD
from ..campaigns.rules import CAMPAIGN
from ..conversions.rules import ConversionRules
from ..pins.rules import PIN
from .metrics import AdMetrics, column_value, day_of, organic_value, pin_day

__all__ = ["ORGANIC", "REPORT_SECONDS", "SYNC", "AnalyticsRules", "Window"]

REPORT, REPORT_FAILURES, REPORT_CONFIG = "report", "report_failures", "report_config"
REPORT_SECONDS = 30.0
LINK_SECONDS = 300.0  # "The link is valid for five minutes ..."
REPORT_LIFETIME_S = 3600.0  # "... and the report is valid for one hour."
_SIGNING_KEY = b"pinkit-emulator-reports"
CODE_INVALID = 1


@dataclass(frozen=True)
class Sync:
    level: str
    ids_param: str | None
    id_column: str


SYNC: Mapping[str, Sync] = {
    "ad_account/analytics": Sync("ADVERTISER", None, "AD_ACCOUNT_ID"),
    "campaigns/analytics": Sync("CAMPAIGN", "campaign_ids", "CAMPAIGN_ID"),
    "ad_groups/analytics": Sync("AD_GROUP", "ad_group_ids", "AD_GROUP_ID"),
    "ads/analytics": Sync("AD", "ad_ids", "AD_ID"),
}
#: Report levels: which entities they report, and their ID column.
REPORT_LEVELS: Mapping[str, tuple[str, str]] = {
    "ADVERTISER": ("ADVERTISER", "ADVERTISER_ID"),
    "CAMPAIGN": ("CAMPAIGN", "CAMPAIGN_ID"),
    "AD_GROUP": ("AD_GROUP", "AD_GROUP_ID"),
    "PIN_PROMOTION": ("AD", "PIN_PROMOTION_ID"),
}
KINDS = {"CAMPAIGN": CAMPAIGN, "AD_GROUP": AD_GROUP, "AD": AD}
ORGANIC = frozenset(
    {
        "user_account/analytics",
        "user_account/analytics/top_pins",
        "user_account/analytics/top_video_pins",
        "pins/analytics",
        "multi_pins/analytics",
    }
)
ID_COLUMNS = frozenset(
    {"CAMPAIGN_ID", "AD_GROUP_ID", "AD_ID", "PIN_PROMOTION_ID", "ADVERTISER_ID", "AD_ACCOUNT_ID"}
)


def _invalid(message: str) -> ApiError:
    return ApiError(400, f"Invalid parameters: {message}", code=CODE_INVALID)


@dataclass(frozen=True)
class Window:
    """The days a request covers, grouped by its granularity."""

    start: dt.date
    end: dt.date
    granularity: str

    @classmethod
    def checked(
        cls,
        operation_id: str,
        start: str,
        end: str,
        granularity: str,
        today: dt.date,
        **fields: str,
    ) -> Window:
        """The window, or Pinterest's 400 for dates out of range, a range too long, or HOUR
        asked for further back than it goes."""
        try:
            first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        except ValueError:
            raise _invalid("start_date and end_date must be dates (YYYY-MM-DD).") from None
        if last < first:
            raise _invalid("end_date must not be before start_date.")
        limit = date_limit(operation_id, {"granularity": granularity, **fields})
        hourly = " with HOUR granularity" if granularity == "HOUR" else ""
        if limit.back_days is not None and (today - first).days > limit.back_days:
            raise _invalid(
                f"You can only get data from the last {limit.back_days} days{hourly}: "
                f"start_date {first} is more than {limit.back_days} days before today ({today})."
            )
        if limit.range_days is not None and (last - first).days > limit.range_days:
            raise _invalid(
                f"The date range cannot be longer than {limit.range_days} days{hourly}: "
                f"{first} to {last} is {(last - first).days} days. Use an async report for "
                "longer ranges."
            )
        return cls(first, last, granularity)

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def periods(self) -> Iterator[tuple[str | None, list[dt.date]]]:
        """``(DATE label, days)`` for each row of the window (one, unlabelled, for TOTAL)."""
        days = self.days()
        if self.granularity == "TOTAL":
            yield None, days
            return
        buckets: dict[dt.date, list[dt.date]] = defaultdict(list)
        for day in days:
            if self.granularity == "WEEK":
                key = day - dt.timedelta(days=day.weekday())
            elif self.granularity == "MONTH":
                key = day.replace(day=1)
            else:
                key = day
            buckets[key].append(day)
        for key in sorted(buckets):
            yield key.isoformat(), buckets[key]


def _hour_split(
    sums: Mapping[str, float], hour: int, day: dt.date, entity: str
) -> dict[str, float]:
    """The share of a day's integer metrics that falls in ``hour`` (the 24 shares add up)."""
    out: dict[str, float] = {}
    for name, value in sums.items():
        base, extra = divmod(int(value), 24)
        offset = int(hashlib.sha256(f"{entity}{day}{name}".encode()).hexdigest()[:4], 16) % 24
        out[name] = base + (1 if (hour - offset) % 24 < extra else 0)
    return out


class AnalyticsRules(Rules):
    @property
    def today(self) -> dt.date:
        return day_of(self.now)

    # -- ads metrics --------------------------------------------------------------------------
    def engine(self, account: Doc) -> AdMetrics:
        where = {AD_ACCOUNT: account.id}
        conversions: dict[dt.date, list[str]] = defaultdict(list)
        for _, event in self.area(ConversionRules).received(account.id):
            conversions[day_of(float(event["event_time"]))].append(str(event["event_id"]))
        currency = str(account.data.get("currency") or "USD")
        return AdMetrics(
            account.id,
            [d.data for d in self.tx.list(CAMPAIGN, where=where)],
            [d.data for d in self.tx.list(AD_GROUP, where=where)],
            [d.data for d in self.tx.list(AD, where=where)],
            conversions,
            self.today,
            cpm_scale=float(RATES.get(currency, 1)),
        )

    def ads_of(
        self, engine: AdMetrics, campaign_ids: Sequence[str], pin_ids: Sequence[str]
    ) -> list[str]:
        """The ads of ``campaign_ids`` that promote one of ``pin_ids`` (``ads/analytics``
        without ``ad_ids``)."""
        campaigns, pins = set(campaign_ids), set(pin_ids)
        return sorted(
            ad_id
            for ad_id, ad in engine.ads.items()
            if str(ad.get("campaign_id")) in campaigns and str(ad.get("pin_id")) in pins
        )

    def entity_ids(self, engine: AdMetrics, level: str, wanted: Sequence[str]) -> list[str]:
        known = {"CAMPAIGN": engine.campaigns, "AD_GROUP": engine.groups, "AD": engine.ads}
        if level == "ADVERTISER":
            return [engine.account_id]
        entities = known[level]
        if not wanted:
            return sorted(entities)
        missing = [i for i in wanted if i not in entities]
        if missing:
            raise _invalid(f"{', '.join(missing)} not found in this ad account.")
        return list(wanted)

    def ads_rows(
        self,
        engine: AdMetrics,
        level: str,
        ids: Sequence[str],
        window: Window,
        columns: Sequence[str],
        id_column: str,
        *,
        zero_fill: bool = True,
    ) -> dict[str, list[dict[str, Any]]]:
        """Rows per entity: ``DATE`` (not for TOTAL), the ID column and ``columns``. A row whose
        metric columns are all 0 is left out, as Pinterest leaves it out."""
        rows: dict[str, list[dict[str, Any]]] = {}
        metrics = [c for c in columns if c not in ID_COLUMNS]
        for entity_id in ids:
            found = []
            for label, days in window.periods():
                if window.granularity == "HOUR":
                    day = days[0]
                    day_sums = engine.sums(level, entity_id, [day])
                    for hour in range(24):
                        hourly = _hour_split(day_sums, hour, day, entity_id)
                        row = self._row(label, entity_id, id_column, metrics, hourly, zero_fill)
                        if row is not None:
                            row["HOUR"] = hour
                            found.append(row)
                    continue
                sums = engine.sums(level, entity_id, days)
                row = self._row(label, entity_id, id_column, metrics, sums, zero_fill)
                if row is not None:
                    found.append(row)
            rows[entity_id] = found
        return rows

    @staticmethod
    def _row(
        label: str | None,
        entity_id: str,
        id_column: str,
        metrics: Sequence[str],
        sums: Mapping[str, float],
        zero_fill: bool,
    ) -> dict[str, Any] | None:
        values = {c: column_value(c, sums) for c in metrics}
        if metrics and not any(values.values()):
            return None
        row: dict[str, Any] = {} if label is None else {"DATE": label}
        row[id_column] = entity_id
        row.update(values if zero_fill else {c: v for c, v in values.items() if v})
        return row

    # -- organic metrics ----------------------------------------------------------------------
    def pin_docs(self, user_id: str, pin_ids: Sequence[str] | None = None) -> list[Doc]:
        if pin_ids is None:
            return self.tx.list(PIN, owner=user_id)
        docs = [self.tx.get_doc(PIN, p) for p in pin_ids]
        return [d for d in docs if d is not None]

    @staticmethod
    def _pin_created(doc: Doc) -> dt.date:
        return dt.datetime.fromisoformat(str(doc.data["created_at"])).date()

    def organic(
        self, pins: Sequence[Doc], window: Window, metric_types: Sequence[str]
    ) -> dict[str, Any]:
        """``AnalyticsMetricsResponse``: daily metrics and the summary, summed over ``pins``."""
        daily = []
        total: dict[str, float] = defaultdict(int)
        for day in window.days():
            sums: dict[str, float] = defaultdict(int)
            for pin in pins:
                video = pin.data.get("creative_type") == "VIDEO"
                for name, value in pin_day(pin.id, self._pin_created(pin), day, video).items():
                    sums[name] += value
            for name, value in sums.items():
                total[name] += value
            metrics = {m: organic_value(m, sums) for m in metric_types}
            daily.append({"date": day.isoformat(), "data_status": "READY", "metrics": metrics})
        return {
            "daily_metrics": daily,
            "summary_metrics": {m: organic_value(m, total) for m in metric_types},
        }

    def top_pins(
        self,
        pins: Sequence[Doc],
        window: Window,
        sort_by: str,
        metric_types: Sequence[str],
        count: int,
    ) -> list[dict[str, Any]]:
        ranked = []
        for pin in pins:
            summary = self.organic([pin], window, sorted({sort_by, *metric_types}))[
                "summary_metrics"
            ]
            ranked.append((summary.get(sort_by, 0), pin.id, summary))
        ranked.sort(key=lambda item: (-item[0], item[1]))
        return [
            {
                "pin_id": pin_id,
                "metrics": {m: summary[m] for m in metric_types} if metric_types else summary,
                "data_status": dict.fromkeys(metric_types or summary, "READY"),
            }
            for _, pin_id, summary in ranked[:count]
        ]

    # -- async reports ------------------------------------------------------------------------
    def create_report(self, account: Doc, request: dict[str, Any]) -> dict[str, Any]:
        level = str(request["level"])
        if level == "PRODUCT_ITEM" and (request.get("ad_ids") or request.get("ad_statuses")):
            raise _invalid("If level is PRODUCT_ITEM, ad_ids and ad_statuses are not allowed.")
        if level.endswith("_TARGETING") and request.get("targeting_types") is None:
            raise _invalid("targeting levels need targeting_types.")
        if request.get("targeting_types") and not level.endswith("_TARGETING"):
            raise _invalid("targeting_types requires level to be a value ending in _TARGETING.")
        Window.checked(
            "analytics/create_report",
            str(request["start_date"]),
            str(request["end_date"]),
            str(request["granularity"]),
            self.today,
            level=level,
        )
        token = secrets.token_urlsafe(18)
        outcome = self._next_outcome()
        seconds = self.report_seconds()
        timeline = Timeline.start("IN_PROGRESS", self.now).then(outcome, after=seconds)
        if outcome == "FINISHED":
            timeline = timeline.then("EXPIRED", after=REPORT_LIFETIME_S)
        data = {"token": token, "request": request, "timeline": timeline.to_json()}
        self.tx.insert(REPORT, data, owner=account.owner, id=token, refs={AD_ACCOUNT: account.id})
        return {"report_status": "IN_PROGRESS", "token": token, "message": None}

    def _next_outcome(self) -> str:
        raw = self.tx.meta_get(REPORT_FAILURES)
        queue = json.loads(raw) if raw else []
        if not queue:
            return "FINISHED"
        outcome = str(queue.pop(0))
        self.tx.meta_set(REPORT_FAILURES, json.dumps(queue))
        return outcome

    def report_seconds(self) -> float:
        """How long new reports stay IN_PROGRESS, in emulator seconds."""
        raw = self.tx.meta_get(REPORT_CONFIG)
        return REPORT_SECONDS if raw is None else float(json.loads(raw)["processing_seconds"])

    def configure(self, processing_seconds: float) -> dict[str, Any]:
        self.tx.meta_set(REPORT_CONFIG, json.dumps({"processing_seconds": processing_seconds}))
        return {"processing_seconds": processing_seconds}

    def fail_next(self, count: int, status: str) -> None:
        raw = self.tx.meta_get(REPORT_FAILURES)
        queue = (json.loads(raw) if raw else []) + [status] * count
        self.tx.meta_set(REPORT_FAILURES, json.dumps(queue))

    def report(self, account: Doc, token: str) -> Doc | None:
        doc = self.tx.get_doc(REPORT, token)
        return doc if doc is not None and doc.ref(AD_ACCOUNT) == account.id else None

    def report_status(self, doc: Doc | None) -> str:
        if doc is None:
            return "DOES_NOT_EXIST"
        return Timeline.from_json(doc.data["timeline"]).status(self.now)

    def download_link(self, doc: Doc) -> str:
        expires = int(self.now + LINK_SECONDS)
        ext = "csv" if doc.data["request"].get("report_format") == "CSV" else "json"
        signature = _sign(doc.id, expires)
        path = f"/_emulator/reports/{doc.id}.{ext}"
        return f"{self.state.origin}{path}?expires={expires}&signature={signature}"

    def report_file(self, doc: Doc) -> tuple[bytes, str]:
        """The report's file: JSON ``{entity_id: [rows]}`` (not zero-filled) or CSV (zero
        filled), as Pinterest's report files are laid out."""
        request = doc.data["request"]
        account = self.tx.get_doc("ad_account", str(doc.ref(AD_ACCOUNT)))
        assert account is not None
        level_name = str(request["level"]).removesuffix("_TARGETING")
        level, id_column = REPORT_LEVELS.get(level_name, ("", ""))
        columns = [str(c) for c in request["columns"]]
        is_csv = request.get("report_format") == "CSV"
        rows: dict[str, list[dict[str, Any]]] = {}
        if level:
            engine = self.engine(account)
            filters = {
                "CAMPAIGN": request.get("campaign_ids"),
                "AD_GROUP": request.get("ad_group_ids"),
                "AD": request.get("ad_ids"),
            }
            ids = self.entity_ids(engine, level, [str(i) for i in filters.get(level) or []])
            window = Window(
                dt.date.fromisoformat(str(request["start_date"])),
                dt.date.fromisoformat(str(request["end_date"])),
                str(request["granularity"]),
            )
            rows = self.ads_rows(engine, level, ids, window, columns, id_column, zero_fill=is_csv)
        if not is_csv:
            body = json.dumps({k: v for k, v in rows.items() if v}).encode()
            return body, "application/json"
        out = io.StringIO()
        header = (["DATE"] if request["granularity"] != "TOTAL" else []) + [id_column or "ID"]
        header += (["HOUR"] if request["granularity"] == "HOUR" else []) + [
            c for c in columns if c not in ID_COLUMNS
        ]
        writer = csv.DictWriter(out, header, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for entity_rows in rows.values():
            writer.writerows(entity_rows)
        return out.getvalue().encode(), "text/csv"


def _sign(token: str, expires: int) -> str:
    return hmac.new(_SIGNING_KEY, f"{token}:{expires}".encode(), hashlib.sha256).hexdigest()


def check_link(token: str, expires: str, signature: str, now: float) -> str | None:
    """Why a download link is refused (S3's wording), or None."""
    try:
        when = int(expires)
    except ValueError:
        return "Query-string authentication requires the expires parameter"
    if not hmac.compare_digest(_sign(token, when), signature):
        return "The request signature we calculated does not match the signature you provided."
    if now > when:
        return "Request has expired"
    return None
