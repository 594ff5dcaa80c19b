"""Latency of one ``GET /v5/user_account`` against ``Emulator()`` (served in a thread of this
process) and against ``pinkit emulator serve`` (its own process), both from a raw httpx2 client.

Every user's test over real HTTP pays the in-thread server's latency, so it must stay close to
the standalone server's. Prints the median wall time per request of each and the ratio
(target: <= 1.2).

Usage: python bench/emulator_latency.py [--requests 300] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx2
from _server import emulator_server

from pinkit.emulator import Emulator


def median_latency(client: httpx2.Client, requests: int) -> float:
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get("/user_account").raise_for_status()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def token_for(origin: str) -> str:
    grant = httpx2.post(f"{origin}/_emulator/tokens", json={}).raise_for_status().json()
    return str(grant["access_token"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    limits = {"category": "universal", "limit": 1_000_000, "window_s": 1}
    with emulator_server() as served, Emulator() as in_thread:
        clients = {}
        for name, origin in (("serve", served), ("Emulator()", in_thread.origin)):
            httpx2.post(f"{origin}/_emulator/rate_limits", json=limits).raise_for_status()
            for category in ("org_read",):
                limit = {"category": category, "limit": 1_000_000, "window_s": 60}
                httpx2.post(f"{origin}/_emulator/rate_limits", json=limit).raise_for_status()
            headers = {"Authorization": f"Bearer {token_for(origin)}"}
            clients[name] = httpx2.Client(base_url=f"{origin}/v5", headers=headers)
        results: dict[str, list[float]] = {name: [] for name in clients}
        for _ in range(args.rounds):
            for name, client in clients.items():
                results[name].append(median_latency(client, args.requests))
        for client in clients.values():
            client.close()
    served_s = statistics.median(results["serve"])
    thread_s = statistics.median(results["Emulator()"])
    print(f"pinkit emulator serve: {served_s * 1000:.2f} ms per GET /user_account")
    print(f"Emulator() in thread:  {thread_s * 1000:.2f} ms per GET /user_account")
    print(f"ratio Emulator()/serve: {thread_s / served_s:.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
