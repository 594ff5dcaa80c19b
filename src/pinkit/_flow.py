"""Sans-I/O flows: the one place where sync and async behaviour is written once.

A flow is a generator that yields *steps* (send this request, stream this download to a sink,
sleep this long, run this blocking callable, run this sub-flow under the client's lock) and
receives their results.
``run_sync`` and ``run_async`` are the only two places that perform I/O; every retry, refresh
and pagination decision lives in flows that both clients share. Both runners wait through the
client's clock, and ``run_async`` keeps blocking work (files, token stores) off the event loop.

A ``Send`` may carry a time limit for the whole exchange: connecting, sending, and reading the
answer to its last byte. ``run_async`` cancels the exchange when it passes; ``run_sync`` reads
the body chunk by chunk against it and publishes it in ``ATTEMPT_DEADLINE``, which the sync
client's own connection pool applies to every socket operation (``pinkit._deadline``). Either
way the flow gets ``AttemptTimeout``. The limit is real (monotonic) time, whatever the client's
clock: it bounds I/O, which no clock can make faster.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Awaitable, Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread
import httpx2

if TYPE_CHECKING:
    from ._clock import Clock

__all__ = [
    "ATTEMPT_DEADLINE",
    "AttemptTimeout",
    "Blocking",
    "Concurrently",
    "Download",
    "Exclusive",
    "Flow",
    "Locks",
    "Send",
    "Sleep",
    "run_async",
    "run_sync",
]

T = TypeVar("T")

#: The ``time.monotonic()`` by which the sync exchange in progress in this context must be
#: over (None: no limit). Set by ``run_sync`` around each limited ``Send``.
ATTEMPT_DEADLINE: ContextVar[float | None] = ContextVar("pinkit_attempt_deadline", default=None)


class AttemptTimeout(httpx2.TimeoutException):
    """The exchange (connect, send, read to the last byte) outlived its ``Send.timeout``."""


@dataclass(frozen=True)
class Send:
    """Send ``request``; the flow receives the ``httpx2.Response``, read to its end, or has the
    transport error thrown into it. ``timeout`` bounds the whole exchange in seconds (None: no
    overall limit, only the per-phase timeouts of the request)."""

    request: httpx2.Request
    timeout: float | None = None


@dataclass(frozen=True)
class Download:
    """Send ``request`` and stream the answer's body into ``sink`` (a binary file's ``write``)
    as it arrives; the flow receives the ``httpx2.Response``, or has the transport error thrown
    into it. An error status (>= 400) is read into the response instead, for the flow to
    report. ``run_async`` calls ``sink`` in worker threads, about a megabyte at a time."""

    request: httpx2.Request
    sink: Callable[[bytes], Any]


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds`` on the client's clock."""

    seconds: float


@dataclass(frozen=True)
class Blocking:
    """Call ``fn()`` (file or token-store I/O); the flow receives its result or has its error
    thrown into it. ``run_sync`` calls it inline, ``run_async`` in a worker thread, or awaits
    ``async_fn()`` instead when the work has a native async form (a Redis call on the event
    loop's own client)."""

    fn: Callable[[], Any]
    async_fn: Callable[[], Awaitable[Any]] | None = None


@dataclass(frozen=True)
class Exclusive:
    """Run ``flow`` while holding the runner's lock (single-flight token refresh)."""

    flow: Flow[Any]


@dataclass(frozen=True)
class Concurrently:
    """Run the flows ``flows`` yields, at most ``limit`` at a time, taking the next one only
    when a place is free (so a stream of millions of batches is never held at once). The flow
    receives None once ``flows`` is exhausted and every flow has finished, or has the first
    error thrown into it: an error of ``flows`` itself or of one of the flows. After an error
    no further flow is started; ``run_sync`` lets the running ones finish, ``run_async``
    cancels them. ``run_sync`` runs them in a thread pool, ``run_async`` in tasks; ``flows``
    is advanced in the caller's thread only (so it may read a source bound to that thread)."""

    flows: Iterator[Flow[Any]]
    limit: int


Step = Send | Download | Sleep | Blocking | Exclusive | Concurrently
ASYNC_WRITE_BYTES = 1024 * 1024
Flow = Generator[Step, Any, T]


class Locks:
    """One thread lock and one task lock per client, created on first use."""

    def __init__(self) -> None:
        self.thread = threading.Lock()
        self._task: anyio.Lock | None = None

    @property
    def task(self) -> anyio.Lock:
        if self._task is None:
            self._task = anyio.Lock()
        return self._task


def run_sync(flow: Flow[T], http: httpx2.Client, locks: Locks, clock: Clock) -> T:
    """Run ``flow`` to its end. An interruption (KeyboardInterrupt, a cancellation) closes
    the flow on its way out, so the flow's ``finally`` blocks run (locks are released)."""
    try:
        return _run_sync(flow, http, locks, clock)
    except BaseException:
        flow.close()
        raise


def _run_sync(flow: Flow[T], http: httpx2.Client, locks: Locks, clock: Clock) -> T:
    result: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = flow.throw(error) if error is not None else flow.send(result)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        result, error = None, None
        try:
            if isinstance(step, Send):
                result = _send_sync(http, step)
            elif isinstance(step, Download):
                result = _download_sync(http, step)
            elif isinstance(step, Sleep):
                clock.sleep(step.seconds)
            elif isinstance(step, Blocking):
                result = step.fn()
            elif isinstance(step, Concurrently):
                _concurrently_sync(step, http, locks, clock)
            else:
                with locks.thread:
                    result = run_sync(step.flow, http, locks, clock)
        except Exception as exc:  # handed to the flow, which decides
            error = exc


def _concurrently_sync(step: Concurrently, http: httpx2.Client, locks: Locks, clock: Clock) -> None:
    # ``flows`` is advanced in the calling thread only (it may read a source bound to it, such
    # as a database cursor); the flows run in a pool.
    errors: list[BaseException] = []
    if step.limit <= 1:
        for flow in step.flows:
            run_sync(flow, http, locks, clock)
        return
    free = threading.Semaphore(step.limit)

    def run_one(flow: Flow[Any]) -> None:
        try:
            run_sync(flow, http, locks, clock)
        except BaseException as exc:
            errors.append(exc)
        finally:
            free.release()

    with ThreadPoolExecutor(step.limit, thread_name_prefix="pinkit") as pool:
        while True:
            free.acquire()
            if errors:
                break
            try:
                flow = next(step.flows)
            except StopIteration:
                break
            except BaseException as exc:
                errors.insert(0, exc)
                break
            pool.submit(run_one, flow)
    if errors:
        raise errors[0]


async def _concurrently_async(
    step: Concurrently, http: httpx2.AsyncClient, locks: Locks, clock: Clock
) -> None:
    errors: list[BaseException] = []

    async def worker(scope: anyio.CancelScope) -> None:
        while not errors:
            try:
                flow = next(step.flows)
            except StopIteration:
                return
            except Exception as exc:
                errors.append(exc)
                scope.cancel()
                return
            try:
                await run_async(flow, http, locks, clock)
            except Exception as exc:
                errors.append(exc)
                scope.cancel()
                return

    async with anyio.create_task_group() as group:
        for _ in range(max(1, step.limit)):
            group.start_soon(worker, group.cancel_scope)
    if errors:
        raise errors[0]


async def run_async(flow: Flow[T], http: httpx2.AsyncClient, locks: Locks, clock: Clock) -> T:
    """``run_sync`` for the event loop; blocking steps run in worker threads."""
    try:
        return await _run_async(flow, http, locks, clock)
    except BaseException:
        flow.close()
        raise


async def _run_async(flow: Flow[T], http: httpx2.AsyncClient, locks: Locks, clock: Clock) -> T:
    result: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = flow.throw(error) if error is not None else flow.send(result)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        result, error = None, None
        try:
            if isinstance(step, Send):
                result = await _send_async(http, step)
            elif isinstance(step, Download):
                result = await _download_async(http, step)
            elif isinstance(step, Sleep):
                await clock.async_sleep(step.seconds)
            elif isinstance(step, Blocking):
                if step.async_fn is not None:
                    result = await step.async_fn()
                else:
                    result = await anyio.to_thread.run_sync(step.fn)
            elif isinstance(step, Concurrently):
                await _concurrently_async(step, http, locks, clock)
            else:
                async with locks.task:
                    result = await run_async(step.flow, http, locks, clock)
        except Exception as exc:  # handed to the flow, which decides
            error = exc


def _download_sync(http: httpx2.Client, step: Download) -> httpx2.Response:
    response = http.send(step.request, stream=True, auth=None)  # the request's headers only
    try:
        if response.status_code >= 400:
            response.read()
        else:
            for chunk in response.iter_bytes():
                step.sink(chunk)
    finally:
        response.close()
    return response


def _write_all(sink: Callable[[bytes], Any], chunks: list[bytes]) -> None:
    for chunk in chunks:
        sink(chunk)


async def _download_async(http: httpx2.AsyncClient, step: Download) -> httpx2.Response:
    response = await http.send(step.request, stream=True, auth=None)
    try:
        if response.status_code >= 400:
            await response.aread()
            return response
        batch: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            batch.append(chunk)
            size += len(chunk)
            if size >= ASYNC_WRITE_BYTES:
                await anyio.to_thread.run_sync(_write_all, step.sink, batch)
                batch, size = [], 0
        if batch:
            await anyio.to_thread.run_sync(_write_all, step.sink, batch)
    finally:
        await response.aclose()
    return response


def _timed_out(step: Send) -> AttemptTimeout:
    return AttemptTimeout(f"No complete answer within {step.timeout:g}s.", request=step.request)


class _BoundedBody(httpx2.SyncByteStream):
    """A response body whose chunks must all arrive before ``deadline``."""

    def __init__(self, stream: httpx2.SyncByteStream, deadline: float, step: Send) -> None:
        self._stream = stream
        self._deadline = deadline
        self._step = step

    @property
    def elapsed(self) -> Any:  # httpx2 reads the response's elapsed time from its stream
        return getattr(self._stream, "elapsed", None)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            if time.monotonic() >= self._deadline:
                raise _timed_out(self._step)
            yield chunk

    def close(self) -> None:
        self._stream.close()


def _send_sync(http: httpx2.Client, step: Send) -> httpx2.Response:
    if step.timeout is None:
        return http.send(step.request)
    deadline = time.monotonic() + step.timeout
    reset = ATTEMPT_DEADLINE.set(deadline)
    try:
        response = http.send(step.request, stream=True)
        try:
            assert isinstance(response.stream, httpx2.SyncByteStream)
            response.stream = _BoundedBody(response.stream, deadline, step)
            response.read()
        finally:
            response.close()
        return response
    except httpx2.TimeoutException as exc:
        if time.monotonic() >= deadline and not isinstance(exc, AttemptTimeout):
            raise _timed_out(step) from None
        raise
    finally:
        ATTEMPT_DEADLINE.reset(reset)


def _asyncio_timeout() -> Callable[[float], Any] | None:
    """``asyncio.timeout`` (Python 3.11+) when the running loop is asyncio's: a third of the
    CPU of ``anyio.fail_after`` there. asyncio is not imported for it (``import pinkit`` stays
    without it): a program running on asyncio has imported it already."""
    asyncio = sys.modules.get("asyncio")
    timeout = getattr(asyncio, "timeout", None)
    if timeout is None:
        return None
    try:
        asyncio.get_running_loop()  # type: ignore[union-attr]
    except RuntimeError:  # trio (through anyio)
        return None
    return timeout  # type: ignore[no-any-return]


async def _exchange_async(http: httpx2.AsyncClient, step: Send) -> httpx2.Response:
    response = await http.send(step.request, stream=True)
    try:
        await response.aread()
    finally:
        await response.aclose()
    return response


async def _send_async(http: httpx2.AsyncClient, step: Send) -> httpx2.Response:
    if step.timeout is None:
        return await http.send(step.request)
    try:
        if (asyncio_timeout := _asyncio_timeout()) is not None:
            async with asyncio_timeout(step.timeout):
                return await _exchange_async(http, step)
        with anyio.fail_after(step.timeout):
            return await _exchange_async(http, step)
    except TimeoutError:
        raise _timed_out(step) from None
