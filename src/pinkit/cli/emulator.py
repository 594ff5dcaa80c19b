"""``pinkit emulator``: run the local Pinterest emulator (extra ``pinkit[emulator]``)."""

from __future__ import annotations

from pathlib import Path

import click

from ._options import global_options
from ._session import import_emulator, session

__all__ = ["emulator"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@global_options()
def emulator() -> None:
    """The local Pinterest API v5 emulator."""


@emulator.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file that keeps the state across restarts (default: in memory).",
)
@click.option(
    "--sandbox",
    is_flag=True,
    help="Answer as the API Sandbox does (operations it disables are refused).",
)
@global_options()
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, state_path: Path | None, sandbox: bool) -> None:
    """Serve the emulator over HTTP until interrupted (Ctrl-C).

    Point a client at http://HOST:PORT/v5; the consent page is http://HOST:PORT/oauth/.
    """
    module = import_emulator()
    run = session(ctx)
    if host not in ("127.0.0.1", "localhost", "::1"):
        run.output.info(f"warning: serving on {host}: the emulator is reachable from the network")

    def ready(base_url: str) -> None:
        # The socket is bound: the first line on stdout is a URL that answers.
        click.echo(base_url)
        run.output.info(f"pinkit emulator serving {base_url} (Ctrl-C to stop)")

    module.serve(host=host, port=port, state_path=state_path, sandbox=sandbox, on_ready=ready)
