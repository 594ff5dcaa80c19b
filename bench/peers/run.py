"""pinkit against its peers, raw httpx2 and requests: the same work, side by side, in one run.

The emulator (``pinkit emulator serve``) runs in its own process, pinned to CPU 0 where taskset
works, with every rate limit raised so that no client is refused; each measured run is a fresh
process (pinned to CPU 1) that does one workload with one client (``work.py``). The peers run
in their own virtual environments (``envs.py``). Rounds alternate the clients' order; the
figures are medians over the rounds. CPU seconds are the client process's own (every thread);
wall seconds are beside them; peak RSS is the process's ``VmHWM``.

The rows that pace at Pinterest's 100 calls a second (pinkit with its default limiter, and raw
httpx2 sleeping alike: the like-for-like floor) run side by side, at the same moment on the
same CPU: each sleeps nine tenths of the time, so they share the waiting, not the CPU, and the
run keeps within ten minutes.

A run that took over ``--once`` seconds and whose CPU is beyond twice the reference's (or under
half of it) is not repeated: more rounds cannot change which side is ahead, and the official
SDK's 100,000 conversion events alone take a minute of CPU.

Prints a table and writes ``bench/RESULTS.md`` (the machine, its load, the date, the targets).

Usage: python bench/peers/run.py [--rounds 3] [--quick] [--only get,create] [--out FILE]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime
import json
import os
import platform
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from envs import interpreter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
WORKER = HERE / "work.py"
PINKIT_PYTHON = Path(sys.executable)

#: client -> the environment it runs in (None: pinkit's own)
ENVIRONMENTS: dict[str, str | None] = {
    "pinkit": None,
    "pinkit-async": None,
    "httpx2": None,
    "httpx2-async": None,
    "requests": "requests",
    "official-sdk": "official",
    "generated": "official",
    "sns": "sns",
    "sns-async": "sns",
}
LABELS = {
    "pinkit": "pinkit",
    "pinkit-async": "pinkit async",
    "httpx2": "raw httpx2",
    "httpx2-async": "raw httpx2 async",
    "requests": "requests",
    "official-sdk": "official SDK 0.2.7 models",
    "generated": "official generated client",
    "sns": "python-pinterest 0.2.0",
    "sns-async": "python-pinterest 0.2.0 async",
}


PACED = "sleeps as pinkit's limiter does at Pinterest's 100 calls a second"
PINKIT_PACED = '`rate_limits={"universal": (100, 1.0)}`: Pinterest\'s 100 calls a second kept'
UNPACED = "`rate_limits=False`: pinkit's own cost, no limiter"
DEFAULT = "default limiter, following the emulator's raised limits (from its headers)"


@dataclass
class Workload:
    key: str
    title: str
    size: str  # which option sizes it
    rows: list[tuple[str, str]]  # (client, work.py workload); the first is the reference
    notes: dict[str, str] = field(default_factory=dict)
    #: rows that pace at 100 calls a second (asleep nine tenths of the time): run side by side
    together: tuple[str, ...] = ()
    #: the pinkit row doing the peers' work, which they are compared with (None: the first)
    like_peers: str | None = None


WORKLOADS = [
    Workload(
        "get",
        "{n:,} GET /user_account (typed where the client has models)",
        "calls",
        [
            ("pinkit", "get"),
            ("pinkit", "request"),
            ("pinkit", "get_paced"),
            ("pinkit", "get_unpaced"),
            ("httpx2", "get"),
            ("httpx2", "get_paced"),
            ("requests", "get"),
            ("official-sdk", "get"),
            ("generated", "get"),
            ("sns", "get"),
        ],
        {
            "pinkit:get": DEFAULT,
            "pinkit:request": 'client.request("GET", "/user_account"), dicts',
            "pinkit:get_paced": PINKIT_PACED,
            "pinkit:get_unpaced": UNPACED,
            "httpx2:get_paced": PACED,
        },
        together=("pinkit:get_paced", "httpx2:get_paced"),
    ),
    Workload(
        "page_typed",
        "paging {n:,} pins of a board, page size 250, typed models",
        "pins",
        [
            ("pinkit", "page_typed"),
            ("httpx2", "page_dicts"),
            ("official-sdk", "page_typed"),
            ("generated", "page_typed"),
            ("sns", "page_typed"),
        ],
        {
            "httpx2:page_dicts": "the raw loop (dicts) is the floor",
            "generated:page_typed": "no models: its list_pins answer is untyped (dicts)",
        },
    ),
    Workload(
        "page_dicts",
        "paging {n:,} pins of a board, page size 250, dicts",
        "pins",
        [
            ("pinkit", "page_dicts"),
            ("httpx2", "page_dicts"),
            ("requests", "page_dicts"),
            ("generated", "page_dicts"),
            ("sns", "page_dicts"),
        ],
        {"generated:page_dicts": "_preload_content=False, then json.loads"},
    ),
    Workload(
        "create",
        "{n:,} board creates",
        "creates",
        [
            ("pinkit", "create"),
            ("pinkit", "create_unpaced"),
            ("httpx2", "create"),
            ("requests", "create"),
            ("official-sdk", "create"),
            ("generated", "create"),
            ("sns", "create"),
        ],
        {
            "pinkit:create": DEFAULT,
            "pinkit:create_unpaced": UNPACED,
            "official-sdk:create": "Board.create: a POST, then a GET of the board",
        },
    ),
    Workload(
        "conversions",
        "{n:,} conversion events, batches of 1,000",
        "events",
        [
            ("pinkit", "conversions"),
            ("pinkit", "conversions_hashed"),
            ("httpx2", "conversions"),
            ("requests", "conversions"),
            ("official-sdk", "conversions"),
            ("generated", "conversions"),
            ("sns", "conversions"),
        ],
        {
            "pinkit:conversions": "send_bulk from raw PII: checks, normalises and hashes",
            "pinkit:conversions_hashed": "send_bulk on the events the others get, hashed before",
            "sns:conversions": "no conversions call: its generic api.request",
        },
        like_peers="pinkit:conversions_hashed",
    ),
    Workload(
        "concurrent",
        "{n:,} GET /user_account by 16 concurrent tasks",
        "calls",
        [
            ("pinkit-async", "concurrent"),
            ("pinkit-async", "concurrent_paced"),
            ("pinkit-async", "concurrent_unpaced"),
            ("httpx2-async", "concurrent"),
            ("httpx2-async", "concurrent_paced"),
            ("sns-async", "concurrent"),
        ],
        {
            "pinkit-async:concurrent": DEFAULT,
            "pinkit-async:concurrent_paced": PINKIT_PACED,
            "pinkit-async:concurrent_unpaced": UNPACED,
            "httpx2-async:concurrent_paced": PACED,
        },
        together=("pinkit-async:concurrent_paced", "httpx2-async:concurrent_paced"),
    ),
]
UNSUPPORTED_ELSEWHERE = {
    "concurrent": "official SDK: no asyncio API (async_req runs calls in a thread pool)",
}


@dataclass
class Target:
    workload: str
    row: str
    floor: str
    limit: float
    what: str


TARGETS = [
    Target("get", "pinkit:get", "httpx2:get", 1.10, "per call, default rate limiter on"),
    Target("get", "pinkit:get_paced", "httpx2:get_paced", 1.10, "per call, both paced at 100/s"),
    Target("get", "pinkit:request", "httpx2:get", 1.10, "per call, `request()`"),
    Target("get", "pinkit:get_unpaced", "httpx2:get", 1.10, "per call, limiter off"),
    Target("page_typed", "pinkit:page_typed", "httpx2:page_dicts", 1.10, "paging, typed"),
    Target("page_dicts", "pinkit:page_dicts", "httpx2:page_dicts", 1.02, "paging, dicts"),
    Target("concurrent", "pinkit-async:concurrent", "httpx2-async:concurrent", 1.05, "async"),
    Target(
        "concurrent",
        "pinkit-async:concurrent_paced",
        "httpx2-async:concurrent_paced",
        1.05,
        "async, both paced at 100/s",
    ),
    Target(
        "concurrent",
        "pinkit-async:concurrent_unpaced",
        "httpx2-async:concurrent",
        1.05,
        "async, limiter off",
    ),
    Target("create", "pinkit:create", "httpx2:create", 1.10, "creates"),
    Target("create", "pinkit:create_unpaced", "httpx2:create", 1.10, "creates, limiter off"),
]


# -- the emulator -------------------------------------------------------------------------------


def can_pin() -> bool:
    return (
        shutil.which("taskset") is not None
        and (os.cpu_count() or 1) >= 2
        and subprocess.run(["taskset", "-c", "0", "true"], capture_output=True).returncode == 0
    )


PIN = can_pin()


def pinned(cpu: int, command: list[str]) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if PIN else command


@contextlib.contextmanager
def emulator() -> Iterator[str]:
    """``pinkit emulator serve --memory --port 0`` on loopback: yields its base URL."""
    pinkit = PINKIT_PYTHON.with_name("pinkit")
    proc = subprocess.Popen(
        pinned(0, [str(pinkit), "emulator", "serve", "--memory", "--port", "0"]),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        line = proc.stdout.readline().strip() if ready else ""
        if not line.startswith("http"):
            raise RuntimeError("the emulator did not start")
        # uvicorn logs every request to stdout: read it away, or the pipe fills and blocks it
        threading.Thread(target=collections.deque, args=(proc.stdout, 0), daemon=True).start()
        yield line
    finally:
        proc.terminate()
        proc.wait(10)


@dataclass
class State:
    base_url: str
    token: str
    board_id: str
    ad_account_id: str


def prepare(base_url: str, pins: int) -> tuple[State, httpx2.Client]:
    """Raise every limit, issue a token, seed a board of ``pins`` pins, find the ad account."""
    origin = base_url.removesuffix("/v5")
    control = httpx2.Client(base_url=f"{origin}/_emulator", timeout=120)
    for category in control.get("/rate_limits").json():
        window = 1 if category == "universal" else 60
        control.post(
            "/rate_limits", json={"category": category, "limit": 10**9, "window_s": window}
        ).raise_for_status()
    token = control.post("/tokens", json={}).json()["access_token"]
    board = control.post("/pins/seed", json={"count": pins}).json()["board_id"]
    accounts = httpx2.get(
        f"{base_url}/ad_accounts", headers={"Authorization": f"Bearer {token}"}
    ).json()
    return State(base_url, token, board, accounts["items"][0]["id"]), control


# -- runs ---------------------------------------------------------------------------------------


class Runner:
    def __init__(self, state: State, sizes: dict[str, int], tasks: int, sdk_cwd: Path) -> None:
        self.state = state
        self.sizes = sizes
        self.tasks = tasks
        self.sdk_cwd = sdk_cwd
        self.count = 0

    def run(self, client: str, workload: str, size: str) -> dict[str, Any]:
        return self.finish(self.start(client, workload, size), client, workload)

    def start(self, client: str, workload: str, size: str) -> subprocess.Popen[str]:
        env_name = ENVIRONMENTS[client]
        python = PINKIT_PYTHON if env_name is None else interpreter(env_name)
        self.count += 1
        spec = {
            "client": client,
            "workload": workload,
            "base_url": self.state.base_url,
            "token": self.state.token,
            "board_id": self.state.board_id,
            "ad_account_id": self.state.ad_account_id,
            "n": self.sizes[size],
            "page_size": 250,
            "tasks": self.tasks,
            "tag": f"{client} {self.count}",
        }
        env = dict(os.environ)
        cwd = ROOT
        if env_name == "official":
            # The SDK reads its host at import, and walks the folders under its working
            # directory's parent for a config.json: an empty folder in an empty folder.
            env["PINTEREST_API_URI"] = self.state.base_url
            env["PINTEREST_ACCESS_TOKEN"] = self.state.token
            cwd = self.sdk_cwd
        return subprocess.Popen(
            pinned(1, [str(python), str(WORKER), json.dumps(spec)]),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=env,
        )

    @staticmethod
    def finish(proc: subprocess.Popen[str], client: str, workload: str) -> dict[str, Any]:
        stdout, stderr = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"{client} {workload} failed:\n{stderr[-3000:]}")
        return json.loads(stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def rotate(rows: list[Any], round_: int) -> list[Any]:
    """The rows in a different order each round: rotated, and reversed every other round."""
    k = round_ % len(rows)
    rows = rows[k:] + rows[:k]
    return rows[::-1] if round_ % 2 else rows


# -- startup ------------------------------------------------------------------------------------

REPORT_RSS = (
    "\nimport sys as _s\n"
    "_s.stderr.write([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
)
HELP = (
    "import sys\nsys.argv = ['pinkit', '--help']\nfrom pinkit.cli import main\n"
    "try:\n    main()\nexcept SystemExit:\n    pass"
)
#: (row, environment, code): cold import, import plus a client, --help
STARTUP = [
    ("pinkit: import", None, "import pinkit"),
    ("pinkit: import + Client('x')", None, "import pinkit\npinkit.Client('x')"),
    ("pinkit: --help", None, HELP),
    ("httpx2: import", None, "import httpx2"),
    ("httpx2: import + Client()", None, "import httpx2\nhttpx2.Client()"),
    ("requests: import", "requests", "import requests"),
    ("requests: import + Session()", "requests", "import requests\nrequests.Session()"),
    ("official SDK: import", "official", "from pinterest.client import PinterestSDKClient"),
    (
        "official SDK: import + client",
        "official",
        "from pinterest.client import PinterestSDKClient\n"
        "PinterestSDKClient.create_client_with_token('x')",
    ),
    ("generated client: import", "official", "import openapi_generated.pinterest_client"),
    (
        "generated client: import + ApiClient",
        "official",
        "from openapi_generated.pinterest_client import ApiClient, Configuration\n"
        "ApiClient(Configuration(access_token='x'))",
    ),
    ("python-pinterest: import", "sns", "import pinterest"),
    (
        "python-pinterest: import + Api",
        "sns",
        "from pinterest import Api\nApi(access_token='x')",
    ),
]


def startup(runs: int, sdk_cwd: Path) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds and peak RSS of fresh interpreters doing each STARTUP row,
    from bytecode (a first, unmeasured round writes the caches), rows alternating."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    samples: dict[str, list[tuple[float, float, float]]] = {row: [] for row, _, _ in STARTUP}
    for round_ in range(runs + 1):
        for row, env_name, code in rotate(STARTUP, round_):
            python = PINKIT_PYTHON if env_name is None else interpreter(env_name)
            cwd = sdk_cwd if env_name == "official" else ROOT
            start = time.perf_counter()
            proc = subprocess.Popen(
                pinned(1, [str(python), "-c", code + REPORT_RSS]),
                cwd=cwd,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert proc.stderr is not None
            err = proc.stderr.read()
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            proc.stderr.close()
            if proc.returncode != 0:
                raise RuntimeError(f"{row} failed:\n{err[-2000:]}")
            if round_:
                rss = int(err.strip().splitlines()[-1].split()[1]) / 1024
                samples[row].append((wall, usage.ru_utime + usage.ru_stime, rss))
    return {
        row: {
            "wall": statistics.median(s[0] for s in values),
            "cpu": statistics.median(s[1] for s in values),
            "rss_mb": statistics.median(s[2] for s in values),
        }
        for row, values in samples.items()
    }


# -- report -------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    return (
        f"{cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--pins", type=int, default=10_000)
    parser.add_argument("--creates", type=int, default=500)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--tasks", type=int, default=16)
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--once", type=float, default=8.0, help="see the module's docstring")
    parser.add_argument("--only", help="comma-separated workloads (and/or 'startup')")
    parser.add_argument("--quick", action="store_true", help="a tenth of every size, 1 round")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 1
        args.calls, args.pins, args.creates = args.calls // 10, args.pins // 10, args.creates // 10
        args.events, args.startup_runs = args.events // 10, 1
    only = set(args.only.split(",")) if args.only else None
    workloads = [w for w in WORKLOADS if only is None or w.key in only]
    sizes = {"calls": args.calls, "pins": args.pins, "creates": args.creates}
    sizes["events"] = args.events
    started = time.monotonic()
    loads = [load()]
    for name in ("official", "sns", "requests"):
        interpreter(name)

    with tempfile.TemporaryDirectory(prefix="pinkit-peers-") as tmp:
        sdk_cwd = Path(tmp) / "sdk" / "here"  # its parent holds nothing but this empty folder
        sdk_cwd.mkdir(parents=True)
        results: dict[str, dict[str, list[dict[str, Any]]]] = {w.key: {} for w in workloads}
        unsupported: dict[str, dict[str, str]] = {w.key: {} for w in workloads}
        if workloads:
            with emulator() as base_url:
                state, control = prepare(base_url, args.pins)
                runner = Runner(state, sizes, args.tasks, sdk_cwd)
                for round_ in range(args.rounds):
                    for w in workloads:
                        ran: set[str] = set()
                        for client, mode in rotate(w.rows, round_):
                            row = f"{client}:{mode}"
                            if row in ran:
                                continue
                            # A paced row starts with the other paced rows of its workload.
                            group = (
                                [row]
                                if row not in w.together
                                else [r for r in w.together if r not in ran]
                            )
                            launched: list[tuple[str, subprocess.Popen[str]]] = []
                            for r in group:
                                ran.add(r)
                                done = results[w.key].setdefault(r, [])
                                if r in unsupported[w.key] or skip(w, r, done, results, args):
                                    continue
                                c, m = r.split(":")
                                launched.append((r, runner.start(c, m, w.size)))
                            for r, proc in launched:
                                c, m = r.split(":")
                                result = runner.finish(proc, c, m)
                                record(w, r, result, round_, sizes, results, unsupported)
                            if launched:
                                control.delete("/requests")
                    loads.append(load())
        boot = startup(args.startup_runs, sdk_cwd) if only is None or "startup" in only else {}
    loads.append(load())
    report = render(workloads, results, unsupported, boot, sizes, args, loads, started)
    print(report)
    args.out.write_text(report)
    print(f"written to {args.out}", file=sys.stderr)


def record(
    w: Workload,
    row: str,
    result: dict[str, Any],
    round_: int,
    sizes: dict[str, int],
    results: dict[str, dict[str, list[dict[str, Any]]]],
    unsupported: dict[str, dict[str, str]],
) -> None:
    """Keep one run's result (or that the client cannot do the work) and print it."""
    if "unsupported" in result:
        unsupported[w.key][row] = result["unsupported"]
        return
    expected = sizes[w.size]
    if result["count"] != expected:
        raise RuntimeError(f"{row}: {result['count']} of {expected}")
    results[w.key].setdefault(row, []).append(result)
    print(
        f"round {round_ + 1} {w.key:11} {row:24} cpu {result['cpu']:7.3f}"
        f" s  wall {result['wall']:7.3f} s  rss {result['rss_mb']:6.1f} MB",
        file=sys.stderr,
    )


def skip(
    w: Workload,
    row: str,
    done: list[dict[str, Any]],
    results: dict[str, dict[str, list[dict[str, Any]]]],
    args: argparse.Namespace,
) -> bool:
    """True when ``row`` needs no more rounds (see the module's docstring)."""
    if not done:
        return False
    reference = results[w.key].get(f"{w.rows[0][0]}:{w.rows[0][1]}") or []
    if not reference or row == f"{w.rows[0][0]}:{w.rows[0][1]}":
        return False
    first, ref = done[0], statistics.median(r["cpu"] for r in reference)
    far = first["cpu"] > 2 * ref or first["cpu"] < ref / 2
    return bool(first["wall"] > args.once and far)


def median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def render(
    workloads: list[Workload],
    results: dict[str, dict[str, list[dict[str, Any]]]],
    unsupported: dict[str, dict[str, str]],
    boot: dict[str, dict[str, float]],
    sizes: dict[str, int],
    args: argparse.Namespace,
    loads: list[str],
    started: float,
) -> str:
    lines = [
        "# Benchmarks: pinkit, its peers, raw httpx2 and requests",
        "",
        "Written by `bench/peers/run.py` (`make bench`). Ratios are of client CPU seconds, "
        "measured in the same run; `x pinkit` is the row's CPU over pinkit's (above 1: pinkit "
        "is ahead). Medians over the rounds (`n`).",
        "",
        f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
        f"- Load average (1, 5, 15 min) at the start, after each round and at the end: "
        f"{'; '.join(loads)}",
        "- Emulator: `pinkit emulator serve --memory`, every rate limit raised; "
        + ("pinned to CPU 0, clients to CPU 1" if PIN else "not pinned (no taskset)"),
        f"- Rounds: {args.rounds}; the run took {time.monotonic() - started:.0f} s",
        "",
    ]
    for w in workloads:
        rows = results[w.key]
        ref_key = f"{w.rows[0][0]}:{w.rows[0][1]}"
        ref = median(rows[ref_key], "cpu") if rows.get(ref_key) else None
        lines += [
            f"## {w.title.format(n=sizes[w.size])}",
            "",
            "| client | CPU s | wall s | peak RSS MB | x pinkit | n | note |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for client, mode in w.rows:
            row = f"{client}:{mode}"
            note = w.notes.get(row, "")
            label = LABELS[client] + (" `request()`" if mode == "request" else "")
            label += " paced" if mode.endswith("_paced") else ""
            label += " unpaced" if mode.endswith("_unpaced") else ""
            label += " pre-hashed" if mode.endswith("_hashed") else ""
            if row in unsupported[w.key]:
                lines.append(f"| {label} | | | | | | cannot: {unsupported[w.key][row]} |")
                continue
            runs = rows.get(row) or []
            if not runs:
                continue
            cpu = median(runs, "cpu")
            ratio = None if ref is None else cpu / ref
            lines.append(
                f"| {label} | {cpu:.3f} | {median(runs, 'wall'):.3f} | "
                f"{median(runs, 'rss_mb'):.1f} | {fmt_ratio(ratio)} | {len(runs)} | {note} |"
            )
        if w.key in UNSUPPORTED_ELSEWHERE:
            lines.append(f"| | | | | | | cannot: {UNSUPPORTED_ELSEWHERE[w.key]} |")
        lines.append("")
    if boot:
        lines += [
            "## Start-up (fresh interpreter, from bytecode)",
            "",
            "| what | wall ms | CPU ms | peak RSS MB |",
            "|---|---:|---:|---:|",
        ]
        for row, m in boot.items():
            lines.append(
                f"| {row} | {m['wall'] * 1000:.1f} | {m['cpu'] * 1000:.1f} | {m['rss_mb']:.1f} |"
            )
        lines.append("")
    lines += targets(results, boot)
    return "\n".join(lines) + "\n"


def targets(
    results: dict[str, dict[str, list[dict[str, Any]]]], boot: dict[str, dict[str, float]]
) -> list[str]:
    lines = ["## Targets", "", "| target | measured | limit | met |", "|---|---:|---:|---|"]

    def add(what: str, value: float, limit: float) -> None:
        met = "yes" if value <= limit else "NO"
        lines.append(f"| {what} | {value:.3f} | {limit:.2f} | {met} |")

    for t in TARGETS:
        rows = results.get(t.workload, {})
        if rows.get(t.row) and rows.get(t.floor):
            add(
                f"{t.what}: `{t.row}` / `{t.floor}`",
                median(rows[t.row], "cpu") / median(rows[t.floor], "cpu"),
                t.limit,
            )
    for w in WORKLOADS:
        rows = results.get(w.key, {})
        ref_key = w.like_peers or f"{w.rows[0][0]}:{w.rows[0][1]}"
        if not rows.get(ref_key):
            continue
        ref = median(rows[ref_key], "cpu")
        pinkit = "pinkit" if w.like_peers is None else f"`{w.like_peers}`"
        for client, mode in w.rows:
            runs = rows.get(f"{client}:{mode}")
            if ENVIRONMENTS[client] in ("official", "sns") and runs:
                add(f"{w.key}: {pinkit} / {LABELS[client]}", ref / median(runs, "cpu"), 1.0)
    if boot:
        add(
            "start-up: `pinkit.Client('x')` / `httpx2.Client()` (wall)",
            boot["pinkit: import + Client('x')"]["wall"]
            / boot["httpx2: import + Client()"]["wall"],
            1.2,
        )
        add(
            "start-up: `pinkit --help` / official SDK import (wall)",
            boot["pinkit: --help"]["wall"] / boot["official SDK: import"]["wall"],
            1.0,
        )
    lines.append("")
    return lines


if __name__ == "__main__":
    main()
