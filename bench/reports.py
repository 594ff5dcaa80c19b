"""Parse a 1,000,000-row CSV report into typed rows, against ``csv.DictReader`` plus
``int()``/``float()`` on each numeric cell over the same bytes.

pinkit's rows carry more than the baseline's: ``DATE`` as a ``datetime.date``, the spend's
exact amount as a ``Decimal`` and the ``CURRENCY`` column. Rounds alternate; the best of each
side is compared. Target: pinkit/baseline time ratio <= 1.2.

Usage: python bench/reports.py [--rows 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import time

from pinkit.reports.parsing import RowShape, report_keys

COLUMNS = [
    "SPEND_IN_MICRO_DOLLAR",
    "TOTAL_IMPRESSION",
    "TOTAL_CLICKTHROUGH",
    "CTR",
    "ECPC_IN_DOLLAR",
]
INTS = ("SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION", "TOTAL_CLICKTHROUGH")
FLOATS = ("CTR", "ECPC_IN_DOLLAR")


def report_bytes(rows: int) -> bytes:
    """A report as Pinterest writes it: per campaign, one row per day, zero-filled."""
    rng = random.Random(7)
    out = io.StringIO()
    out.write("DATE,CAMPAIGN_ID," + ",".join(COLUMNS) + "\n")
    first = dt.date(2024, 6, 1)
    days = 900
    for n in range(rows):
        day = first + dt.timedelta(days=n % days)
        campaign = 626736533506 + n // days
        spend = rng.randrange(0, 50_000_000)
        impressions = rng.randrange(0, 20_000)
        clicks = impressions // rng.randrange(50, 200)
        ctr = round(clicks / impressions, 6) if impressions else 0
        cpc = round(spend / 1e6 / clicks, 4) if clicks else 0
        out.write(f"{day},{campaign},{spend},{impressions},{clicks},{ctr},{cpc}\n")
    return out.getvalue().encode()


def baseline(data: bytes) -> int:
    count = 0
    reader = csv.DictReader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""))
    for row in reader:
        for name in INTS:
            row[name] = int(row[name])  # type: ignore[assignment]
        for name in FLOATS:
            row[name] = float(row[name])  # type: ignore[assignment]
        count += 1
    return count


def pinkit_rows(data: bytes) -> int:
    keys = report_keys(COLUMNS, granularity="DAY", id_column="CAMPAIGN_ID", currency=True)
    shape = RowShape(keys, currency="USD", id_column="CAMPAIGN_ID")
    count = 0
    for _ in shape.iter_csv(io.BytesIO(data)):
        count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = report_bytes(args.rows)
    times: dict[str, list[float]] = {"baseline": [], "pinkit": []}
    for _ in range(args.rounds):
        for name, fn in (("baseline", baseline), ("pinkit", pinkit_rows)):
            began = time.perf_counter()
            count = fn(data)
            times[name].append(time.perf_counter() - began)
            assert count == args.rows, (name, count)
    best = {name: min(values) for name, values in times.items()}
    print(f"CSV report: {args.rows:,} rows, {len(data) / 1e6:.1f} MB")
    for name, seconds in best.items():
        print(f"  {name:9} {seconds:6.2f} s  {args.rows / seconds:>12,.0f} rows/s")
    ratio = best["pinkit"] / best["baseline"]
    print(f"  pinkit/baseline time ratio: {ratio:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
