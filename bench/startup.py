"""Wall time of ``import pinkit`` and ``pinkit --help`` against a bare interpreter start.

Usage: python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def wall(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


# -- making a client: `import pinkit; pinkit.Client("x")` against `import httpx2;
# httpx2.Client()`, the HTTP stack pinkit builds on. Target: at most 1.2x.

CLIENT_TARGET = 1.2  # pinkit's client may cost at most this much more than httpx2's
CLIENT_CODE = {
    "pinkit": "import pinkit; pinkit.Client('x')",
    "httpx2": "import httpx2; httpx2.Client()",
}


def client_startup(runs: int) -> dict[str, float]:
    """Median wall time (ms) of a fresh interpreter making a ``pinkit.Client`` and of one
    making an ``httpx2.Client``, measured in alternation so that machine load hits both alike.

    Both run from bytecode, as installed packages do: PYTHONDONTWRITEBYTECODE is dropped for
    these runs and a first, unmeasured run of each writes the caches."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    commands = {name: [sys.executable, "-c", code] for name, code in CLIENT_CODE.items()}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():
        subprocess.run(cmd, check=True, env=env)
    for _ in range(runs):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def report_client_startup(runs: int) -> None:
    medians = client_startup(runs)
    ratio = medians["pinkit"] / medians["httpx2"]
    verdict = "ok" if ratio <= CLIENT_TARGET else f"over the {CLIENT_TARGET}x target"
    print(f"pinkit.Client()  {medians['pinkit']:7.1f} ms")
    print(f"httpx2.Client()  {medians['httpx2']:7.1f} ms  (pinkit {ratio:.2f}x: {verdict})")


def client_main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    report_client_startup(parser.parse_args().runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    script = shutil.which("pinkit") or str(Path(sys.executable).with_name("pinkit"))
    base = wall([sys.executable, "-c", "pass"], runs)
    imp = wall([sys.executable, "-c", "import pinkit"], runs)
    helps = wall([script, "--help"], runs)
    print(f"python -c pass   {base:7.1f} ms")
    print(f"import pinkit    {imp:7.1f} ms  (+{imp - base:.1f} ms)")
    print(f"pinkit --help    {helps:7.1f} ms  (+{helps - base:.1f} ms)")


if __name__ == "__main__":
    main()
    client_main()
