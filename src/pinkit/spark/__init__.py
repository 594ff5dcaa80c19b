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

import os
from typing import Any

try:
    import pyspark.sql.datasource  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "pinkit.spark needs PySpark 4 (its Python Data Source API): pip install 'pinkit[spark]'"
    ) from exc

from ..errors import InvalidInputError
from ._options import ConversionOptions, Credential, Defaults, ReportOptions
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


#: Options a job leaves out come from the driver's environment at ``register``, as for
#: ``pinkit.Client``.
ENVIRONMENT = {
    "base_url": "PINTEREST_API_URI",
    "ad_account_id": "PINTEREST_AD_ACCOUNT_ID",
    "access_token": "PINTEREST_ACCESS_TOKEN",
}


def register(spark: Any, **defaults: str) -> None:
    """Make ``pinterest_conversions`` and ``pinterest_reports`` known to ``spark`` (a
    ``SparkSession``; registrations belong to the session and its thread).

    ``defaults`` are options for every read and write that does not set them (``redis_url``,
    ``base_url``...); ``PINTEREST_API_URI``, ``PINTEREST_AD_ACCOUNT_ID`` and
    ``PINTEREST_ACCESS_TOKEN`` of the driver's environment are defaults too, as for
    ``pinkit.Client``. They travel with the job as options do (the token masked in reprs)."""
    found = {name: os.environ[var] for name, var in ENVIRONMENT.items() if os.environ.get(var)}
    given = {**found, **{k.lower(): str(v) for k, v in defaults.items()}}
    unknown = sorted(set(given) - ConversionsDataSource.KNOWN - ReportsDataSource.KNOWN)
    if unknown:
        raise InvalidInputError(f"register: unknown option {', '.join(map(repr, unknown))}")
    for source in (ConversionsDataSource, ReportsDataSource):
        known = source.KNOWN
        mine = Defaults({k: v for k, v in given.items() if k in known})
        registered = type(source.__name__, (source,), {"defaults": mine})
        registered.__qualname__ = f"{source.__qualname__}.registered"  # pickled by value
        spark.dataSource.register(registered)
