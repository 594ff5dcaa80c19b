"""The ASGI application: ``/v5/...`` (the API), the areas' own routes (the consent page at
``/oauth/``, the upload bucket, hosted images) and ``/_emulator/`` (the test controls). Anything
else is a Pinterest-shaped 404."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from ._backend import Backend
from ._core_controls import CORE_CONTROLS
from ._dispatch import v5_endpoint
from ._errors import error_response

__all__ = ["create_app"]

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return error_response(status)


def create_app(backend: Backend) -> Starlette:
    controls = [c.route() for c in [*CORE_CONTROLS, *backend.registry.controls]]
    routes: list[BaseRoute] = [
        Route("/v5", v5_endpoint, methods=_METHODS),
        Route("/v5/{rest:path}", v5_endpoint, methods=_METHODS),
        *backend.registry.routes,
        Mount("/_emulator", routes=controls),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.backend = backend
    return app
