"""CPU per call of ``client.user_account.get()`` versus the same request with raw httpx2.

Both run in this process against one emulator served by uvicorn in a child process (its rate
limits raised), in alternating rounds so that machine noise hits both alike. The client keeps
its default rate limiter, which paces it at Pinterest's 100 calls a second. Prints the median
CPU time per call of each and the ratio (target: <= 1.10; ``bench/peers/run.py`` measures the
same beside the peers).

Usage: python bench/overhead.py [--calls 2000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import httpx2
from _server import emulator_server

import pinkit


def cpu_per_call(fn: Callable[[], object], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - start) / calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    with emulator_server() as origin:
        control = httpx2.Client(base_url=f"{origin}/_emulator")
        token = control.post("/tokens", json={}).json()["access_token"]
        base_url = f"{origin}/v5"

        raw = httpx2.Client(timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

        def raw_call() -> object:
            response = raw.get(f"{base_url}/user_account", headers=headers)
            response.raise_for_status()
            return response.json()

        client = pinkit.Client(token, base_url=base_url)  # the default rate limiter

        def pinkit_call() -> object:
            return client.user_account.get()

        for fn in (raw_call, pinkit_call):  # warm up connections and caches
            cpu_per_call(fn, 50)
        raw_times, pinkit_times = [], []
        for _ in range(args.rounds):
            raw_times.append(cpu_per_call(raw_call, args.calls))
            pinkit_times.append(cpu_per_call(pinkit_call, args.calls))
            control.delete("/requests")
        raw_us = statistics.median(raw_times) * 1e6
        pinkit_us = statistics.median(pinkit_times) * 1e6
        print(f"raw httpx2      {raw_us:8.1f} µs CPU per call")
        print(f"pinkit.Client   {pinkit_us:8.1f} µs CPU per call (typed Account model included)")
        print(f"ratio           {pinkit_us / raw_us:8.3f}  (target <= 1.10)")
        client.close()
        raw.close()


if __name__ == "__main__":
    main()
