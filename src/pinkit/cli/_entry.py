"""The console script's entry point.

``pinkit --help`` (or ``-h``) is the first command most people run, and most of its cost would
be importing click. So it is answered from pages pre-rendered by ``scripts/gen_cli_help.py``
(``_root_help``): the same bytes click prints at the same width, which a test checks. At a width
with no pre-rendered page, and for every other command, the click application runs (``_app``).
This is the one place that writes to stdout without ``Output``.
"""

from __future__ import annotations

import os
import sys

__all__ = ["help_width", "main"]


def help_width() -> int:
    """The width click formats help for: the terminal's (``COLUMNS`` first, as
    ``shutil.get_terminal_size`` reads it; 80 when stdout is not a terminal), at most 100
    (``max_content_width``), minus 2, at least 50."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return max(min(columns or 80, 100) - 2, 50)


def main() -> None:
    """``pinkit``: the console script."""
    if sys.argv[1:] in (["--help"], ["-h"]) and not os.environ.get("_PINKIT_COMPLETE"):
        from ._root_help import PAGES

        page = PAGES.get(help_width())
        if page is not None:
            try:
                sys.stdout.write(page)
                sys.stdout.flush()
            except BrokenPipeError:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                sys.exit(141)
            sys.exit(0)
    from ._app import run

    sys.exit(run())
