"""Start the emulator under uvicorn in a child process, so its CPU is not counted.

Its rate limits are raised (every category, the universal 100 a second included), so that no
client under measurement is refused: the clients keep their own limits.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def emulator_server() -> Iterator[str]:
    """Yields the origin (``http://127.0.0.1:PORT``) of a running emulator."""
    port = free_port()
    code = f"from pinkit.emulator import serve; serve(port={port})"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx2.get(f"{origin}/_emulator/clock", timeout=1).raise_for_status()
                break
            except httpx2.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.1)
        raise_limits(origin)
        yield origin
    finally:
        proc.terminate()
        proc.wait(10)


def raise_limits(origin: str) -> None:
    """Let the emulator at ``origin`` take any number of requests in every category."""
    control = f"{origin}/_emulator/rate_limits"
    for category in httpx2.get(control, timeout=10).json():
        window = 1 if category == "universal" else 60
        body = {"category": category, "limit": 10**9, "window_s": window}
        httpx2.post(control, json=body, timeout=10).raise_for_status()
