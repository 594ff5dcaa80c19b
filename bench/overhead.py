"""CPU per call of ``client.user_account.get()`` versus the same request with raw httpx2.

Both run in this process against one emulator served by uvicorn in a child process (its rate
limits raised), in alternating rounds so that machine noise hits both alike. The raw client
sets its headers once. The client keeps its default rate limiter, which paces it at
Pinterest's 100 calls a second; a process that sleeps between calls finds its caches cold
when it wakes, so the raw loop is measured paced alike too, and the client with
``rate_limits=False`` shows its own cost apart from the pacing. Prints the median CPU time per
call of each and the ratios (target: <= 1.10; ``bench/peers/run.py`` measures the same beside
the peers).

Usage: python bench/overhead.py [--calls 1000] [--rounds 5]
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


def paced(fn: Callable[[], object], rate: float = 100.0) -> Callable[[], object]:
    """``fn`` held to ``rate`` calls a second, as pinkit's default limiter holds the client
    (a token bucket of ``rate`` slots, full at the start)."""
    bucket = {"tokens": rate, "updated": time.monotonic()}

    def call() -> object:
        now = time.monotonic()
        bucket["tokens"] = min(rate, bucket["tokens"] + (now - bucket["updated"]) * rate) - 1
        bucket["updated"] = now
        if bucket["tokens"] < 0:
            time.sleep(-bucket["tokens"] / rate)
        return fn()

    return call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with emulator_server() as origin:
        control = httpx2.Client(base_url=f"{origin}/_emulator")
        token = control.post("/tokens", json={}).json()["access_token"]
        base_url = f"{origin}/v5"

        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        raw = httpx2.Client(timeout=60, headers=headers)

        def raw_call() -> object:
            response = raw.get(f"{base_url}/user_account")
            response.raise_for_status()
            return response.json()

        client = pinkit.Client(token, base_url=base_url)  # the default rate limiter
        unpaced = pinkit.Client(token, base_url=base_url, rate_limits=False)
        calls: dict[str, Callable[[], object]] = {
            "raw httpx2": raw_call,
            "raw httpx2 paced": paced(raw_call),
            "pinkit.Client": client.user_account.get,
            "pinkit unpaced": unpaced.user_account.get,
        }
        for fn in calls.values():  # warm up connections and caches
            cpu_per_call(fn, 50)
        times: dict[str, list[float]] = {name: [] for name in calls}
        for _ in range(args.rounds):
            for name, fn in calls.items():
                times[name].append(cpu_per_call(fn, args.calls))
            control.delete("/requests")
        us = {name: statistics.median(values) * 1e6 for name, values in times.items()}
        for name, value in us.items():
            print(f"{name:17} {value:8.1f} µs CPU per call")
        print("(pinkit's figures include parsing the typed Account model)")
        for what, row, floor in (
            ("limiter on / raw", "pinkit.Client", "raw httpx2"),
            ("both paced", "pinkit.Client", "raw httpx2 paced"),
            ("limiter off / raw", "pinkit unpaced", "raw httpx2"),
        ):
            print(f"ratio, {what:17} {us[row] / us[floor]:6.3f}  (target <= 1.10)")
        client.close()
        unpaced.close()
        raw.close()


if __name__ == "__main__":
    main()
