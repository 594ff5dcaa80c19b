"""Worker processes for the multi-process tests: ``python -m tests.web.workers JOB ARGS_JSON``.

Each worker builds its own objects from the JSON arguments (as a web worker would from its
configuration), waits until the ``go`` file exists, so that every worker starts at once, runs
its job, and prints one JSON line with what it saw.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


def _wait_for(go: str) -> None:
    """Say this worker is ready (``<go>.ready.<pid>``), then wait for the go signal."""
    import os

    Path(f"{go}.ready.{os.getpid()}").touch()
    deadline = time.monotonic() + 60
    while not Path(go).exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go signal within 60 s")
        time.sleep(0.002)


def refresh(args: dict[str, Any]) -> dict[str, Any]:
    """Load the user's (expired) token, then at the signal make one request: the client
    refreshes through the database first."""
    import pinkit
    from pinkit.web import Connections

    app = pinkit.OAuthApp(
        args["client_id"], args["client_secret"], args["redirect_uri"], api_base_url=args["base"]
    )
    conns = Connections(args["database_url"], app, encryption_keys=args["keys"])
    refreshed: list[bool] = []
    client = conns.client(args["user_key"])  # reads the stored, expired token now
    if args.get("lockless"):  # the control: the same store without its row lock
        client._tokens.store.lock = None  # type: ignore[method-assign,assignment]
    client._tokens.on_token_refresh = lambda _token: refreshed.append(True)
    before = client.token.access_token if client.token else ""
    _wait_for(args["go"])
    started = time.monotonic()
    try:
        account = client.user_account.get()
    except pinkit.PinterestError as exc:
        return {"error": type(exc).__name__, "refreshed": bool(refreshed)}
    elapsed = time.monotonic() - started
    used = client.token.access_token if client.token else ""
    conns.close()
    return {
        "username": account.username,
        "refreshed": bool(refreshed),
        "token_changed": used != before,
        "token": used,
        "elapsed_s": elapsed,
    }


def _limiter(args: dict[str, Any]) -> Any:
    import pinkit

    limit = pinkit.Limit(*args["limit"])
    if args["shared"]:
        return pinkit.RedisRateLimiter(args["redis_url"], limits={args["category"]: limit})
    return pinkit.LocalRateLimiter({args["category"]: limit})


def reads(args: dict[str, Any]) -> dict[str, Any]:
    """``count`` requests of ``user_account/get`` (org_read) as one user of one app."""
    import pinkit

    client = pinkit.Client(
        args["token"],
        base_url=args["base"],
        rate_limiter=_limiter(args),
        rate_limit_key=args["identity"],
        max_retries=0,
    )
    _wait_for(args["go"])
    ok = limited = 0
    started = time.monotonic()
    for _ in range(args["count"]):
        try:
            client.user_account.get()
            ok += 1
        except pinkit.RateLimitError:
            limited += 1
    return {"ok": ok, "limited": limited, "elapsed_s": time.monotonic() - started}


def conversions(args: dict[str, Any]) -> dict[str, Any]:
    """``send_bulk`` of ``count`` events in batches of ``batch`` for one ad account."""
    import pinkit
    from pinkit.conversions import make_event_id

    client = pinkit.Client(args["token"], base_url=args["base"], rate_limits=False)
    now = int(time.time()) - 60
    events = [
        {
            "event_name": "checkout",
            "action_source": "web",
            "event_time": now,
            "event_id": make_event_id("worker", args["worker"], i),
            "user_data": {"em": f"buyer.{args['worker']}.{i}@example.com"},
            "custom_data": {"currency": "USD", "value": "9.99"},
        }
        for i in range(args["count"])
    ]
    _wait_for(args["go"])
    started = time.monotonic()
    summary = client.conversions.send_bulk(
        args["account"],
        events,
        batch_size=args["batch"],
        concurrency=args["concurrency"],
        limiter=_limiter(args),
        max_retries=0,
    )
    return {
        "processed": summary.processed,
        "rejected": summary.total_rejected,
        "elapsed_s": time.monotonic() - started,
    }


JOBS = {"refresh": refresh, "reads": reads, "conversions": conversions}

if __name__ == "__main__":
    result = JOBS[sys.argv[1]](json.loads(sys.argv[2]))
    print(json.dumps(result), flush=True)
