"""``pinkit demo``: a guided tour against the embedded emulator."""

from __future__ import annotations

import click

from ._options import global_options
from ._session import session

__all__ = ["demo"]


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@global_options()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Show what pinkit does, against a local emulator (no Pinterest account needed)."""
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
    run_demo(run.output.console)
