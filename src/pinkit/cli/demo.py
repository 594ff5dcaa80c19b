"""``pinkit demo``: a guided tour against the embedded emulator."""

from __future__ import annotations

from pathlib import Path

import click

from ._config import remove_emulator_state
from ._options import global_options
from ._session import session

__all__ = ["DEMO_STATE", "demo"]

#: The tour's emulator state, relative to the working directory, made afresh at each run.
DEMO_STATE = Path("pinkit-demo") / "emulator.sqlite"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@global_options()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Show what pinkit does, against a local emulator (no Pinterest account needed).

    The tour's state is kept in ./pinkit-demo/emulator.sqlite (made afresh at each run), so
    you can look at what it made afterwards: pinkit --emulator-state
    pinkit-demo/emulator.sqlite boards list.
    """
    run = session(ctx)
    try:
        from pinkit.demo import run as run_demo
    except ImportError as exc:
        missing = (getattr(exc, "name", "") or "").split(".")[0]
        if missing in ("starlette", "uvicorn"):
            raise click.UsageError(
                "the demo needs the 'emulator' extra: pip install 'pinkit[emulator]'"
            ) from None
        raise click.UsageError(f"the demo is not available: {exc}") from None
    DEMO_STATE.parent.mkdir(exist_ok=True)
    remove_emulator_state(DEMO_STATE, run.settings.env)
    run_demo(run.output.console, state_path=DEMO_STATE)
