"""The test control plane over HTTP, under ``/_emulator/`` (for server mode and other languages).

=======  ================================  =========================================================
method   path                              body / answer
=======  ================================  =========================================================
GET      /_emulator/                       index: implemented operations, base URLs, default app
POST     /_emulator/reset                  fresh state; clears faults, records, rate-limit settings
GET      /_emulator/requests               ``[{method, path, query, headers, body, operation_id,
                                           status, response_headers, response_body, time}]``
DELETE   /_emulator/requests               clear the records
GET      /_emulator/faults                 pending faults
POST     /_emulator/faults                 ``{status, operation?, count?, body?, headers?,
                                           after_processing?}``
DELETE   /_emulator/faults                 clear pending faults
GET      /_emulator/clock                  ``{now, offset}``
POST     /_emulator/clock/advance          ``{seconds}`` -> ``{now, offset}``
GET      /_emulator/rate_limits            ``{category: {limit, window_s}}``
POST     /_emulator/rate_limits            ``{category, limit, window_s?}``
POST     /_emulator/apps                   ``{redirect_uri, name?}`` -> ``{client_id, client_secret,
                                           redirect_uri, api_base_url, authorize_url}``
POST     /_emulator/tokens                 ``{scopes?, expires_in?, user_id?}`` -> token response +
                                           ``expires_at``, ``scopes``, ``client_id``, ``user_id``
POST     /_emulator/users                  ``{username}`` -> ``{id, username}`` (another user)
POST     /_emulator/authorize              ``{url, approve?}`` -> ``{redirect_url}`` (headless)
POST     /_emulator/followers              ``{count}``: replace the default user's followers
POST     /_emulator/pins/seed              ``{count, board_id?}`` -> ``{board_id, count}``
GET      /_emulator/media/config           ``{processing_seconds, outcome}``
POST     /_emulator/media/config           ``{processing_seconds?, outcome?}`` -> the new config
POST     /_emulator/media-upload/          the S3 stand-in that ``media/create``'s upload_url names
GET      /_emulator/images/{name}          images pins were created from (base64 sources)
=======  ================================  =========================================================

Errors are ``{"code": 400, "message": ...}`` like the API's own.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._errors import error_response
from ._faults import Fault
from ._registry import implemented
from ._upload import image_endpoint, upload_endpoint

if TYPE_CHECKING:
    from ._backend import Backend

__all__ = ["control_routes"]


def _backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


Endpoint = Callable[[Request], Awaitable[Response]]


def _safe(func: Callable[[Request], Awaitable[Any]]) -> Endpoint:
    """Turn bad input into a 400 and plain values into JSON."""

    async def endpoint(request: Request) -> Response:
        try:
            result = await func(request)
        except (ValueError, KeyError, TypeError) as err:
            return error_response(400, f"Invalid control request: {err}", code=400)
        return result if isinstance(result, Response) else JSONResponse(result)

    return endpoint


async def index(request: Request) -> Any:
    backend = _backend(request)
    app = backend.default_app()
    origin = _origin(request)
    return {
        "api_base_url": f"{origin}/v5",
        "authorize_url": f"{origin}/oauth/",
        "default_user_id": backend.default_user_id,
        "default_app": {"client_id": app["client_id"], "client_secret": app["client_secret"]},
        "implemented_operations": implemented(),
    }


async def reset(request: Request) -> Any:
    await run_in_threadpool(_backend(request).reset)
    return {"ok": True}


async def list_requests(request: Request) -> Any:
    return [r.as_dict() for r in _backend(request).recorder.all()]


async def clear_requests(request: Request) -> Any:
    _backend(request).recorder.clear()
    return {"ok": True}


async def list_faults(request: Request) -> Any:
    return [f.as_dict() for f in _backend(request).faults.pending()]


async def add_fault(request: Request) -> Any:
    data = await _json(request)
    fault = Fault(
        status=int(data["status"]),
        operation=data.get("operation"),
        count=int(data.get("count", 1)),
        body=data.get("body"),
        headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
        after_processing=bool(data.get("after_processing", False)),
    )
    _backend(request).inject_fault(fault)
    return fault.as_dict()


async def clear_faults(request: Request) -> Any:
    _backend(request).faults.clear()
    return {"ok": True}


async def clock(request: Request) -> Any:
    backend = _backend(request)
    return await run_in_threadpool(
        lambda: {"now": backend.clock.now(), "offset": backend.clock.offset}
    )


async def advance_clock(request: Request) -> Any:
    data = await _json(request)
    backend = _backend(request)
    seconds = float(data["seconds"])
    await run_in_threadpool(backend.clock.advance, seconds)
    return await clock(request)


async def rate_limits(request: Request) -> Any:
    from ._ratelimit import DEFAULT_LIMITS

    limiter = _backend(request).limiter
    return {
        c: {"limit": limiter.limit_for(c).limit, "window_s": limiter.limit_for(c).window_s}
        for c in DEFAULT_LIMITS
    }


async def set_rate_limit(request: Request) -> Any:
    data = await _json(request)
    limiter = _backend(request).limiter
    category = str(data["category"])
    limiter.set_limit(category, int(data["limit"]), float(data.get("window_s", 60)))
    limit = limiter.limit_for(category)
    return {"category": category, "limit": limit.limit, "window_s": limit.window_s}


async def register_app(request: Request) -> Any:
    data = await _json(request)
    backend = _backend(request)
    redirect_uri = str(data["redirect_uri"])
    app = await run_in_threadpool(lambda: backend.register_app(redirect_uri, name=data.get("name")))
    origin = _origin(request)
    return {
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "redirect_uri": redirect_uri,
        "api_base_url": f"{origin}/v5",
        "authorize_url": f"{origin}/oauth/",
    }


async def issue_token(request: Request) -> Any:
    data = await _json(request)
    backend = _backend(request)
    scopes = data.get("scopes")
    if scopes is not None and not isinstance(scopes, list):
        raise ValueError("scopes must be a list of strings")
    expires_in = int(data.get("expires_in", 2592000))
    user_id = data.get("user_id")
    if user_id is not None:
        user_id = str(user_id)
    grant = await run_in_threadpool(backend.issue_token, scopes, expires_in, user_id)
    grant["client_id"] = backend.meta("default_app")
    grant["user_id"] = user_id or backend.default_user_id
    return grant


async def create_user(request: Request) -> Any:
    data = await _json(request)
    username = str(data["username"])
    user_id = await run_in_threadpool(_backend(request).create_user, username)
    return {"id": user_id, "username": username}


async def seed_pins(request: Request) -> Any:
    data = await _json(request)
    count = int(data["count"])
    board_id = data.get("board_id")
    backend = _backend(request)
    board = await run_in_threadpool(
        backend.seed_pins, count, None if board_id is None else str(board_id)
    )
    return {"board_id": board, "count": count}


async def media_config(request: Request) -> Any:
    return await run_in_threadpool(_backend(request).media_config)


async def configure_media(request: Request) -> Any:
    data = await _json(request)
    seconds = data.get("processing_seconds")
    outcome = data.get("outcome")
    return await run_in_threadpool(
        _backend(request).configure_media,
        None if seconds is None else float(seconds),
        None if outcome is None else str(outcome),
    )


async def authorize(request: Request) -> Any:
    from ._consent import decide_url

    data = await _json(request)
    url, backend = str(data["url"]), _backend(request)
    approve = bool(data.get("approve", True))
    return {
        "redirect_url": await run_in_threadpool(lambda: decide_url(backend, url, approve=approve))
    }


async def followers(request: Request) -> Any:
    data = await _json(request)
    count = int(data["count"])
    await run_in_threadpool(_backend(request).seed_followers, count)
    return {"count": count}


def control_routes() -> list[Route]:
    return [
        Route("/", _safe(index), methods=["GET"]),
        Route("/reset", _safe(reset), methods=["POST"]),
        Route("/requests", _safe(list_requests), methods=["GET"]),
        Route("/requests", _safe(clear_requests), methods=["DELETE"]),
        Route("/faults", _safe(list_faults), methods=["GET"]),
        Route("/faults", _safe(add_fault), methods=["POST"]),
        Route("/faults", _safe(clear_faults), methods=["DELETE"]),
        Route("/clock", _safe(clock), methods=["GET"]),
        Route("/clock/advance", _safe(advance_clock), methods=["POST"]),
        Route("/rate_limits", _safe(rate_limits), methods=["GET"]),
        Route("/rate_limits", _safe(set_rate_limit), methods=["POST"]),
        Route("/apps", _safe(register_app), methods=["POST"]),
        Route("/tokens", _safe(issue_token), methods=["POST"]),
        Route("/authorize", _safe(authorize), methods=["POST"]),
        Route("/followers", _safe(followers), methods=["POST"]),
        Route("/users", _safe(create_user), methods=["POST"]),
        Route("/pins/seed", _safe(seed_pins), methods=["POST"]),
        Route("/media/config", _safe(media_config), methods=["GET"]),
        Route("/media/config", _safe(configure_media), methods=["POST"]),
        Route("/media-upload/", upload_endpoint, methods=["POST"]),
        Route("/media-upload", upload_endpoint, methods=["POST"]),
        Route("/images/{name}", image_endpoint, methods=["GET"]),
    ]
