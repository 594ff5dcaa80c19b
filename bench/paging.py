"""Iterate 100,000 pins from the emulator with pinkit and with a raw httpx2 loop.

The emulator runs under uvicorn in its own process. Each side runs in a fresh child process so
its peak RSS is its own; rounds alternate. Prints wall time, peak RSS growth and the ratios.
Targets: pinkit/raw wall-time ratio <= 1.2, RSS growth <= 30 MB.

Usage: python bench/paging.py [--pins 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import httpx2
from _server import emulator_server


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(kind: str, base_url: str, token: str) -> None:
    """Run in a child process: iterate every pin, print a JSON line with the measurements."""
    import pinkit

    client = pinkit.Client(token, base_url=base_url, rate_limits=False)
    raw = httpx2.Client(timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    count = 0
    if kind == "pinkit":
        for _ in client.pins.list():
            count += 1
    else:
        params: dict[str, str | int] = {"page_size": 250}
        while True:
            page = raw.get(f"{base_url}/pins", params=params, headers=headers).json()
            count += len(page["items"])
            if not page.get("bookmark"):
                break
            params["bookmark"] = page["bookmark"]
    wall = time.perf_counter() - start
    print(json.dumps({"count": count, "wall": wall, "rss_growth": peak_rss_mb() - rss_before}))


def run_worker(kind: str, base_url: str, token: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", kind, base_url, token],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pins", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "BASE_URL", "TOKEN"))
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return

    with emulator_server() as origin:
        control = httpx2.Client(base_url=f"{origin}/_emulator", timeout=120)
        control.post("/pins/seed", json={"count": args.pins}).raise_for_status()
        token = control.post("/tokens", json={}).json()["access_token"]
        base_url = f"{origin}/v5"
        results: dict[str, list[dict[str, float]]] = {"raw": [], "pinkit": []}
        for _ in range(args.rounds):
            for kind in ("raw", "pinkit"):
                result = run_worker(kind, base_url, token)
                assert result["count"] == args.pins, result
                results[kind].append(result)
            control.delete("/requests")

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in results[kind])

    for kind in ("raw", "pinkit"):
        print(
            f"{kind:7} {med(kind, 'wall'):7.2f} s wall for {args.pins} pins, "
            f"peak RSS growth {med(kind, 'rss_growth'):6.1f} MB"
        )
    print(f"ratio   {med('pinkit', 'wall') / med('raw', 'wall'):7.3f}  (target <= 1.2)")
    print(f"pinkit RSS growth {med('pinkit', 'rss_growth'):.1f} MB (target <= 30 MB)")


if __name__ == "__main__":
    main()
