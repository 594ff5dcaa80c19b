"""The tour, chapter by chapter, on a fresh emulator whose state is kept in the tour's
folder; then what it made, where to look, and the commands that show it."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ..emulator import Emulator
from ._tour import Tour
from .ads import promote
from .audiences import make_audiences
from .conversions import send_events
from .oauth import log_in
from .pins import make_pins
from .reports import run_report

__all__ = ["STATE", "run"]

#: The emulator's state, in the tour's folder.
STATE = "emulator.sqlite"


def run(console: Console, out: str | Path = "pinkit-demo") -> None:
    """The tour, writing everything to the folder ``out`` (made if missing), its emulator
    state in ``out``/emulator.sqlite. An existing state file is used as it is: the caller
    makes sure it is fresh (the CLI also forgets its tokens for it)."""
    started = time.perf_counter()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(state_path=folder / STATE)
    tour = Tour(console, emulator, folder, started=started)
    try:
        with log_in(tour) as client:
            pin = make_pins(tour, client)
            promoted = promote(tour, client, pin)
            make_audiences(tour, client)
            send_events(tour, client)
            run_report(tour, client, promoted)
        requests = len(emulator.requests)
    finally:
        emulator.close()
    tour.wrote(folder / STATE, "the emulator's state: everything above")
    _the_end(tour, requests)


def _the_end(tour: Tour, requests: int) -> None:
    console, folder = tour.console, tour.out
    elapsed = time.perf_counter() - tour.started
    console.print(
        f"\n[green]Tour complete[/] in {elapsed:.1f} s, {requests} requests to the emulator"
    )
    timings = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in tour.seconds())
    console.print(f"[dim]{timings}[/]")
    console.print(f"Everything it made is in {escape(str(folder))}/:")
    width = max(map(len, tour.files))
    for name, what in sorted(tour.files.items()):
        console.print(f"  {escape(name):<{width}}  {escape(what)}")
    state = shlex.quote(str(folder / STATE))
    pinkit = f"{_pinkit()} --emulator-state {state}"
    chart = folder / "report.png"
    if chart.name in tour.files:
        console.print(f"Open {escape(str(chart))} to see the report's chart.")
    console.print("See what the tour made:")
    for command in (
        "boards list",
        "pins list",
        "ads campaigns list",
        "audiences list",
        f"conversions doctor {shlex.quote(str(folder / 'conversions.jsonl'))}"
        "   (30 days on, it finds them too old to send)",
        "emulator serve   (the same state over HTTP)",
    ):
        console.print(f"  {escape(pinkit)} {escape(command)}", soft_wrap=True)


def _pinkit() -> str:
    """How to run ``pinkit`` here: as this run was started when that was a path relative to
    the working directory (``.venv/bin/pinkit`` from ``make demo``), else by name."""
    script = Path(sys.argv[0])
    if script.name == "pinkit" and not script.is_absolute() and len(script.parts) > 1:
        return str(script)
    return "pinkit"
