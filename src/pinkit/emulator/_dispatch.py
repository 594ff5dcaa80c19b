"""The single entry point for every ``/v5`` request.

Order of work, the same for every operation: match ``(method, path)`` against the spec's
operations (404 unknown path, 405 wrong method) -> injected fault -> authenticate (HTTP Basic for
the OAuth token endpoints, bearer otherwise) -> the universal limit and the limit of the
operation's ``x-ratelimit-category`` -> 401 / 403 (scopes from the operation's ``security``) ->
sandbox refusals -> 501 if no area answers it -> the request checked against the spec (path and
query parameters, JSON body) -> handler, inside one store transaction -> ``after_processing``
fault -> ``X-RateLimit-*`` headers -> request id -> request record. An injected fault replaces
the whole answer.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pinkit._operations import Operation, all_operations, find

from ._backend import Backend
from ._errors import ApiError, error_response
from ._faults import Fault
from ._ratelimit import UNIVERSAL, Verdict
from ._records import RequestRecord
from ._registry import Context, Principal, Reply, State
from ._validation import validate_request

__all__ = ["REQUEST_ID_HEADER", "Incoming", "process", "v5_endpoint"]

log = logging.getLogger("pinkit.emulator")

PREFIX = "/v5"
REQUEST_ID_HEADER = "x-pinterest-rid"
SANDBOX_ONLY = frozenset({"sandbox/delete"})
CONVERSIONS = "ads_conversions"
NOT_IN_SANDBOX = (
    "{op} is not available in the API Sandbox (https://api-sandbox.pinterest.com/v5); "
    "use the production API (https://api.pinterest.com/v5)."
)
SANDBOX_REQUIRED = (
    "{op} is only allowed in the Pinterest API Sandbox (https://api-sandbox.pinterest.com/v5)."
)


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
    rid = secrets.token_hex(8)
    relative = req.path[len(PREFIX) :] or "/"
    op = find(req.method, relative)
    if op is None:
        if any(o.match(relative.rstrip("/") or "/") is not None for o in all_operations()):
            response: Response = error_response(405, f"Method {req.method} not allowed here.")
        else:
            response = error_response(404, f"No such API endpoint: {req.method} {req.path}.")
    else:
        response = _process_operation(backend, op, req, relative, rid)
    response.headers.setdefault(REQUEST_ID_HEADER, rid)
    backend.recorder.add(
        partial(
            RequestRecord.redacted,
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
            request_id=response.headers[REQUEST_ID_HEADER],
        ),
        len(req.body) + len(response.body),
    )
    return response


def _process_operation(
    backend: Backend, op: Operation, req: Incoming, relative: str, rid: str
) -> Response:
    handler = backend.registry.handlers.get(op.id)
    authorization = req.headers.get("authorization")
    verdict: Verdict | None = None
    reached_handler = False
    fault = backend.faults.take(op.id, after_processing=False)
    if fault is not None:
        # A fault is exactly the response the test asked for (think: a gateway's 503), so it
        # carries only its own headers (and the request id) and consumes no quota.
        return _fault_response(fault)
    try:
        with backend.store.transaction(write=handler.does_write if handler else False) as tx:
            state = State(backend, tx, backend.clock.now(), req.origin)
            principal = backend.registry.authenticator(state, op, authorization)
            path_params = op.match(relative.rstrip("/") or "/") or {}
            if op.category:
                key = principal.rate_key if principal else _anonymous_key(authorization)
                if op.category == CONVERSIONS:  # metered per ad account too
                    key += ":" + path_params.get("ad_account_id", "")
                universal = backend.limiter.hit(key, UNIVERSAL, state.now)
                verdict = backend.limiter.hit(
                    key,
                    op.category,
                    state.now,
                    consume=universal.allowed,
                    universal=universal.limit,
                )
                if not universal.allowed:
                    verdict = universal
                if not verdict.allowed:
                    raise ApiError(429)
            if principal is None:
                raise ApiError(401)
            _check_scopes(op, principal)
            _check_sandbox(backend, op)
            query = parse_qs(req.query_string, keep_blank_values=True)
            decoded = validate_request(
                op, path_params, query, req.body, req.headers.get("content-type", "")
            )
            if handler is None:
                raise ApiError(501, f"The pinkit emulator does not implement {op.id} yet.")
            ctx = Context(
                op=op,
                path_params=path_params,
                query=query,
                headers=req.headers,
                body=req.body,
                state=state,
                principal=principal,
                request_id=rid,
                decoded=decoded,
            )
            reached_handler = True
            response = _to_response(handler.func(ctx))
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


def _check_sandbox(backend: Backend, op: Operation) -> None:
    """The sandbox answers only what the spec marks ``x-sandbox: enabled``; ``sandbox/delete``
    is answered only there."""
    if backend.sandbox and not op.sandbox:
        raise ApiError(403, NOT_IN_SANDBOX.format(op=op.id), code=29)
    if not backend.sandbox and op.id in SANDBOX_ONLY:
        raise ApiError(403, SANDBOX_REQUIRED.format(op=op.id), code=29)


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
