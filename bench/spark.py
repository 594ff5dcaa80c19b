"""Conversions through Spark against ``send_bulk`` in one process, in one run:

* events per second through the ``pinterest_conversions`` data source on a local Spark with
  1 and with 2 executor cores (``local[1]``, ``local[2]``; the job's wall time, the Python
  workers already started);
* the same events through ``client.conversions.send_bulk`` in this process (the baseline);
* CPU per row: pinkit's own in the Spark tasks (the tasks' CPU less PySpark's reading of the
  rows, from the job's summary) against the ``send_bulk`` process's (target: within 1.5
  times), and the Python workers' whole CPU (from /proc) beside it.

The emulator (``pinkit emulator serve --memory``, its rate limits raised) runs in a process of
its own; its CPU is not counted. The events are those of bench/conversions.py (raw e-mail,
phone and external id to hash, a click id, custom data), with new ids for each run.

Usage: python bench/spark.py [--events 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2

from conversions import UA, _cpu_s, raw_event, serve, unlimited_account
from pinkit import Client

TARGET_CPU_RATIO = 1.5
PARTITIONS = 4


def python_workers() -> list[int]:
    """The pids of Spark's Python workers (the daemon and the workers it forked)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"pyspark.daemon" in cmdline or b"pyspark.worker" in cmdline:
            pids.append(int(proc.name))
    return pids


def workers_cpu_s() -> float:
    total = 0.0
    for pid in python_workers():
        try:
            total += _cpu_s(pid)
        except OSError:
            continue
    return total


def spark_frame(spark: Any, n: int, tag: str, now: int) -> Any:
    """The events of bench/conversions.py as a DataFrame (made in the JVM: nothing to ship)."""
    return spark.range(0, n, 1, PARTITIONS).selectExpr(
        f"concat('order-', id, '-{tag}') as event_id",
        "'checkout' as event_name",
        "'web' as action_source",
        f"cast({now - 60} as bigint) as event_time",
        "'https://shop.example.com/checkout' as event_source_url",
        "concat(' Buyer.', id, '@Example.com') as em",
        "concat('+1 (650) 555-', lpad(cast(id % 10000 as string), 4, '0')) as ph",
        "concat('customer-', id) as external_id",
        "'203.0.113.7' as client_ip_address",
        f"'{UA}' as client_user_agent",
        "concat('dj0yJnU9', lpad(cast(id as string), 8, '0')) as click_id",
        "named_struct('currency', 'usd', 'value', '72.39', 'order_id', concat('order-', id))"
        " as custom_data",
    )


def bench_spark(cores: int, n: int, base: str, token: str, account: str, now: int) -> tuple:
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    import pinkit.spark

    spark = (
        SparkSession.builder.master(f"local[{cores}]")
        .config("spark.ui.enabled", "false")
        .config("spark.pyspark.python", sys.executable)
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    pinkit.spark.register(spark)

    summary_path = Path(tempfile.mkdtemp(prefix="pinkit-bench-")) / "summary.json"

    def write(df: Any) -> None:
        (
            df.write.format("pinterest_conversions")
            .option("ad_account_id", account)
            .option("access_token", token)
            .option("base_url", base)
            .option("summary_path", str(summary_path))
            .mode("append")
            .save()
        )

    try:
        write(spark_frame(spark, 2000, f"warm{cores}", now))  # the Python workers start
        df = spark_frame(spark, n, f"spark{cores}", now)
        cpu, started = workers_cpu_s(), time.perf_counter()
        write(df)
        elapsed = time.perf_counter() - started
        cpu = workers_cpu_s() - cpu
    finally:
        spark.stop()
    summary = json.loads(summary_path.read_text())
    assert summary["processed"] == n, summary
    own = summary["task_cpu_s"] - summary["spark_read_cpu_s"]
    return n / elapsed, own / n * 1e6, cpu / n * 1e6


def bench_send_bulk(n: int, base: str, token: str, account: str, now: int) -> tuple:
    def events() -> Any:
        for i in range(n):
            event = raw_event(i, now)
            event["event_id"] = f"order-{i}-bulk"
            yield event

    with Client(token, base_url=base) as client:
        cpu, started = time.process_time(), time.perf_counter()
        summary = client.conversions.send_bulk(account, events())
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
    assert summary.processed == n, summary
    return n / elapsed, cpu / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    if sys.platform != "linux":
        sys.exit("bench/spark.py reads /proc: Linux only")
    n = args.events
    proc, base = serve()
    origin = base.removesuffix("/v5")
    try:
        token, account, now = unlimited_account(origin)
        bulk_rate, bulk_us = bench_send_bulk(n, base, token, account, now)
        one_rate, one_us, one_all = bench_spark(1, n, base, token, account, now)
        two_rate, two_us, two_all = bench_spark(2, n, base, token, account, now)
        arrived = httpx2.get(
            f"{origin}/_emulator/conversions", params={"ad_account_id": account}, timeout=120
        ).json()
        assert len(arrived) == 3 * n + 2 * 2000, len(arrived)
        server_cpu = _cpu_s(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"{n:,} events each, {PARTITIONS} partitions; emulator in its own process")
    print(f"{'send_bulk, one process':<34}{bulk_rate:>12,.0f} events/s   CPU {bulk_us:6.1f} us/row")
    for cores, rate, us, whole in ((1, one_rate, one_us, one_all), (2, two_rate, two_us, two_all)):
        ratio = us / bulk_us
        verdict = "ok" if ratio <= TARGET_CPU_RATIO else "MISSED"
        print(
            f"{f'Spark local[{cores}]':<34}{rate:>12,.0f} events/s   CPU {us:6.1f} us/row"
            f"   {rate / bulk_rate:4.2f}x send_bulk's rate, CPU {ratio:4.2f}x"
            f" (target <= {TARGET_CPU_RATIO}) {verdict}"
        )
        print(
            f"{'':<34}{'':>12}            the Python workers' whole CPU {whole:6.1f} us/row "
            f"({whole / bulk_us:4.2f}x): PySpark's reading and protocol included"
        )
    print(f"{'2 cores / 1 core':<34}{two_rate / one_rate:>12.2f}x")
    print(
        f"  emulator CPU over the run {server_cpu:.1f} s; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
