"""``pinkit analytics``: synchronous analytics of the user, pins and ads (90 days at most)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from ._common import GROUP_SETTINGS, ID
from ._dates import DATE, NAMES
from ._options import global_options
from ._session import Session, session

__all__ = ["analytics"]

LEVELS = ("account", "campaign", "ad_group", "ad")


@click.group(context_settings=GROUP_SETTINGS)
@global_options()
def analytics() -> None:
    """Analytics of your account, pins and ads: up to 90 days back (8 for HOUR).

    \b
    Examples:
      pinkit analytics user --from 2026-11-01 --to 2026-11-30 --chart
      pinkit analytics pins 1234567890 --metrics IMPRESSION,SAVE --format csv
      pinkit analytics ads --level campaign --ids 626736533506 \\
          --columns SPEND_IN_MICRO_DOLLAR,CTR --from 2026-11-01 --to 2026-11-30

    Days are YYYY-MM-DD, or today, yesterday, today-N (N days before today), in UTC. For
    longer ranges or further back, run a report: pinkit reports run --help
    """


def _range(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    today = dt.datetime.now(dt.timezone.utc).date()
    end = end or today
    return start or end - dt.timedelta(days=29), end


def _show(run: Session, report: Any, chart: bool, metrics: list[str] | None) -> None:
    from ..reports.exports import json_ready

    run.output.stream(json_ready(row) for row in report)
    if chart and len(report):
        text = report.terminal_chart(metrics)
        if run.output.format == "table":
            run.output.console.print(text, markup=False, highlight=False)
        else:
            run.output.err_console.print(text, markup=False, highlight=False)


def _organic_report(rows: list[dict[str, Any]], start: dt.date, end: dt.date) -> Any:
    from ..reports.report import Report

    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    return Report(rows, keys, level="PIN", granularity="DAY", start_date=start, end_date=end)


_FROM = click.option(
    "--from", "start", type=DATE, help="First day (default: 29 days before --to); or today-N."
)
_TO = click.option("--to", "end", type=DATE, help="Last day (default: today, UTC); or yesterday.")
_CHART = click.option("--chart", is_flag=True, help="Also draw the metrics in the terminal.")


@analytics.command()
@_FROM
@_TO
@click.option("--metrics", type=NAMES, help="Metric types, e.g. IMPRESSION,SAVE,PIN_CLICK.")
@_CHART
@global_options()
@click.pass_context
def user(
    ctx: click.Context,
    start: dt.date | None,
    end: dt.date | None,
    metrics: list[str] | None,
    chart: bool,
) -> None:
    """Your account's daily organic metrics."""
    run = session(ctx)
    first, last = _range(start, end)
    answer = run.client().analytics.user_account(first, last, metric_types=metrics)
    rows = [{"SPLIT": split, **row} for split, data in answer.items() for row in data.rows()]
    _show(run, _organic_report(rows, first, last), chart, metrics)


@analytics.command()
@click.argument("pin_ids", nargs=-1, required=True)
@_FROM
@_TO
@click.option(
    "--metrics",
    type=NAMES,
    default="IMPRESSION,SAVE,PIN_CLICK,OUTBOUND_CLICK",
    show_default=True,
    help="Metric types.",
)
@_CHART
@global_options()
@click.pass_context
def pins(
    ctx: click.Context,
    pin_ids: tuple[str, ...],
    start: dt.date | None,
    end: dt.date | None,
    metrics: list[str],
    chart: bool,
) -> None:
    """Daily metrics of one or more pins (PIN_IDS)."""
    run = session(ctx)
    first, last = _range(start, end)
    client = run.client()
    rows: list[dict[str, Any]] = []
    if len(pin_ids) == 1:
        answers = {pin_ids[0]: client.analytics.pin(pin_ids[0], first, last, metric_types=metrics)}
    else:
        answers = client.analytics.pins(list(pin_ids), first, last, metric_types=metrics)
    for pin_id, splits in answers.items():
        for data in splits.values():
            rows += [{"PIN_ID": pin_id, **row} for row in data.rows()]
    rows.sort(key=lambda r: (r["DATE"] or dt.date.min, r["PIN_ID"]))
    _show(run, _organic_report(rows, first, last), chart, metrics)


@analytics.command()
@click.option(
    "--level",
    type=click.Choice(LEVELS, case_sensitive=False),
    default="campaign",
    show_default=True,
    help="Whose metrics: the whole ad account, or campaigns, ad groups or ads.",
)
@click.option("--ids", type=NAMES, help="The campaign, ad group or ad IDs (comma-separated).")
@click.option("--columns", type=NAMES, required=True, help="e.g. SPEND_IN_MICRO_DOLLAR,CTR")
@_FROM
@_TO
@click.option(
    "--granularity",
    type=click.Choice(("TOTAL", "DAY", "HOUR", "WEEK", "MONTH"), case_sensitive=False),
    default="DAY",
    show_default=True,
)
@click.option(
    "--ad-account",
    metavar="ID",
    type=ID,
    help="Ad account (default: $PINTEREST_AD_ACCOUNT_ID or the profile's).",
)
@_CHART
@global_options()
@click.pass_context
def ads(
    ctx: click.Context,
    level: str,
    ids: list[str] | None,
    columns: list[str],
    start: dt.date | None,
    end: dt.date | None,
    granularity: str,
    ad_account: str | None,
    chart: bool,
) -> None:
    """Ads metrics of the ad account, or of campaigns, ad groups or ads (--ids)."""
    from ._common import BadInput

    run = session(ctx)
    first, last = _range(start, end)
    level = level.lower()
    if level != "account" and not ids:
        raise BadInput(f"--ids is required with --level {level}")
    client = run.client()
    if not (ad_account or client.ad_account_id):
        raise BadInput(
            "no ad account: pass --ad-account ID, set PINTEREST_AD_ACCOUNT_ID, or set the "
            "profile's ad_account_id"
        )
    api = client.analytics
    common: dict[str, Any] = {
        "start_date": first,
        "end_date": last,
        "columns": columns,
        "granularity": granularity.upper(),
    }
    if level == "account":
        report = api.ad_account(ad_account, **common)
    elif level == "campaign":
        report = api.campaigns(ad_account, campaign_ids=ids or [], **common)
    elif level == "ad_group":
        report = api.ad_groups(ad_account, ad_group_ids=ids or [], **common)
    else:
        report = api.ads(ad_account, ad_ids=ids, **common)
    _show(run, report, chart, None)
