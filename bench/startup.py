"""Wall time of ``pinkit --help`` against importing the official Pinterest SDK.

The target: ``pinkit --help`` is no slower than ``import pinterest`` of the official SDK
(``pinterest-api-sdk`` on PyPI), measured on the same machine in the same run. The SDK goes
into a throwaway venv (it is not a dependency of pinkit), created with this interpreter. The
SDK looks for a ``config.json`` in the folders under its working directory's parent, so it
runs from an empty temporary folder.

Every round runs each command once, in turn (so a busy machine slows them alike); the figures
are medians over the rounds, after one warm-up round. Bytecode caches are allowed
(``PYTHONDONTWRITEBYTECODE`` is dropped), as for an installed package.

Usage: python bench/startup.py [--runs 15] [--sdk-python PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

SDK = "pinterest-api-sdk"


def sdk_interpreter(folder: Path) -> Path:
    """A venv in ``folder`` with the official SDK installed (through pip, from PyPI)."""
    print(f"installing {SDK} into a throwaway venv ...", file=sys.stderr)
    venv.EnvBuilder(with_pip=True).create(folder)
    python = folder / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", SDK],
        check=True,
    )
    return python


def measure(commands: dict[str, tuple[list[str], Path]], runs: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, (cmd, cwd) in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, check=True, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
            if round_:  # round 0 warms the caches
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


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
    parser.add_argument("--sdk-python", type=Path, help="A Python with the SDK installed.")
    options = parser.parse_args()
    script = shutil.which("pinkit") or str(Path(sys.executable).with_name("pinkit"))
    here = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="pinkit-bench-") as tmp:
        sdk_python = options.sdk_python or sdk_interpreter(Path(tmp) / "sdk-venv")
        empty = Path(tmp) / "run" / "here"  # its parent holds nothing but this empty folder
        empty.mkdir(parents=True)
        commands = {
            "python -c pass": ([sys.executable, "-c", "pass"], here),
            "import pinterest (SDK)": ([str(sdk_python), "-c", "import pinterest"], empty),
            "import pinkit": ([sys.executable, "-c", "import pinkit"], here),
            "pinkit --help": ([script, "--help"], here),
            "pinkit boards --help": ([script, "boards", "--help"], here),
        }
        result = measure(commands, options.runs)
    base = result["python -c pass"]
    print(f"median of {options.runs} rounds (wall time, ms)")
    for name, value in result.items():
        extra = "" if name == "python -c pass" else f"  ({value - base:+.1f} ms)"
        print(f"{name:24} {value:7.1f}{extra}")
    ratio = result["pinkit --help"] / result["import pinterest (SDK)"]
    verdict = "met" if ratio <= 1.0 else "missed"
    print(f"pinkit --help / import pinterest = {ratio:.2f} (target <= 1.00: {verdict})")


if __name__ == "__main__":
    main()
    client_main()
