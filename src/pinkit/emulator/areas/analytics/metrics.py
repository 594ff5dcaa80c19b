"""The emulator's synthetic metrics: deterministic, consistent, believable.

Every number is a pure function of an entity, a day and what the state holds, so a report and
the synchronous analytics of the same range always agree, and a test can compute what to expect:

- **Ads** are the leaves of ads metrics. An ad runs on the days of its schedule (its ad group's
  and campaign's ``start_time``/``end_time``, else from the day it was made) up to today. On each
  day it spends a seeded share (55 to 95%) of its ad group's daily budget (a lifetime budget
  spread over its days) split among the group's ads; impressions follow from a seeded CPM,
  clicks from a seeded click rate (never more than the impressions), and conversions are the
  account's conversion events of that day, each counted for exactly one running ad.
- **Ad groups, campaigns and ad accounts** are the sums of their ads, so every level adds up.
- **Pins** have organic metrics every day from the day they were made; a user's are the sums of
  their pins'.

Rates (``CTR``, ``*_RATE``) and costs (``CPC``, ``CPM``) are computed from the sums, never summed.
Columns the emulator has no model for are 0.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = [
    "AD_METRICS",
    "PIN_METRICS",
    "AdMetrics",
    "column_value",
    "day_of",
    "seeded",
]

DAY_S = 86400
#: Sums kept per ad and day; every column is one of these or computed from them.
AD_METRICS = ("impressions", "clicks", "outbound", "spend", "engagements", "saves", "conversions")
PIN_METRICS = ("IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK", "VIDEO_START", "VIDEO_MRC_VIEW")
DEFAULT_DAILY_BUDGET = 10_000_000  # micros, for groups that state none (CBO without caps)


def seeded(*parts: object) -> float:
    """A number in [0, 1) fixed by ``parts``."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:6], "big") / 2**48


def day_of(epoch: float) -> dt.date:
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()


@dataclass
class Sums:
    values: dict[str, float] = field(default_factory=lambda: dict.fromkeys(AD_METRICS, 0))

    def add(self, other: Mapping[str, float]) -> None:
        for name, value in other.items():
            self.values[name] = self.values.get(name, 0) + value


def _ratio(a: float, b: float) -> float:
    return round(a / b, 6) if b else 0.0


def column_value(column: str, sums: Mapping[str, float]) -> int | float:
    """The value of an analytics column from the sums of metrics (0 for unmodelled columns)."""
    imp, clk = sums.get("impressions", 0), sums.get("clicks", 0)
    spend, eng = sums.get("spend", 0), sums.get("engagements", 0)
    direct: dict[str, float] = {
        "PAID_IMPRESSION": imp,
        "TOTAL_IMPRESSION": imp,
        "IMPRESSION_1": imp,
        "IMPRESSION_1_GROSS": imp,
        "CLICKTHROUGH_1": clk,
        "CLICKTHROUGH_1_GROSS": clk,
        "TOTAL_CLICKTHROUGH": clk,
        "OUTBOUND_CLICK_1": sums.get("outbound", 0),
        "TOTAL_ENGAGEMENT": eng,
        "ENGAGEMENT_1": eng,
        "TOTAL_CONVERSIONS": sums.get("conversions", 0),
        "SPEND_IN_MICRO_DOLLAR": spend,
    }
    if column in direct:
        return int(direct[column])
    derived: dict[str, float] = {
        "SPEND_IN_DOLLAR": float(Decimal(int(spend)) / 1_000_000),
        "CTR": _ratio(clk, imp),
        "ECTR": _ratio(clk, imp),
        "OUTBOUND_CTR_1": _ratio(sums.get("outbound", 0), imp),
        "ENGAGEMENT_RATE": _ratio(eng, imp),
        "EENGAGEMENT_RATE": _ratio(eng, imp),
    }
    if column in derived:
        return derived[column]
    costs = {
        "CPC_IN_MICRO_DOLLAR": _ratio(spend, clk),
        "ECPC_IN_MICRO_DOLLAR": _ratio(spend, clk),
        "CPM_IN_MICRO_DOLLAR": _ratio(spend * 1000, imp),
        "ECPM_IN_MICRO_DOLLAR": _ratio(spend * 1000, imp),
    }
    if column in costs:
        return round(costs[column])
    return 0


@dataclass(frozen=True)
class Entity:
    kind: str
    id: str
    data: Mapping[str, Any]


def _schedule(*entities: Mapping[str, Any]) -> tuple[float | None, float | None]:
    starts = [e["start_time"] for e in entities if e.get("start_time") is not None]
    ends = [e["end_time"] for e in entities if e.get("end_time") is not None]
    return (max(starts) if starts else None), (min(ends) if ends else None)


class AdMetrics:
    """Daily metrics of one ad account's ads (and the sums of its levels)."""

    def __init__(
        self,
        account_id: str,
        campaigns: Iterable[Mapping[str, Any]],
        groups: Iterable[Mapping[str, Any]],
        ads: Iterable[Mapping[str, Any]],
        conversion_days: Mapping[dt.date, list[str]],
        today: dt.date,
        cpm_scale: float = 1.0,
    ) -> None:
        self.account_id = account_id
        self.campaigns = {c["id"]: c for c in campaigns}
        self.groups = {g["id"]: g for g in groups}
        self.ads = {a["id"]: a for a in ads}
        self.today = today
        self.cpm_scale = cpm_scale
        self._conversions = conversion_days
        self._ads_of_group: dict[str, list[str]] = defaultdict(list)
        for ad in self.ads.values():
            self._ads_of_group[str(ad["ad_group_id"])].append(ad["id"])
        self._days: dict[str, tuple[dt.date, dt.date]] = {}
        for ad_id, ad in self.ads.items():
            group = self.groups.get(str(ad["ad_group_id"]), {})
            campaign = self.campaigns.get(str(ad.get("campaign_id")), {})
            start, end = _schedule(group, campaign)
            first = day_of(start) if start is not None else day_of(ad["created_time"])
            last = min(self.today, day_of(end - 1)) if end is not None else self.today
            self._days[ad_id] = (first, last)
        self._running: dict[dt.date, list[str]] = {}
        self._conversion_counts: dict[dt.date, list[int]] = {}

    def runs_on(self, ad_id: str, day: dt.date) -> bool:
        first, last = self._days[ad_id]
        return first <= day <= last

    def running(self, day: dt.date) -> list[str]:
        if day not in self._running:
            self._running[day] = sorted(a for a in self.ads if self.runs_on(a, day))
        return self._running[day]

    def conversions_of(self, day: dt.date) -> list[int]:
        """How many of the day's conversion events each running ad counts (each event counted
        once, for the ad its event id falls to)."""
        counts = self._conversion_counts.get(day)
        if counts is None:
            running = self.running(day)
            counts = [0] * max(1, len(running))
            for event_id in self._conversions.get(day, ()):
                digest = int(hashlib.sha256(event_id.encode()).hexdigest()[:8], 16)
                counts[digest % len(counts)] += 1
            self._conversion_counts[day] = counts
        return counts

    def _group_budget(self, group: Mapping[str, Any], campaign: Mapping[str, Any]) -> float:
        budget = group.get("budget_in_micro_currency")
        if budget is None:
            cap = campaign.get("daily_spend_cap") or campaign.get("lifetime_spend_cap")
            budget = cap if cap is not None else DEFAULT_DAILY_BUDGET
        if group.get("budget_type") == "LIFETIME" or (
            group.get("budget_in_micro_currency") is None and campaign.get("lifetime_spend_cap")
        ):
            start, end = _schedule(group, campaign)
            if start is not None and end is not None:
                return float(budget) / max(1.0, (end - start) / DAY_S)
        return float(budget)

    def ad_day(self, ad_id: str, day: dt.date) -> dict[str, float]:
        """One ad's metrics on one day (zeros when it does not run)."""
        if not self.runs_on(ad_id, day):
            return dict.fromkeys(AD_METRICS, 0)
        ad = self.ads[ad_id]
        group = self.groups.get(str(ad["ad_group_id"]), {})
        campaign = self.campaigns.get(str(ad.get("campaign_id")), {})
        siblings = self._ads_of_group[str(ad["ad_group_id"])]
        budget = self._group_budget(group, campaign) / max(1, len(siblings))
        spend = int(budget * (0.55 + 0.40 * seeded("spend", ad_id, day)))
        cpm = (2.0 + 4.0 * seeded("cpm", ad_id, day)) * 1_000_000 * self.cpm_scale
        impressions = int(spend * 1000 / cpm)
        clicks = int(impressions * (0.003 + 0.017 * seeded("ctr", ad_id, day)))
        outbound = int(clicks * (0.4 + 0.4 * seeded("outbound", ad_id, day)))
        saves = int(impressions * 0.004 * seeded("saves", ad_id, day))
        conversions = self.conversions_of(day)[self.running(day).index(ad_id)]
        return {
            "impressions": impressions,
            "clicks": clicks,
            "outbound": outbound,
            "spend": spend,
            "engagements": clicks + saves,
            "saves": saves,
            "conversions": conversions,
        }

    def ads_under(self, level: str, entity_id: str) -> list[str]:
        """The ads an entity of ``level`` sums."""
        if level == "AD":
            return [entity_id] if entity_id in self.ads else []
        if level == "AD_GROUP":
            return list(self._ads_of_group.get(entity_id, []))
        if level == "CAMPAIGN":
            return [a for a, ad in self.ads.items() if str(ad.get("campaign_id")) == entity_id]
        return list(self.ads)  # the ad account

    def sums(self, level: str, entity_id: str, days: Iterable[dt.date]) -> dict[str, float]:
        total = Sums()
        ads = self.ads_under(level, entity_id)
        for day in days:
            for ad_id in ads:
                total.add(self.ad_day(ad_id, day))
        return total.values


def pin_day(pin_id: str, created: dt.date, day: dt.date, video: bool) -> dict[str, float]:
    """A pin's organic metrics on one day (zeros before it was made)."""
    if day < created:
        return dict.fromkeys(PIN_METRICS, 0)
    impressions = int(40 + 460 * seeded("organic", pin_id, day))
    pin_clicks = int(impressions * 0.08 * seeded("pin_click", pin_id, day))
    metrics: dict[str, float] = {
        "IMPRESSION": impressions,
        "SAVE": int(impressions * 0.05 * seeded("save", pin_id, day)),
        "PIN_CLICK": pin_clicks,
        "OUTBOUND_CLICK": int(pin_clicks * 0.5 * seeded("outbound", pin_id, day)),
        "VIDEO_START": int(impressions * 0.3 * seeded("video", pin_id, day)) if video else 0,
        "VIDEO_MRC_VIEW": int(impressions * 0.2 * seeded("mrc", pin_id, day)) if video else 0,
    }
    return metrics


def organic_value(metric: str, sums: Mapping[str, float]) -> float:
    """An organic ``metric_types`` value from summed pin metrics."""
    imp = sums.get("IMPRESSION", 0)
    engagement = sums.get("SAVE", 0) + sums.get("PIN_CLICK", 0) + sums.get("OUTBOUND_CLICK", 0)
    values = {
        "ENGAGEMENT": engagement,
        "ENGAGEMENT_RATE": _ratio(engagement, imp),
        "OUTBOUND_CLICK_RATE": _ratio(sums.get("OUTBOUND_CLICK", 0), imp),
        "PIN_CLICK_RATE": _ratio(sums.get("PIN_CLICK", 0), imp),
        "SAVE_RATE": _ratio(sums.get("SAVE", 0), imp),
    }
    return values.get(metric, sums.get(metric, 0))
