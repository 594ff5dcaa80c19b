"""A stateful local Pinterest API v5, faithful to the official OpenAPI description.

Use it in-process or over HTTP::

    from pinkit.emulator import Emulator

    with Emulator() as emu:                 # serves on 127.0.0.1:<free port>
        token = emu.issue_token()           # all scopes, default user
        ...  # point any HTTP client at emu.base_url with "Authorization: Bearer <token>"

    emu = Emulator()                         # not started: in-process only
    client = httpx2.Client(transport=emu.transport(), base_url=emu.base_url)

``pinkit emulator serve`` runs :func:`serve`. Test controls (``inject_fault``, ``requests``,
``clock.advance``, ``set_rate_limit``, ``seed_followers``, ``create_user``, ``seed_pins``,
``configure_media``, ``reset``) also exist over HTTP under ``/_emulator/`` (see
``pinkit.emulator._control`` and docs/emulator.md). API areas live in ``pinkit.emulator.routes``;
add an operation with ``@handler("<operationId>")``.
"""

from ._emulator import Emulator
from ._errors import ApiError
from ._records import RequestRecord
from ._registry import Context, Principal, Reply, handler, implemented
from ._seed import seeder
from ._server import serve

__all__ = [
    "ApiError",
    "Context",
    "Emulator",
    "Principal",
    "Reply",
    "RequestRecord",
    "handler",
    "implemented",
    "seeder",
    "serve",
]
