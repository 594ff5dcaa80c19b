"""A stateful local Pinterest API v5, faithful to the official OpenAPI description.

Use it in-process or over HTTP::

    from pinkit.emulator import Emulator

    with Emulator() as emu:                 # serves on 127.0.0.1:<free port>
        client = emu.client()               # a pinkit.Client with an all-scopes token
        ...

    emu = Emulator()                         # not started: in-process only
    client = httpx2.Client(transport=emu.transport(), base_url=emu.base_url)

``pinkit emulator serve`` runs :func:`serve`. The test controls (``inject_fault``,
``clock.advance``, ``set_rate_limit``, ``seed_pins``, ``configure_media``, ``reset``...) are
methods of ``Emulator`` and routes under ``/_emulator/`` alike; bad input to one raises
:class:`EmulatorError` (a 400 over HTTP) and changes nothing. API areas live in
``pinkit.emulator.areas`` (see docs/contributing.md).
"""

from ._emulator import Emulator, serve
from ._errors import ApiError, EmulatorError
from ._records import RequestRecord
from ._store import StateFileError

__all__ = ["ApiError", "Emulator", "EmulatorError", "RequestRecord", "StateFileError", "serve"]
