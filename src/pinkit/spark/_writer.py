"""``pinterest_conversions``: a Spark Python data source that sends every row as an event.

``writer()`` runs on the driver: it checks the options and the columns (one clear line for a
bad one, before any task starts) and returns a writer that pickles with plain values only.
Each task's ``write`` runs the sender core over its partition and returns its summary;
``commit`` (on the driver again) merges them, logs the job's summary, and raises when events
were undeliverable. Spark retries a failed task from the start of its partition: the event ids
are deterministic, so Pinterest's deduplication keeps each event once.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql.datasource import DataSource, DataSourceWriter, WriterCommitMessage
from pyspark.sql.types import StructType

from ..errors import InvalidInputError
from ._options import ConversionOptions, Defaults, bad_option
from ._rows import ColumnPlan, plan_columns
from ._send import SOURCE, merge_summaries, send_events, summary_line

try:  # Spark 4.1 and later; 4.0 hands the writer Rows
    from pyspark.sql.datasource import DataSourceArrowWriter as _ArrowWriter
except ImportError:  # pragma: no cover - depends on the Spark version
    _ArrowWriter = None  # type: ignore[assignment,misc]

__all__ = ["ConversionsDataSource", "UndeliverableEventsError"]

log = logging.getLogger("pinkit.spark")


class UndeliverableEventsError(InvalidInputError):
    """Raised by the commit of a ``pinterest_conversions`` write when events could not be
    delivered (after the sender's retries), naming how many."""


@dataclass
class TaskSummary(WriterCommitMessage):
    """One task's ``send_bulk`` summary (``BulkSummary.as_dict()`` and a few reasons)."""

    summary: dict[str, Any] = field(default_factory=dict)


def _say(line: str, *, warning: bool) -> None:
    """Log on the driver; where logging is not set up (Spark's Python worker), to stderr."""
    if log.hasHandlers():
        log.log(logging.WARNING if warning else logging.INFO, "%s", line)
    else:
        print(line, file=sys.stderr, flush=True)


class _Writer:
    """The part of the writer that is the same for rows and for Arrow batches."""

    def __init__(self, options: ConversionOptions, plan: ColumnPlan) -> None:
        self.options = options
        self.plan = plan

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.options!r})"

    def commit(self, messages: list[WriterCommitMessage | None]) -> None:
        summary = merge_summaries(
            m.summary if isinstance(m, TaskSummary) else None for m in messages
        )
        rejected = summary["rejected"]
        line = summary_line(summary)
        examples = summary["examples"]
        details = "; ".join(
            f"{kind}: {' | '.join(reasons)}" for kind, reasons in examples.items() if reasons
        )
        _say(line + (f"; e.g. {details}" if details else ""), warning=bool(sum(rejected.values())))
        if self.options.summary_path:
            try:
                with open(self.options.summary_path, "w", encoding="utf-8") as out:
                    json.dump(summary, out, indent=1)
            except OSError as exc:  # everything was sent: say so, and go on to the outcome
                _say(f"{SOURCE}: the summary could not be written: {exc}", warning=True)
        lost = int(rejected.get("undeliverable", 0))
        if lost:
            reasons = " | ".join(examples.get("undeliverable", []))
            raise UndeliverableEventsError(
                f"{SOURCE}: {lost} of {summary['received']} events were undeliverable "
                f"({reasons}); {summary['processed']} were processed. Their ids are "
                "deterministic: writing the same rows again resends only what is missing"
            )

    def abort(self, messages: list[WriterCommitMessage | None]) -> None:
        summary = merge_summaries(
            m.summary if isinstance(m, TaskSummary) else None for m in messages
        )
        _say(f"{summary_line(summary)}; the job failed (see the task's error)", warning=True)


class RowWriter(_Writer, DataSourceWriter):
    """Spark 4.0: the partition arrives as Rows."""

    def write(self, iterator: Iterator[Any]) -> TaskSummary:
        rows = (row.asDict(recursive=True) for row in iterator)
        return TaskSummary(send_events(self.options, self.plan.events(rows)))


if _ArrowWriter is not None:

    class ArrowWriter(_Writer, _ArrowWriter):
        """Spark 4.1 and later: the partition arrives as Arrow record batches (less CPU per
        row than Rows)."""

        def write(self, iterator: Iterator[Any]) -> TaskSummary:
            started = time.process_time()
            reading = [0.0]
            events = (
                e for batch in _timed(iterator, reading) for e in self.plan.batch_events(batch)
            )
            summary = send_events(self.options, events)
            summary["task_cpu_s"] = time.process_time() - started
            summary["spark_read_cpu_s"] = reading[0]
            return TaskSummary(summary)


def _timed(iterator: Iterator[Any], spent: list[float]) -> Iterator[Any]:
    """``iterator``, adding to ``spent[0]`` the CPU time its thread spends in Spark's reading
    of each batch (to tell pinkit's CPU from PySpark's)."""
    while True:
        started = time.thread_time()
        try:
            item = next(iterator)
        except StopIteration:
            return
        finally:
            spent[0] += time.thread_time() - started
        yield item


class ConversionsDataSource(DataSource):
    """``df.write.format("pinterest_conversions").option("ad_account_id", ...)
    .option("access_token", ...).option("redis_url", ...).mode("append").save()``.

    Options (text, as Spark keeps them): ``ad_account_id``; the credential, ``access_token``
    or ``database_url`` with ``user_key`` (``pinkit.web.Connections``; then ``client_id``,
    ``client_secret`` and ``encryption_keys`` or the executors' environment); ``base_url``;
    ``redis_url`` (the rate limit every task shares) and ``rate_limit``
    (``REQUESTS/SECONDS``); ``test``; ``batch_size``, ``concurrency``, ``max_retries``
    (per task); ``ignore_columns``.
    """

    KNOWN = ConversionOptions.KNOWN
    defaults = Defaults({})

    @classmethod
    def name(cls) -> str:
        return SOURCE

    def writer(self, schema: StructType, overwrite: bool) -> DataSourceWriter:
        if overwrite:
            raise bad_option(SOURCE, 'events are only ever added: use .mode("append")')
        options = ConversionOptions.parse(self.defaults.merged(self.options))
        plan = plan_columns(schema.fieldNames(), source=SOURCE, ignore=options.ignore_columns)
        options.check_remote(SOURCE)
        if _ArrowWriter is not None:
            return ArrowWriter(options, plan)
        return RowWriter(options, plan)
