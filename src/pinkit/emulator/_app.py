"""The ASGI application: ``/v5/...`` (the API), ``/oauth/`` (consent page), ``/_emulator/``
(test controls). Anything else is a Pinterest-shaped 404."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from ._backend import Backend
from ._consent import consent_endpoint
from ._control import control_routes
from ._dispatch import v5_endpoint
from ._errors import error_response

__all__ = ["create_app"]

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return error_response(status)


def create_app(backend: Backend) -> Starlette:
    app = Starlette(
        routes=[
            Route("/v5", v5_endpoint, methods=_METHODS),
            Route("/v5/{rest:path}", v5_endpoint, methods=_METHODS),
            Route("/oauth/", consent_endpoint, methods=["GET", "POST"]),
            Mount("/_emulator", routes=control_routes()),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.backend = backend
    return app
