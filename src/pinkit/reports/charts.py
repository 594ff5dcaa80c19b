"""Charts of a report's metrics over time: a PNG (``pinkit[charts]``, matplotlib) and a small
one in plain block characters for the terminal.

Per metric, the chart shows one line per entity when there are few, with their total for
metrics that add up (counts and money); with many entities it shows the total alone (or, for a
ratio such as CTR, the plain mean of the entities, labelled so). A day an entity has no row
counts as 0 for metrics that add up (Pinterest leaves out rows whose columns are all 0) and as
no value for ratios. Money is charted in the account's currency (``*_IN_ACCOUNT_CURRENCY``),
never in micro-units.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInputError
from .columns import MONEY_SUFFIX, is_money, kind_of, money_column
from .parsing import Row

__all__ = ["ChartData", "chart_data", "png_chart", "terminal_chart"]

MAX_LINES = 5  # entities drawn one by one; more are drawn as their total
_ACRONYMS = {"CPC", "CPM", "CPA", "CPV", "CPE", "CTR", "ECTR", "ECPC", "ECPM", "ROAS", "ID"}


@dataclass
class ChartData:
    """What a chart draws: the time axis and, per metric, named series."""

    times: list[dt.date | dt.datetime]
    series: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    """Per metric, each entity's values."""
    aggregate: dict[str, tuple[str, list[float]]] = field(default_factory=dict)
    """Per metric, the total (counts, money) or unweighted mean (ratios) of the entities."""
    entities: int = 0
    entity_key: str | None = None

    @property
    def legend_title(self) -> str:
        if not self.entity_key:
            return ""
        return self.entity_key.removesuffix("_ID").lower().replace("_", " ") + " ID"


def _entity_key(keys: Sequence[str]) -> str | None:
    for key in keys:
        if key.endswith("_ID") and kind_of(key) == "text":
            return key
    return None


def pick_metrics(keys: Sequence[str], metrics: Sequence[str] | None) -> list[str]:
    """The columns to chart: ``metrics`` (money ones swapped for their amounts in currency),
    or every numeric column up to four."""
    numeric = [k for k in keys if kind_of(k) in ("number", "float", "decimal")]
    if metrics is None:
        chosen = [k for k in numeric if not is_money(k)][:4]
        if not chosen:
            raise InvalidInputError("the report has no numeric column to chart")
        return chosen
    out = []
    for metric in metrics:
        name = metric.strip().upper()
        if is_money(name) and money_column(name) in keys:
            name = money_column(name)
        if name not in keys:
            raise InvalidInputError(
                f"cannot chart {metric!r}: the report's columns are {', '.join(numeric)}"
            )
        if name not in numeric:
            raise InvalidInputError(f"cannot chart {name}: it is not a number")
        out.append(name)
    if not out:
        raise InvalidInputError("name at least one metric to chart")
    return out


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, (str, bool)):
        return None
    return float(value)


def chart_data(rows: Sequence[Row], keys: Sequence[str], metrics: Sequence[str]) -> ChartData:
    """The series to draw from ``rows`` (one per entity, or their total or mean)."""
    if "DATE" not in keys:
        raise InvalidInputError("a TOTAL report has no time axis to chart: use DAY, WEEK or MONTH")
    entity_key = _entity_key(keys)
    hourly = "HOUR" in keys
    values: dict[str, dict[Any, dict[str, float]]] = {m: defaultdict(dict) for m in metrics}
    entities: dict[str, None] = {}
    times: set[Any] = set()
    for row in rows:
        day = row.get("DATE")
        if not isinstance(day, dt.date):
            continue
        moment: Any = day
        if hourly:
            moment = dt.datetime(day.year, day.month, day.day, int(row.get("HOUR") or 0))
        entity = str(row.get(entity_key) or "all") if entity_key else "all"
        entities.setdefault(entity, None)
        times.add(moment)
        for metric in metrics:
            number = _number(row.get(metric))
            if number is not None:
                values[metric][moment][entity] = number
    axis = sorted(times)
    data = ChartData(axis, entities=len(entities), entity_key=entity_key)
    names = list(entities)
    for metric in metrics:
        additive = kind_of(metric) != "float"
        per_time = values[metric]
        default = 0.0 if additive else math.nan
        data.series[metric] = {e: [per_time[t].get(e, default) for t in axis] for e in names}
        if additive:
            label = f"total of {len(names)}"
            data.aggregate[metric] = (label, [sum(per_time[t].values()) for t in axis])
        else:
            label = f"mean of {len(names)} (unweighted)"
            data.aggregate[metric] = (
                label,
                [
                    sum(per_time[t].values()) / len(per_time[t]) if per_time[t] else math.nan
                    for t in axis
                ],
            )
    return data


def _lines(data: ChartData, metric: str) -> dict[str, list[float]]:
    """What the PNG draws for ``metric``: each entity when there are few (with the total of
    those that add up), else the total or mean alone."""
    entities = data.series[metric]
    label, aggregate = data.aggregate[metric]
    if len(entities) == 1:
        return dict(entities)
    if len(entities) <= MAX_LINES:
        lines = dict(entities)
        if kind_of(metric) != "float":
            lines[label] = aggregate
        return lines
    return {label: aggregate}


def _human(metric: str) -> str:
    base = metric.removesuffix(MONEY_SUFFIX)
    words = base.split("_")
    shown = [w if w in _ACRONYMS else w.lower() for w in words]
    text = " ".join(shown)
    return text[0].upper() + text[1:] if text else metric


def unit_of(metric: str, currency: str | None) -> str:
    kind = kind_of(metric)
    if kind == "decimal":
        return currency or "account currency"
    if kind == "float":
        return "%" if any(t in metric for t in ("CTR", "RATE")) else "ratio"
    return "count"


def axis_label(metric: str, currency: str | None) -> str:
    return f"{_human(metric)} ({unit_of(metric, currency)})"


def png_chart(
    rows: Sequence[Row],
    keys: Sequence[str],
    path: str | os.PathLike[str],
    *,
    metrics: Sequence[str] | None = None,
    title: str = "",
    currency: str | None = None,
    width: int = 1200,
    height: int | None = None,
) -> None:
    """A PNG line chart of ``metrics`` over time, ``width`` x ``height`` pixels: one panel
    per metric with its unit (the account's currency for money), a legend and dated axis."""
    try:
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter, PercentFormatter
    except ImportError:
        raise InvalidInputError(
            "charts need the 'charts' extra (matplotlib): pip install 'pinkit[charts]'"
        ) from None
    chosen = pick_metrics(keys, metrics)
    data = chart_data(rows, keys, chosen)
    if not data.times:
        raise InvalidInputError("the report has no rows to chart")
    height = height or max(400, 120 + 260 * len(chosen))
    if width < 200 or height < 150:
        raise InvalidInputError("a chart needs at least 200 x 150 pixels")
    fig = Figure(figsize=(width / 100, height / 100), dpi=100, layout="constrained")
    axes = fig.subplots(len(chosen), 1, sharex=True, squeeze=False)[:, 0]
    marker = "o" if len(data.times) <= 40 else None
    for ax, metric in zip(axes, chosen, strict=True):
        for label, points in _lines(data, metric).items():
            total = label.startswith(("total", "mean"))
            ax.plot(
                data.times,
                points,
                label=label,
                marker=marker,
                markersize=3,
                linewidth=2.4 if total else 1.4,
                color="black" if total else None,
            )
        unit = unit_of(metric, currency)
        ax.set_ylabel(axis_label(metric, currency))
        ax.set_title(_human(metric), loc="left", fontsize="medium")
        if unit == "%":
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        elif unit == "count":
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        else:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.2f}"))
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(
            loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", title=data.legend_title
        )
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes[-1].xaxis.set_major_locator(locator)
    axes[-1].xaxis.set_major_formatter(
        ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    )
    axes[-1].set_xlabel("Date (UTC)")
    fig.suptitle(title or "Report", fontsize="large", fontweight="bold")
    fig.savefig(os.fspath(path), format="png", dpi=100)


_EIGHTHS = " ▁▂▃▄▅▆▇█"


def _fmt(value: float, unit: str) -> str:
    if math.isnan(value):
        return "-"
    if unit == "%":
        return f"{value:.2%}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _buckets(points: list[float], width: int) -> list[float]:
    if len(points) <= width:
        return points
    out = []
    for n in range(width):
        part = [p for p in points[n * len(points) // width : (n + 1) * len(points) // width]]
        real = [p for p in part if not math.isnan(p)]
        out.append(sum(real) / len(real) if real else math.nan)
    return out


def terminal_chart(
    rows: Sequence[Row],
    keys: Sequence[str],
    *,
    metrics: Sequence[str] | None = None,
    currency: str | None = None,
    width: int = 60,
    height: int = 6,
) -> str:
    """A bar chart per metric in block characters (the total, or the mean for ratios):
    ``height`` lines tall, at most ``width`` bars (longer ranges averaged per bar)."""
    chosen = pick_metrics(keys, metrics)
    data = chart_data(rows, keys, chosen)
    if not data.times:
        return "(no rows to chart)"
    lines: list[str] = []
    for metric in chosen:
        label, aggregate = data.aggregate[metric]
        points = _buckets(aggregate, width)
        real = [p for p in points if not math.isnan(p)]
        top = max(real, default=0.0) or 1.0
        unit = unit_of(metric, currency)
        shown = f", {label}" if data.entities > 1 else ""
        lines.append(f"{axis_label(metric, currency)}{shown}")
        gutter = max(len(_fmt(top, unit)), len(_fmt(0.0, unit)))
        for level in range(height, 0, -1):
            cells = []
            for p in points:
                if math.isnan(p):
                    cells.append(" ")
                    continue
                eighths = round(p / top * height * 8)
                full = (level - 1) * 8
                cells.append(_EIGHTHS[max(0, min(8, eighths - full))])
            axis = _fmt(top, unit) if level == height else _fmt(0.0, unit) if level == 1 else ""
            lines.append(f"{axis:>{gutter}} ┤{''.join(cells)}")
        first, last = str(data.times[0]), str(data.times[-1])
        span = len(points)
        pad = max(1, span - len(first) - len(last))
        lines.append(f"{'':>{gutter}} └{'─' * span}")
        lines.append(f"{'':>{gutter}}  {first}{' ' * pad}{last}" if span > 1 else f"  {first}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
