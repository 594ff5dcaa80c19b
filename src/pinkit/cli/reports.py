"""``pinkit reports``: async reports of any range Pinterest keeps, split into windows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from ._common import GROUP_SETTINGS, ID, BadInput
from ._dates import DATE, NAMES
from ._options import global_options
from ._session import session

__all__ = ["reports"]

OUT_FORMATS = (".csv", ".jsonl", ".parquet")
_EXTRAS = {".parquet": ("pyarrow", "parquet")}


@click.group(context_settings=GROUP_SETTINGS)
@global_options()
def reports() -> None:
    """Async analytics reports: up to 914 days back, any length, exported to a file.

    \b
    Examples:
      pinkit reports run --level CAMPAIGN --columns SPEND_IN_MICRO_DOLLAR,TOTAL_IMPRESSION,CTR \\
          --from 2025-01-01 --to 2026-06-30 --out spend.csv --chart spend.png
      pinkit reports run --level AD_GROUP --columns CTR --from today-365 --to yesterday \\
          --granularity WEEK --out weekly.parquet --ad-account 549755885175

    Days are YYYY-MM-DD, or today, yesterday, today-N (N days before today), in UTC.
    """


def _need(module: str, extra: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise BadInput(f"this needs the '{extra}' extra: pip install 'pinkit[{extra}]'")


def _check_paths(out: Path | None, chart: Path | None) -> None:
    if out is not None:
        suffix = out.suffix.lower()
        if suffix not in OUT_FORMATS:
            raise BadInput(
                f"--out {out}: the file name must end in {', '.join(OUT_FORMATS)} "
                "(the extension picks the format)"
            )
        if suffix in _EXTRAS:
            _need(*_EXTRAS[suffix])
    if chart is not None:
        if chart.suffix.lower() != ".png":
            raise BadInput(f"--chart {chart}: the chart is a PNG; the file name must end in .png")
        _need("matplotlib", "charts")


class _Spinner:
    """One transient status line on stderr: which window of how many, and its state."""

    def __init__(self, console: Any, shown: bool) -> None:
        self._status = console.status("creating the report…") if shown else None

    def __enter__(self) -> _Spinner:
        if self._status is not None:
            self._status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(*exc)

    def __call__(self, progress: Any) -> None:
        if self._status is None:
            return
        from rich.markup import escape

        window = progress.window
        words = {
            "CREATING": "creating the report",
            "IN_PROGRESS": f"Pinterest is making it ({progress.waited:.0f}s)",
            "DOWNLOADING": "downloading",
            "PARSING": "reading the rows",
            "DONE": "done",
        }
        state = words.get(progress.status, f"{progress.status}: creating it again")
        attempt = f", attempt {progress.attempt}" if progress.attempt > 1 else ""
        self._status.update(
            escape(f"window {window.index}/{window.count} ({window}): {state}{attempt}")
        )


@reports.command("run")
@click.option("--level", required=True, help="CAMPAIGN, AD_GROUP, PIN_PROMOTION, ADVERTISER...")
@click.option("--columns", type=NAMES, required=True, help="e.g. SPEND_IN_MICRO_DOLLAR,CTR")
@click.option("--from", "start", type=DATE, required=True, help="First day (or today-N).")
@click.option("--to", "end", type=DATE, required=True, help="Last day (or today, yesterday).")
@click.option(
    "--granularity",
    type=click.Choice(("TOTAL", "DAY", "HOUR", "WEEK", "MONTH"), case_sensitive=False),
    default="DAY",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the rows here: .csv, .jsonl or .parquet (default: print them).",
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw a PNG line chart of the metrics here.",
)
@click.option("--metrics", type=NAMES, help="The columns to chart (default: up to four).")
@click.option(
    "--ad-account",
    metavar="ID",
    type=ID,
    help="Ad account (default: $PINTEREST_AD_ACCOUNT_ID or the profile's).",
)
@click.option("--campaign-ids", type=NAMES, help="Only these campaigns (comma-separated).")
@click.option(
    "--max-attempts", type=click.IntRange(1, 10), default=3, show_default=True,
    help="Reports made per window before giving up on one that fails.",
)  # fmt: skip
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=1800, show_default=True,
    help="Seconds the whole run may take.",
)  # fmt: skip
@global_options()
@click.pass_context
def run_report(
    ctx: click.Context,
    level: str,
    columns: list[str],
    start: dt.date,
    end: dt.date,
    granularity: str,
    out: Path | None,
    chart: Path | None,
    metrics: list[str] | None,
    ad_account: str | None,
    campaign_ids: list[str] | None,
    max_attempts: int,
    timeout: float,
) -> None:
    """Run a report of any length: split into windows one report allows, each made, waited
    for, downloaded and merged; then written to --out (and drawn to --chart)."""
    from ..reports.exports import json_ready

    _check_paths(out, chart)
    run = session(ctx)
    client = run.client()
    if not (ad_account or client.ad_account_id):
        raise BadInput(
            "no ad account: pass --ad-account ID, set PINTEREST_AD_ACCOUNT_ID, or set the "
            "profile's ad_account_id"
        )
    api = client.reports
    windows = api.plan(start, end, granularity=granularity, level=level)  # refuses bad ranges
    with _Spinner(run.output.err_console, run.output.shows_progress) as spinner:
        report = api.run(
            ad_account,
            level=level,
            columns=columns,
            start_date=start,
            end_date=end,
            granularity=granularity.upper(),
            campaign_ids=campaign_ids,
            max_attempts=max_attempts,
            timeout=timeout,
            on_progress=spinner,
        )
    plural = "s" if len(windows) != 1 else ""
    if out is not None:
        count = report.save(out)
        run.output.info(f"wrote {count} rows to {out} ({len(windows)} report{plural})")
    else:
        run.output.stream(json_ready(row) for row in report)
    if chart is not None:
        report.chart(chart, metrics)
        run.output.info(f"chart: {chart}")
