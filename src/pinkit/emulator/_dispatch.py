"""The single entry point for every ``/v5`` request.

Order of work, the same for every operation: match ``(method, path)`` against the spec's
operations (404 unknown path, 405 wrong method) -> injected fault -> authenticate (HTTP Basic for
the OAuth token endpoints, bearer otherwise) -> rate limit for the operation's
``x-ratelimit-category`` -> 401 / 403 (scopes from the operation's ``security``) -> 501 if no
handler is registered -> handler, inside one store transaction -> ``after_processing`` fault ->
``X-RateLimit-*`` headers -> request record. An injected fault replaces the whole answer.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pinkit._operations import Operation, all_operations, find

from . import _oauth
from ._errors import ApiError, error_response
from ._faults import Fault
from ._ratelimit import Verdict
from ._records import RequestRecord
from ._registry import Context, Principal, Reply, get_handler
from ._store import Tx
from ._validation import validate_request

if TYPE_CHECKING:
    from ._backend import Backend

__all__ = ["Incoming", "process", "v5_endpoint"]

log = logging.getLogger("pinkit.emulator")

PREFIX = "/v5"


@dataclass(frozen=True)
class Incoming:
    """The parts of an HTTP request the dispatcher needs, already read (thread-safe)."""

    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]
    body: bytes
    origin: str


async def v5_endpoint(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    backend: Backend = request.app.state.backend
    incoming = Incoming(
        method=request.method,
        path=request.url.path,
        query_string=request.url.query,
        headers=dict(request.headers),
        body=await request.body(),
        origin=f"{request.url.scheme}://{request.url.netloc}",
    )
    return await run_in_threadpool(process, backend, incoming)


def process(backend: Backend, req: Incoming) -> Response:
    """Answer one /v5 request synchronously (runs in a worker thread)."""
    now = backend.clock.now()
    relative = req.path[len(PREFIX) :] or "/"
    op = find(req.method, relative)
    if op is None:
        if any(o.match(relative.rstrip("/") or "/") is not None for o in all_operations()):
            response: Response = error_response(405, f"Method {req.method} not allowed here.")
        else:
            response = error_response(404, f"No such API endpoint: {req.method} {req.path}.")
    else:
        response = _process_operation(backend, op, req, relative, now)
    backend.recorder.add(
        RequestRecord(
            method=req.method,
            path=req.path,
            query=QueryParams(req.query_string),
            headers=dict(req.headers),
            body=req.body,
            operation_id=None if op is None else op.id,
            status=response.status_code,
            response_headers=dict(response.headers),
            response_body=bytes(response.body),
            time=now,
        )
    )
    return response


def _process_operation(
    backend: Backend, op: Operation, req: Incoming, relative: str, now: float
) -> Response:
    spec = get_handler(op.id)
    authorization = req.headers.get("authorization")
    verdict: Verdict | None = None
    reached_handler = False
    fault = backend.faults.take(op.id, after_processing=False)
    if fault is not None:
        # A fault is exactly the response the test asked for (think: a gateway's 503), so it
        # carries only its own headers and consumes no quota.
        return _fault_response(fault)
    try:
        with backend.store.transaction(write=spec.writes if spec else False) as tx:
            principal = _authenticate(tx, op, authorization, now)
            if op.category:
                key = principal.rate_key if principal else _anonymous_key(authorization)
                verdict = backend.limiter.hit(key, op.category, now)
                if not verdict.allowed:
                    raise ApiError(429)
            if principal is None:
                raise ApiError(401)
            _check_scopes(op, principal)
            validate_request(
                op,
                op.match(relative.rstrip("/") or "/") or {},
                parse_qs(req.query_string, keep_blank_values=True),
                req.body,
                req.headers.get("content-type", ""),
            )
            if spec is None:
                raise ApiError(501, f"The pinkit emulator does not implement {op.id} yet.")
            ctx = Context(
                op=op,
                path_params=op.match(relative.rstrip("/") or "/") or {},
                query=parse_qs(req.query_string, keep_blank_values=True),
                headers=req.headers,
                body=req.body,
                tx=tx,
                backend=backend,
                now=now,
                principal=principal,
                origin=req.origin,
            )
            reached_handler = True
            response = _to_response(spec.func(ctx))
    except ApiError as err:
        response = err.response()
    except Exception:
        log.exception("emulator handler for %s failed", op.id)
        response = error_response(500, f"The pinkit emulator failed while handling {op.id}.")
    if reached_handler:
        after = backend.faults.take(op.id, after_processing=True)
        if after is not None:
            return _fault_response(after)
    if verdict is not None:
        for name, value in verdict.headers().items():
            if name not in response.headers:
                response.headers[name] = value
    return response


def _authenticate(tx: Tx, op: Operation, authorization: str | None, now: float) -> Principal | None:
    if "basic" in op.schemes:
        app = _oauth.authenticate_basic(tx, authorization)
        if app is None:
            return None
        return Principal(user_id=app["owner"], client_id=app["client_id"], scheme="basic")
    return _oauth.authenticate_bearer(tx, authorization, now)


def _check_scopes(op: Operation, principal: Principal) -> None:
    if op.accepts_scopes(principal.scheme, principal.scopes):
        return
    if principal.scheme not in op.schemes:
        raise ApiError(403, f"{op.id} does not accept {principal.scheme} tokens.")
    needed = sorted(
        {
            s
            for req in op.security
            for scheme, scopes in req
            if scheme == principal.scheme
            for s in scopes
        }
        - principal.scopes
    )
    raise ApiError(
        403, f"You are not permitted to access that resource. Missing scope: {', '.join(needed)}."
    )


def _anonymous_key(authorization: str | None) -> str:
    digest = hashlib.sha256((authorization or "").encode()).hexdigest()[:16]
    return f"anonymous:{digest}"


def _fault_response(fault: Fault) -> Response:
    if isinstance(fault.body, bytes | str):  # raw bodies: e.g. an HTML error page from a proxy
        return Response(fault.body, fault.status, headers=fault.headers)
    return JSONResponse(fault.body, fault.status, headers=fault.headers)


def _to_response(reply: Reply) -> Response:
    if isinstance(reply, Response):
        return reply
    return JSONResponse(reply)
