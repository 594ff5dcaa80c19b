"""The attempt deadline below httpx2, for the sync client's own connection pool.

A read timeout applies to each read: a server that sends a byte now and then keeps a
synchronous request alive for as long as it likes, even while the status line and headers
arrive. The sync runner publishes the attempt's deadline in ``ATTEMPT_DEADLINE``; the network
streams made here give every socket operation (connect, TLS, each read and write) at most the
time left until then, so the attempt ends at its deadline whatever the server does. The async
client needs none of this: its runner cancels the attempt at the deadline.

Only pools that pinkit makes are changed (``bounded_http_client``). A pool passed as
``http_client`` keeps its own streams, and the runner then bounds the body only, chunk by
chunk, while each read of the head keeps the per-read timeout.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore2
import httpx2

from ._flow import ATTEMPT_DEADLINE

__all__ = ["bounded_http_client"]


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` cut to the time left before the attempt's deadline (if any)."""
    deadline = ATTEMPT_DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the attempt's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore2.NetworkStream):
    def __init__(self, stream: httpcore2.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore2.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore2.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.NetworkStream:
        timeout = _left(timeout, httpcore2.ConnectTimeout)
        return _BoundedStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _BoundedBackend(httpcore2.NetworkBackend):
    def __init__(self, backend: httpcore2.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        timeout = _left(timeout, httpcore2.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _BoundedStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        timeout = _left(timeout, httpcore2.ConnectTimeout)
        return _BoundedStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _bound(transport: httpx2.BaseTransport) -> None:
    """Give ``transport``'s connection pool bounded streams, if it is httpx2's own kind."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore2.NetworkBackend) and not isinstance(backend, _BoundedBackend):
        pool._network_backend = _BoundedBackend(backend)  # type: ignore[union-attr]


def bounded_http_client(**kwargs: Any) -> httpx2.Client:
    """An ``httpx2.Client(**kwargs)`` whose pools (direct and proxied) keep attempt deadlines."""
    client = httpx2.Client(**kwargs)
    _bound(client._transport)
    for transport in client._mounts.values():
        if transport is not None:
            _bound(transport)
    return client
