"""What each Spark task runs: the sender core of ``send_bulk`` over the task's rows.

A task builds its own client and shared limiter from the shipped options, turns rows into
events (``ColumnPlan``) and hands them to ``BulkSender``: batches of 1,000, retries, the
rejects kinds, one rate limit for every task through Redis. The data source's tasks keep only
counts (and a few examples of each reason) for the commit on the driver; ``send_conversions``
keeps every row's outcome, to put it beside the row.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._flow import Flow
from ..conversions._results import REJECT_KINDS, BulkSummary
from ..conversions._sender import BulkSender, Post
from ..conversions._sinks import ListRejects
from ._options import ConversionOptions

__all__ = ["SOURCE", "merge_summaries", "send_events", "send_with_results", "summary_line"]

log = logging.getLogger("pinkit.spark")
SOURCE = "pinterest_conversions"
EXAMPLES = 3  # examples kept per kind of reject, for the commit's message


class CountingRejects:
    """A reject sink that keeps counts per reason and the first few rejects of each kind:
    the rows themselves stay in the executor (``send_conversions`` returns them)."""

    def __init__(self) -> None:
        self.reasons: Counter[tuple[str, str]] = Counter()
        self.examples: dict[str, list[str]] = {}

    def write(self, rejects: Sequence[dict[str, Any]]) -> None:
        for reject in rejects:
            kind, reason = str(reject["kind"]), str(reject["reason"])
            self.reasons[kind, reason] += 1
            shown = self.examples.setdefault(kind, [])
            if len(shown) < EXAMPLES and reason not in shown:
                shown.append(reason)


def _run(options: ConversionOptions, events: Iterable[Any], sink: Any, post_of: Any) -> BulkSummary:
    limiter = options.limiter("ads_conversions")
    try:
        with options.client(limiter) as client:
            post: Post = client.conversions._post(options.ad_account_id)
            if post_of is not None:
                post = post_of(post)
            sender = BulkSender(
                options.sender_config(),
                post,
                now=client.clock.now,
                limiter=limiter,
                rejects=sink,
            )
            summary: BulkSummary = client._run(sender.run(events))
            return summary
    finally:
        if limiter is not None:
            limiter.close()


def send_events(options: ConversionOptions, events: Iterable[Any]) -> dict[str, Any]:
    """Send a task's events (``ColumnPlan.events`` or ``batch_events``); the summary as a
    dict (``BulkSummary.as_dict()``) with ``examples``: a few reasons per reject kind."""
    sink = CountingRejects()
    summary = _run(options, events, sink, None)
    out = summary.as_dict()
    out["examples"] = sink.examples
    return out


def _watch_warnings(warnings: dict[str, str]) -> Any:
    """A ``post`` wrapper that notes Pinterest's warning for each event id it warns about."""
    import json

    def wrap(post: Post) -> Post:
        def watched(body: bytes, test: bool, repeatable: bool) -> Flow[Mapping[str, Any]]:
            answer: Mapping[str, Any] = yield from post(body, test, repeatable)
            statuses = answer.get("events")
            if isinstance(statuses, list) and any(
                isinstance(s, Mapping) and s.get("warning_message") for s in statuses
            ):
                sent = json.loads(body)["data"]
                for event, status in zip(sent, statuses, strict=False):
                    if isinstance(status, Mapping) and status.get("warning_message"):
                        warnings[str(event["event_id"])] = str(status["warning_message"])
            return answer

        return watched

    return wrap


def send_with_results(
    options: ConversionOptions, events: list[Any]
) -> tuple[list[str], list[str | None], list[str | None], list[str | None]]:
    """Send ``events`` (of rows); per row: the status (``processed``, or the reject kind
    ``invalid``, ``refused``, ``undeliverable``), the error, Pinterest's warning, and the
    event id sent."""
    rows = events
    ids: list[str | None] = [
        None if not isinstance(e, dict) or e.get("event_id") is None else str(e["event_id"])
        for e in events
    ]
    sink = ListRejects()
    warnings: dict[str, str] = {}
    _run(options, events, sink, _watch_warnings(warnings))
    status = ["processed"] * len(rows)
    errors: list[str | None] = [None] * len(rows)
    for reject in sink.items:
        index = int(reject["index"])
        status[index] = str(reject["kind"])
        errors[index] = str(reject["reason"])
    found = [
        warnings.get(i) if i is not None and s == "processed" else None
        for i, s in zip(ids, status, strict=True)
    ]
    return status, errors, found, ids


def merge_summaries(parts: Iterable[Mapping[str, Any] | None]) -> dict[str, Any]:
    """The job's summary from its tasks' (the fields of ``send_bulk``'s summary; the time is
    the longest task's), with ``tasks``, the tasks' CPU seconds (``task_cpu_s``, of which
    ``spark_read_cpu_s`` in PySpark reading the rows) and ``examples`` of each reject kind."""
    total: dict[str, Any] = {
        "test": False,
        "tasks": 0,
        "received": 0,
        "processed": 0,
        "rejected": dict.fromkeys(REJECT_KINDS, 0),
        "retried": 0,
        "warnings": {},
        "hashing": {},
        "elapsed_s": 0.0,
        "events_per_s": 0.0,
        "task_cpu_s": 0.0,
        "spark_read_cpu_s": 0.0,
        "examples": {},
    }
    for part in parts:
        if not part:
            continue
        total["tasks"] += 1
        total["test"] = total["test"] or bool(part.get("test"))
        for name in ("received", "processed", "retried"):
            total[name] += int(part.get(name) or 0)
        for kind, count in (part.get("rejected") or {}).items():
            total["rejected"][kind] = total["rejected"].get(kind, 0) + int(count)
        for text, count in (part.get("warnings") or {}).items():
            total["warnings"][text] = total["warnings"].get(text, 0) + int(count)
        for name, counts in (part.get("hashing") or {}).items():
            mine = total["hashing"].setdefault(name, {"hashed": 0, "raw": 0})
            for key, count in counts.items():
                mine[key] = mine.get(key, 0) + int(count)
        for kind, reasons in (part.get("examples") or {}).items():
            shown = total["examples"].setdefault(kind, [])
            shown += [r for r in reasons if r not in shown][: EXAMPLES - len(shown)]
        total["elapsed_s"] = max(total["elapsed_s"], float(part.get("elapsed_s") or 0.0))
        for name in ("task_cpu_s", "spark_read_cpu_s"):
            total[name] += float(part.get(name) or 0.0)
    if total["elapsed_s"] > 0:
        total["events_per_s"] = total["received"] / total["elapsed_s"]
    return total


def summary_line(summary: Mapping[str, Any]) -> str:
    """One line: what the job did."""
    rejected = summary["rejected"]
    kinds = ", ".join(f"{n} {kind}" for kind, n in rejected.items() if n)
    mode = " (TEST MODE: checked, not recorded)" if summary.get("test") else ""
    return (
        f"{SOURCE}{mode}: {summary['received']} rows read by {summary['tasks']} tasks, "
        f"{summary['processed']} events processed, {sum(rejected.values())} rejected"
        + (f" ({kinds})" if kinds else "")
        + f", {summary['retried']} requests retried"
    )
