"""``send_conversions``: every row sent, and given back with its outcome.

It runs on ``mapInArrow``: each task sends its rows through the same sender core as the data
source (batches of 1,000, retries, the shared limit) and returns them as they came, with
``status``, ``error_message``, ``warning_message`` and ``event_id`` beside them. The result is
a lazy DataFrame: every action on it sends again (harmless for Pinterest, whose deduplication
keeps each event id once, but slow), so persist it or write it out before using it twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pyspark.sql.types import StringType, StructField, StructType

from ._options import ConversionOptions
from ._rows import RESULT_COLUMNS, plan_columns
from ._send import send_with_results

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["send_conversions"]

NAME = "send_conversions"


def send_conversions(
    df: DataFrame,
    ad_account_id: str,
    *,
    access_token: str | None = None,
    database_url: str | None = None,
    user_key: str | None = None,
    base_url: str | None = None,
    redis_url: str | None = None,
    rate_limit: str | None = None,
    test: bool = False,
    batch_size: int | None = None,
    concurrency: int = 4,
    max_retries: int = 5,
    ignore_columns: str | Sequence[str] = (),
    options: Mapping[str, str] | None = None,
) -> DataFrame:
    """Send every row of ``df`` as a conversion event; a DataFrame of the same rows with
    ``status`` (``processed``, or why not: ``invalid``, ``refused``, ``undeliverable``),
    ``error_message``, ``warning_message`` and the ``event_id`` sent (derived from
    ``order_id`` when the row had none).

    The arguments are the data source's options (``options`` takes any of them as text, for
    ``client_id``, ``client_secret`` and ``encryption_keys``); they are checked here, before
    any task starts. The result is lazy: each action on it sends the rows again, so
    ``persist()`` it, or write it out, before using it twice.
    """
    given: dict[str, Any] = {
        "ad_account_id": ad_account_id,
        "access_token": access_token,
        "database_url": database_url,
        "user_key": user_key,
        "base_url": base_url,
        "redis_url": redis_url,
        "rate_limit": rate_limit,
        "test": test,
        "batch_size": batch_size,
        "concurrency": concurrency,
        "max_retries": max_retries,
        "ignore_columns": ignore_columns
        if isinstance(ignore_columns, str)
        else ",".join(ignore_columns),
        **dict(options or {}),
    }
    parsed = ConversionOptions.parse({k: v for k, v in given.items() if v is not None}, NAME)
    names = df.schema.fieldNames()
    plan = plan_columns(names, source=NAME, ignore=parsed.ignore_columns, reserved=RESULT_COLUMNS)
    parsed.check_remote(NAME)
    kept = [f for f in df.schema.fields if f.name != "event_id"]
    schema = StructType(
        [
            *kept,
            StructField("status", StringType(), False),
            StructField("error_message", StringType(), True),
            StructField("warning_message", StringType(), True),
            StructField("event_id", StringType(), True),
        ]
    )
    kept_names = [f.name for f in kept]

    def send(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            events = plan.batch_events(batch)
            status, errors, warnings, ids = send_with_results(parsed, events)
            columns = [batch.column(batch.schema.get_field_index(n)) for n in kept_names]
            yield pa.RecordBatch.from_arrays(
                [
                    *columns,
                    pa.array(status, pa.string()),
                    pa.array(errors, pa.string()),
                    pa.array(warnings, pa.string()),
                    pa.array(ids, pa.string()),
                ],
                names=[*kept_names, *RESULT_COLUMNS],
            )

    return df.mapInArrow(send, schema)
