"""``pinkit emulator``: run the local Pinterest emulator (extra ``pinkit[emulator]``).

Every command here uses the same state as ``pinkit --emulator ...`` unless told otherwise
(``--state FILE``, the global ``--emulator-state FILE``, or ``serve --memory``), so what a user
makes from the CLI is what an app pointed at ``serve`` sees.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ._config import (
    Settings,
    default_emulator_state,
    emulator_token_dir,
    is_default_emulator_state,
)
from ._options import global_options
from ._session import Session, check_state_folder, import_emulator, session

__all__ = ["emulator"]

F = TypeVar("F", bound=Callable[..., Any])

SERVE_HOST, SERVE_PORT = "127.0.0.1", 8080
#: What a served emulator's request records hold at most (a long run would grow without end).
SERVE_RECORD_LIMIT_MB = 256
IN_PROCESS_ORIGIN = "http://emulator.local"  # the emulator's origin when not serving
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class Refused(click.ClickException):
    """Cannot do it as asked (port in use, unknown host, no --yes...): one line, exit 2."""

    exit_code = 2


class _StateCommand(click.Command):
    """A command whose help ends with the state file it uses without ``--state`` (this user's,
    this environment's), on a line of its own so the path is never wrapped."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        settings = ctx.find_object(Settings)
        env = settings.env if settings is not None else os.environ
        chosen = settings.emulator_state if settings is not None else None
        formatter.write_paragraph()
        formatter.write_text("State file used without --state:")
        formatter.write(
            f"{'':>{formatter.current_indent + 2}}{chosen or default_emulator_state(env)}\n"
        )


def state_option(help: str) -> Callable[[F], F]:
    return click.option(
        "--state",
        "state_path",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help=help,
    )


def _state(run: Session, state_path: Path | None) -> Path:
    """``--state``, else ``--emulator-state``, else the state ``--emulator`` uses."""
    return state_path or run.emulator_state


def _is_default(run: Session, path: Path) -> bool:
    return is_default_emulator_state(path, run.settings.env)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@global_options()
def emulator() -> None:
    """The local Pinterest API v5 emulator.

    Its state is shared: `serve`, `status`, `reset` and `pinkit --emulator ...` all use the
    same file unless given another (--state FILE, or the global --emulator-state FILE).
    """


@emulator.command(cls=_StateCommand)
@click.option("--host", default=SERVE_HOST, show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=SERVE_PORT,
    show_default=True,
    help="Port to listen on (0: a free one, printed).",
)
@state_option("SQLite file that keeps the state (default: the one `--emulator` uses, below).")
@click.option("--memory", is_flag=True, help="Keep the state in memory: a throwaway emulator.")
@click.option(
    "--sandbox",
    is_flag=True,
    help="Answer as the API Sandbox does (operations it disables are refused).",
)
@click.option(
    "--record-limit-mb",
    type=click.IntRange(min=1),
    default=SERVE_RECORD_LIMIT_MB,
    show_default=True,
    help="Request records hold at most this many MB (bodies, 2 kB a record); oldest go first.",
)
@global_options()
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    state_path: Path | None,
    memory: bool,
    sandbox: bool,
    record_limit_mb: int,
) -> None:
    """Serve the emulator over HTTP until interrupted (Ctrl-C).

    The first line on stdout is the base URL, http://HOST:PORT/v5, printed once the socket is
    bound (with --port 0, the port chosen); the consent page is http://HOST:PORT/oauth/.
    """
    run = session(ctx)
    if memory and (state_path is not None or run.settings.emulator_state is not None):
        raise click.UsageError("--memory keeps no state file: give it or --state, not both")
    path = None if memory else _state(run, state_path)
    if path is not None:
        if _is_default(run, path):
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        else:
            check_state_folder(path)
    module = import_emulator()
    ready = False

    def on_ready(base_url: str) -> None:
        nonlocal ready
        ready = True
        # The socket is bound: the first line on stdout is a URL that answers.
        click.echo(base_url)
        if host not in LOOPBACK:
            run.output.info(f"warning: serving on {host}: the emulator is reachable from outside")
        where = "in memory" if path is None else str(path)
        run.output.info(f"pinkit emulator serving {base_url}, state {where} (Ctrl-C to stop)")

    try:
        module.serve(
            host=host,
            port=port,
            state_path=path,
            sandbox=sandbox,
            on_ready=on_ready,
            record_limit_mb=record_limit_mb,
        )
    except OSError as exc:
        if ready:
            raise
        reason = exc.strerror or str(exc)
        if exc.filename:  # not the socket: a file it needed
            raise Refused(f"cannot serve: {exc.filename}: {reason}") from None
        raise Refused(f"cannot serve on {host}:{port}: {reason}") from None


@emulator.command(cls=_StateCommand)
@state_option("The state file to describe.")
@global_options()
@click.pass_context
def status(ctx: click.Context, state_path: Path | None) -> None:
    """The state file, its size, what it holds, and the base URLs to use."""
    run = session(ctx)
    path = _state(run, state_path)
    info: dict[str, Any] = {"state": str(path), "exists": path.is_file()}
    if path.is_file():
        module = import_emulator()
        emu = module.Emulator(state_path=path)
        try:
            with emu.store_read() as tx:
                counts = tx.kinds()
        finally:
            emu.close()
        size = sum(f.stat().st_size for f in _state_files(path) if f.is_file())
        info["size_bytes"] = size
        info["size"] = _human_size(size)
        info["counts"] = dict(sorted(counts.items()))
    default = _is_default(run, path)
    # The CLI runs the emulator in-process (no socket); apps use a served one.
    info["cli_option"] = "--emulator" if default else f"--emulator-state {path}"
    info["cli_url"] = f"{IN_PROCESS_ORIGIN}/v5"
    info["serve_command"] = "pinkit emulator serve" + ("" if default else f" --state {path}")
    info["serve_url"] = f"http://{SERVE_HOST}:{SERVE_PORT}/v5"
    if not path.is_file():
        run.output.info(f"no emulator state at {path} yet: the first use makes it")
    run.output.emit(info)


@emulator.command(cls=_StateCommand)
@state_option("The state file to reset.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask (needed when stdin is no terminal).")
@global_options()
@click.pass_context
def reset(ctx: click.Context, state_path: Path | None, yes: bool) -> None:
    """Clear the state: back to a fresh one (the default user and app, no boards or pins).

    The CLI's tokens for that state are forgotten too (new ones are issued on next use).
    """
    run = session(ctx)
    path = _state(run, state_path)
    if not path.is_file():
        run.output.info(f"no emulator state at {path}: nothing to reset")
        return
    if not yes:
        if not _stdin_is_terminal():
            raise Refused(f"resetting {path} loses everything in it: confirm with --yes")
        if not click.confirm(f"Reset the emulator state {path}? Everything in it is lost"):
            raise click.ClickException("nothing was reset")
    module = import_emulator()
    emu = module.Emulator(state_path=path)
    try:
        emu.reset()
    finally:
        emu.close()
    tokens = emulator_token_dir(path, run.settings.env)
    for token_file in tokens.glob("*.json") if tokens.is_dir() else ():
        token_file.unlink(missing_ok=True)
    run.output.done(f"reset {path}: a fresh emulator state")


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _state_files(path: Path) -> list[Path]:
    return [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))]


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
