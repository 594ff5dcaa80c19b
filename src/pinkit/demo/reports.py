"""Chapter 6: some months on (the emulator clock moved forward), an async report of the
promoted pin's campaign: created, polled, downloaded, then written as CSV, drawn as a PNG
chart and as a chart in the terminal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import groupby
from typing import TYPE_CHECKING

from rich.markup import escape

from ..errors import InvalidInputError
from ._tour import DAY, Tour

if TYPE_CHECKING:
    from .._client import Client
    from ..resources.ads import PromotedPin

__all__ = ["DAYS", "run_report"]

DAYS = 30  # within the 60 days a refresh token lasts
COLUMNS = ("SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION", "TOTAL_CLICKTHROUGH")
CHARTED = ("SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION")


def run_report(tour: Tour, client: Client, promoted: PromotedPin) -> None:
    """The campaign's first day and the ``DAYS`` after it, as files and charts."""
    assert promoted.campaign.id
    tour.chapter("report", f"{DAYS} days later: an async report, as CSV, PNG and terminal chart")
    clock = tour.emulator.clock
    first = _today(clock.now())
    clock.advance(DAYS * DAY)
    refreshes = len(tour.refreshes)
    statuses: list[str] = []
    report = client.reports.run(
        level="CAMPAIGN",
        columns=list(COLUMNS),
        start_date=first,
        end_date=_today(clock.now()),
        campaign_ids=[promoted.campaign.id],
        on_progress=lambda progress: statuses.append(progress.status),
    )
    if len(tour.refreshes) > refreshes:
        tour.say("the access token had expired again: the client refreshed it on its own")
    tour.say("report: " + " → ".join(status for status, _ in groupby(statuses)))
    currency = report.currency or "USD"
    spent: list[Decimal] = [row["SPEND_IN_ACCOUNT_CURRENCY"] for row in report]
    tour.say(
        f"{len(report)} daily rows: {currency} {sum(spent):,.2f} spent, at most "
        f"{max(spent):,.2f} a day (the budget: {promoted.budget})"
    )

    csv, png = tour.out / "report.csv", tour.out / "report.png"
    report.to_csv(csv)
    tour.wrote(csv, "the report's rows")
    written = [csv]
    try:
        report.chart(png, list(CHARTED))
    except InvalidInputError as exc:  # matplotlib is missing: pinkit[charts]
        tour.say(f"[yellow]{escape(str(exc))}[/]")
    else:
        tour.wrote(png, "the report's chart")
        written.append(png)
    tour.say("wrote " + " and ".join(escape(str(path)) for path in written))
    tour.show(report.terminal_chart([CHARTED[0]], width=60).rstrip())


def _today(now: float) -> dt.date:
    return dt.datetime.fromtimestamp(now, dt.timezone.utc).date()
