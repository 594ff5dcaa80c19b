"""Wall time of ``import pinkit`` and ``pinkit --help`` against a bare interpreter start.

Usage: python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
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
