"""``pinkit demo``: a guided tour against the embedded emulator."""

from __future__ import annotations

from pathlib import Path

import click

from ._config import remove_emulator_state
from ._options import global_options
from ._session import session

__all__ = ["DEMO_DIR", "demo"]

#: Where the tour writes everything, relative to the working directory.
DEMO_DIR = Path("pinkit-demo")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@global_options()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Show what pinkit does, against a local emulator (no Pinterest account needed).

    A short tour: an OAuth login and a token refresh, a board with a section, an image
    pin and a video pin, a promoted pin, a customer list and an Actalike audience, 10,000
    conversion events (with rejects and the doctor's view), and an async report as CSV and
    charts. Everything it writes goes to ./pinkit-demo/, with the emulator's state in
    ./pinkit-demo/emulator.sqlite (made afresh at each run): look at what the tour made
    with pinkit --emulator-state pinkit-demo/emulator.sqlite boards list.
    """
    run = session(ctx)
    try:
        from pinkit.demo import STATE
        from pinkit.demo import run as run_demo
    except ImportError as exc:
        missing = (getattr(exc, "name", "") or "").split(".")[0]
        if missing in ("starlette", "uvicorn"):
            raise click.UsageError(
                "the demo needs the 'demo' extra: pip install 'pinkit[demo]'"
            ) from None
        raise click.UsageError(f"the demo is not available: {exc}") from None
    DEMO_DIR.mkdir(exist_ok=True)
    remove_emulator_state(DEMO_DIR / STATE, run.settings.env)
    run_demo(run.output.console, DEMO_DIR)
