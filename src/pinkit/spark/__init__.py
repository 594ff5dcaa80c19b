"""pinkit on Apache Spark: conversions written, and reports read, through Spark's own Python
Data Source API (Spark 4, ``pyspark.sql.datasource``). Needs ``pinkit[spark]``.

After ``pinkit.spark.register(spark)``:

* ``df.write.format("pinterest_conversions")....save()`` sends every row as a conversion
  event, each task through the sender core of ``send_bulk``, all tasks within one rate limit
  kept in Redis;
* ``pinkit.spark.send_conversions(df, ad_account_id, ...)`` does the same and returns the rows
  with their outcome (``status``, ``error_message``, ``warning_message``, ``event_id``);
* ``spark.read.format("pinterest_reports")....load()`` reads analytics reports of many ad
  accounts, one partition per (ad account, window).

Options travel to the executors as plain values (the credential as a masked
``pinkit.Secret``), never as a live client. See docs/spark.md.
"""

from __future__ import annotations

from typing import Any

try:
    import pyspark.sql.datasource  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "pinkit.spark needs PySpark 4 (its Python Data Source API): pip install 'pinkit[spark]'"
    ) from exc

from ._options import ConversionOptions, Credential, ReportOptions
from ._reader import ReportsDataSource
from ._results import send_conversions
from ._rows import RESULT_COLUMNS
from ._writer import ConversionsDataSource, UndeliverableEventsError

__all__ = [
    "RESULT_COLUMNS",
    "ConversionOptions",
    "ConversionsDataSource",
    "Credential",
    "ReportOptions",
    "ReportsDataSource",
    "UndeliverableEventsError",
    "register",
    "send_conversions",
]


def register(spark: Any) -> None:
    """Make ``pinterest_conversions`` and ``pinterest_reports`` known to ``spark`` (a
    ``SparkSession``); once per session."""
    spark.dataSource.register(ConversionsDataSource)
    spark.dataSource.register(ReportsDataSource)
