"""Conversions at volume, in one run, each figure printed with its target:

* prepare: check, normalise, hash and serialise events as the bulk sender does
  (``EventPreparer``, then an ``EncodedPart`` that encodes them in short runs),
  in events per second of CPU time on one core, beside a baseline doing only the unavoidable
  part (``hashlib.sha256`` of the same pre-normalised values and ``json.dumps`` of the batch),
  and once more with the cyclic garbage collector off, to show what its collections of a
  batch's containers cost;
* end to end: ``client.conversions.send_bulk`` against ``pinkit emulator serve --memory`` in a
  separate process on loopback (its rate limits raised with ``/_emulator/rate_limits``);
* memory: the peak RSS growth (``VmHWM`` in /proc) of the bulk sender over 1,000,000 events from
  a generator (the sender's core, answered in-process so only pinkit's memory is measured).

Usage: python bench/conversions.py [--events 200000] [--rss-events 1000000]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2

from pinkit import Client
from pinkit.conversions import BulkSender, EventPreparer, SenderConfig
from pinkit.conversions._sender import EncodedPart

TARGETS = {"prepare": 150_000, "end_to_end": 50_000, "rss_mb": 50}
UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1"


def raw_event(i: int, now: int) -> dict[str, Any]:
    return {
        "event_name": "checkout",
        "action_source": "web",
        "event_time": now - 60,
        "event_id": f"order-{i}-checkout",
        "event_source_url": "https://shop.example.com/checkout",
        "user_data": {
            "em": f" Buyer.{i}@Example.com",
            "ph": f"+1 (650) 555-{i % 10000:04d}",
            "external_id": f"customer-{i}",
            "client_ip_address": "203.0.113.7",
            "client_user_agent": UA,
            "click_id": f"dj0yJnU9{i:08d}",
        },
        "custom_data": {"currency": "usd", "value": "72.39", "order_id": f"order-{i}"},
    }


def events(n: int, now: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield raw_event(i, now)


# -- prepare ---------------------------------------------------------------------------------------
def bench_prepare(n: int) -> tuple[float, float, float]:
    """Events per second of pinkit's prepare, of the baseline, and of pinkit's prepare with
    the cyclic garbage collector off (what its collections of the batch's containers cost)."""
    now = int(time.time())
    batch = [raw_event(i, now) for i in range(1000)]
    preparer = EventPreparer()
    rounds = max(1, n // 1000)

    def pinkit_round() -> None:
        prepare, part = preparer.prepare, EncodedPart(offline=False)
        for i, e in enumerate(batch):
            part.add(i, prepare(e, now).event)
        part.body()

    normalised = [
        (
            e["user_data"]["em"].strip().lower(),
            "".join(c for c in e["user_data"]["ph"] if c.isdigit()),
            e["user_data"]["external_id"],
            e,
        )
        for e in batch
    ]

    def baseline_round() -> None:
        sha = hashlib.sha256
        out = []
        for em, ph, ext, e in normalised:
            ud = e["user_data"]
            out.append(
                {
                    **e,
                    "user_data": {
                        "em": [sha(em.encode()).hexdigest()],
                        "ph": [sha(ph.encode()).hexdigest()],
                        "external_id": [sha(ext.encode()).hexdigest()],
                        "client_ip_address": ud["client_ip_address"],
                        "client_user_agent": ud["client_user_agent"],
                        "click_id": ud["click_id"],
                    },
                }
            )
        json.dumps({"data": out}, separators=(",", ":")).encode()

    def rate(func: Any) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            for _ in range(rounds):
                func()
            best = min(best, time.process_time() - start)
        return rounds * 1000 / best

    pinkit_rate, baseline = rate(pinkit_round), rate(baseline_round)
    gc.disable()
    try:
        without_gc = rate(pinkit_round)
    finally:
        gc.enable()
    return pinkit_rate, baseline, without_gc


# -- end to end ------------------------------------------------------------------------------------
def serve() -> tuple[subprocess.Popen[str], str]:
    pinkit = Path(sys.executable).with_name("pinkit")
    proc = subprocess.Popen(
        [str(pinkit), "emulator", "serve", "--memory", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    if not base.startswith("http"):
        proc.kill()
        raise RuntimeError("the emulator did not start")
    # its access log goes on in the pipe: read it, or a long run fills the pipe and stalls it
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, base


def unlimited_account(origin: str) -> tuple[str, str, int]:
    """On the emulator at ``origin``, limits lifted: an access token, its ad account, and the
    emulator's clock (events are timed by it)."""
    for category in ("ads_conversions", "universal"):
        body = {"category": category, "limit": 10**9}
        httpx2.post(f"{origin}/_emulator/rate_limits", json=body).raise_for_status()
    token = httpx2.post(f"{origin}/_emulator/tokens", json={}).json()["access_token"]
    now = int(httpx2.get(f"{origin}/_emulator/clock").json()["now"])
    with Client(token, base_url=f"{origin}/v5") as client:
        account = next(iter(client.ad_accounts.list())).id
    assert account is not None
    return token, account, now


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_end_to_end(n: int) -> tuple[float, Any, float, float]:
    """Events per second (wall clock), the summary, and the CPU microseconds per event of
    the client and of the emulator's process."""
    proc, base = serve()
    origin = base.removesuffix("/v5")
    try:
        token, account, now = unlimited_account(origin)
        with Client(token, base_url=base) as client:
            start, cpu, server = time.perf_counter(), time.process_time(), _cpu_s(proc.pid)
            summary = client.conversions.send_bulk(account, events(n, now))
            elapsed = time.perf_counter() - start
            cpu, server = time.process_time() - cpu, _cpu_s(proc.pid) - server
        assert summary.processed == n, summary
        return n / elapsed, summary, cpu / n * 1e6, server / n * 1e6
    finally:
        proc.terminate()
        proc.wait(10)


# -- memory ----------------------------------------------------------------------------------------
def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def bench_rss(n: int) -> tuple[float, float]:
    """Peak RSS growth (MB) while the sender streams ``n`` events, and its rate."""
    from pinkit._clock import SYSTEM_CLOCK
    from pinkit._flow import Locks, run_sync

    def post(body: bytes, test: bool, repeatable: bool) -> Any:
        count = body.count(b'"event_id"')
        return {"num_events_received": count, "events": [{"status": "processed"}] * count}
        yield  # a flow that sends nothing

    now = int(time.time())
    sender = BulkSender(SenderConfig(ad_account_id="549755885175"), post, now=time.time)
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak to the current RSS
    before = _status("VmHWM")
    start = time.perf_counter()
    with httpx2.Client() as http:
        summary = run_sync(sender.run(events(n, now)), http, Locks(), SYSTEM_CLOCK)
    elapsed = time.perf_counter() - start
    assert summary.processed == n
    return (_status("VmHWM") - before) / 2**20, n / elapsed


def line(name: str, value: float, unit: str, target: float, *, at_most: bool = False) -> str:
    met = value <= target if at_most else value >= target
    sign = "<=" if at_most else ">="
    verdict = "ok" if met else "MISSED"
    ratio = f"{value / target:.2f}x the target"
    return f"{name:<34}{value:>12,.0f} {unit:<9} target {sign} {target:,} {verdict} ({ratio})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000, help="end-to-end events")
    parser.add_argument("--rss-events", type=int, default=1_000_000)
    parser.add_argument("--prepare-events", type=int, default=50_000)
    args = parser.parse_args()
    if sys.platform != "linux":
        sys.exit("bench/conversions.py reads /proc: Linux only")
    os.environ.pop("PINKIT_LOG", None)
    pinkit_rate, baseline, without_gc = bench_prepare(args.prepare_events)
    print(line("prepare (one core)", pinkit_rate, "events/s", TARGETS["prepare"]))
    print(
        f"{'  baseline: hashlib + json.dumps':<34}{baseline:>12,.0f} events/s "
        f"(pinkit: {pinkit_rate / baseline:.2f}x the baseline)"
    )
    print(
        f"{'  pinkit with the collector off':<34}{without_gc:>12,.0f} events/s "
        f"(its collections: {1 - pinkit_rate / without_gc:.0%} of prepare's time)"
    )
    rss, rss_rate = bench_rss(args.rss_events)
    name = f"peak RSS growth, {args.rss_events:,} events"
    memory = line(name, rss, "MB", TARGETS["rss_mb"], at_most=True)
    print(f"{memory} ({rss_rate:,.0f} events/s, no network)")
    e2e, summary, client_us, server_us = bench_end_to_end(args.events)
    print(line(f"end to end, {args.events:,} events", e2e, "events/s", TARGETS["end_to_end"]))
    bound = 1e6 / max(client_us, server_us)
    print(
        f"  CPU per event: client {client_us:.1f} us, emulator {server_us:.1f} us (with a free "
        f"core each: {bound:,.0f} events/s, {e2e / bound:.2f}x of it reached); "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  {summary.received:,} sent, {summary.processed:,} processed, {summary.retried} retried"
    )


if __name__ == "__main__":
    main()
