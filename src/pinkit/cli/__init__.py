"""The ``pinkit`` command line (click + rich), built only on the public client.

Layout: ``_app`` (root group, global options, exit codes), ``_config`` (directories, profiles,
token files), ``_session`` (which client a run uses), ``_output`` (every format), ``_login``
(loopback listener), and one module per command group: ``auth``, ``api``, ``emulator``, ``demo``.
Heavy things (the emulator, starlette, uvicorn) are imported only by the commands that need them.
"""

from ._app import cli, main, run

__all__ = ["cli", "main", "run"]
