"""The ``pinkit`` command line (click + rich), built only on the public client.

Layout: ``_app`` (root group, global options, exit codes), ``_config`` (directories, profiles,
token files), ``_session`` (which client a run uses), ``_output`` (every format), ``_login``
(loopback listener), and one module per command group: ``auth``, ``api``, ``boards``, ``pins``,
``media``, ``emulator``, ``demo``, ``completion``, each imported when it is invoked. Heavy
things (the emulator, starlette, uvicorn) are imported only by the commands that need them.
``main`` (the console script) answers ``pinkit --help`` without importing click at all
(``_entry``).
"""

from __future__ import annotations

from ._entry import main

TYPE_CHECKING = False  # as in ``pinkit``: typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

    from ._app import cli, run

__all__ = ["cli", "main", "run"]


def __getattr__(name: str) -> Any:
    if name in ("cli", "run"):
        from . import _app

        return getattr(_app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
