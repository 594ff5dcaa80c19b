"""The global options, accepted before the command and after it, and written into the run's
``Settings`` wherever they appear. Command modules import them from here (not from ``_app``,
which imports the command modules)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ._config import Settings
from ._output import FORMATS

__all__ = ["global_options"]

F = TypeVar("F", bound=Callable[..., Any])


def _setter(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None or value is False:
            return value  # not given here: keep what an earlier position set
        settings = ctx.ensure_object(Settings)
        setattr(settings, name, value.lower() if name == "format" else value)
        if name == "verbose":
            # The client sets up the (redacting) ``pinkit`` logger from PINKIT_LOG.
            os.environ["PINKIT_LOG"] = "debug"
        return value

    return callback


def _set_emulator_state(ctx: click.Context, param: click.Parameter, value: Path | None) -> Any:
    if value is not None:
        settings = ctx.ensure_object(Settings)
        settings.emulator_state = value
        settings.emulator = True
    return value


def global_options(*, hidden: bool = True) -> Callable[[F], F]:
    """The global options, accepted before the command (``pinkit --format json api ...``)
    and after it (``pinkit api ... --format json``); the last one given wins."""

    def option(*decls: str, **attrs: Any) -> Callable[[F], F]:
        name = decls[0].lstrip("-").replace("-", "_")
        return click.option(
            *decls, expose_value=False, callback=_setter(name), hidden=hidden, **attrs
        )

    options = [
        option("--profile", metavar="NAME", help="Profile (default: $PINKIT_PROFILE, 'default')."),
        option(
            "--base-url",
            metavar="URL",
            help="API base URL (default: $PINTEREST_API_URI, the profile, production).",
        ),
        option(
            "--emulator",
            is_flag=True,
            default=False,
            help="Use the local persisted emulator, in-process, instead of Pinterest.",
        ),
        click.option(
            "--emulator-state",
            metavar="FILE",
            type=click.Path(dir_okay=False, path_type=Path),
            expose_value=False,
            callback=_set_emulator_state,
            hidden=hidden,
            help="Use the emulator with its state in FILE (implies --emulator).",
        ),
        option(
            "--format",
            type=click.Choice(FORMATS, case_sensitive=False),
            help="Output format (default: table on a terminal, json when piped).",
        ),
        option("--quiet", "-q", is_flag=True, default=False, help="Only print results and errors."),
        option(
            "--verbose",
            "-v",
            is_flag=True,
            default=False,
            help="Debug logging (redacted) and tracebacks on errors.",
        ),
    ]

    def decorate(func: F) -> F:
        for add in reversed(options):
            func = add(func)
        return func

    return decorate
