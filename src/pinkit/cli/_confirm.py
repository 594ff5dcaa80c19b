"""Confirmation before a command destroys something (delete, archive).

On a terminal the command asks (default: no). When stdin is not a terminal nobody can answer,
so it refuses unless ``--yes`` is given (exit 2): a script never deletes by accident, and never
hangs on a prompt. Use both pieces on every such command::

    @yes_option
    def delete(ctx, board_id, yes):
        check_id("board_id", board_id)  # bad input first: exit 2 before any question
        confirm(f"delete board {board_id} and every pin on it", yes=yes)
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["Declined", "NeedsYes", "confirm", "yes_option"]

F = TypeVar("F", bound=Callable[..., Any])


class NeedsYes(click.ClickException):
    """A destructive command with stdin not a terminal and no ``--yes``: exit 2."""

    exit_code = 2


class Declined(click.ClickException):
    """The user answered no: nothing was done, exit 1."""

    exit_code = 1


def yes_option(func: F) -> F:
    """``--yes``/``-y``: do it without asking."""
    return click.option(
        "--yes",
        "-y",
        is_flag=True,
        help="Do not ask for confirmation (required when stdin is not a terminal).",
    )(func)


def _stdin_is_a_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def confirm(action: str, *, yes: bool) -> None:
    """Ask "Really <action>?" on a terminal (stderr), unless ``yes``. ``action`` reads as a
    command: ``"delete board 123 and every pin on it"``.

    Raises ``NeedsYes`` (exit 2) when nobody can answer, ``Declined`` (exit 1) on no (or end of
    input); Ctrl-C at the prompt exits 130.
    """
    if yes:
        return
    ctx = click.get_current_context(silent=True)
    command = ctx.command_path if ctx is not None else "pinkit"
    if not _stdin_is_a_terminal():
        raise NeedsYes(
            f"`{command}` would {action}: pass --yes to confirm (stdin is not a terminal, "
            "so it cannot ask)"
        )
    try:
        agreed = click.confirm(f"Really {action}?", default=False, err=True)
    except click.exceptions.Abort as exc:
        if not isinstance(exc.__context__, EOFError):
            raise  # Ctrl-C: exit 130
        click.echo("", err=True)
        agreed = False
    if not agreed:
        raise Declined(f"not confirmed: did not {action}")
