"""One definition per API operation, executed by both clients.

A resource method builds a ``Call`` (or ``PageCall``, or a ``Flow`` of several requests)
describing the request and how to parse the answer; the ``endpoint``/``paginated``/``workflow``
descriptors turn it into a real method of the owning client's resource: a plain function on
``Client``, a coroutine function on ``AsyncClient`` (a plain function returning the async pager
for paginated lists). The method is built once per resource on first lookup, with the public
signature (no ``self``, the parsed return type) and the docstring of its definition. The
descriptors' overloads give each client precise static types without a second, hand-kept copy
of the method.

Resources reach their client through ``SyncHost``/``AsyncHost``: the part of a client that a
resource needs (its flows, its runner, its pager, its clock and retry policy).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    Literal,
    ParamSpec,
    Protocol,
    TypeVar,
    overload,
)

from ._calls import Call, PageCall, list_of, no_content
from ._flow import Flow
from ._pagination import AsyncPager, SyncPager

if TYPE_CHECKING:
    from ._base import RetryPolicy
    from ._clock import Clock

__all__ = [
    "Async",
    "AsyncHost",
    "Call",
    "Host",
    "PageCall",
    "Resource",
    "Sync",
    "SyncHost",
    "endpoint",
    "list_of",
    "no_content",
    "paginated",
    "workflow",
]

P = ParamSpec("P")
T = TypeVar("T")


class Sync:
    """Marks resources bound to ``Client``."""


class Async:
    """Marks resources bound to ``AsyncClient``."""


M = TypeVar("M", Sync, Async)


class _HostBase(Protocol):
    """What every resource needs of its client, whichever kind."""

    @property
    def clock(self) -> Clock: ...

    @property
    def retry(self) -> RetryPolicy: ...

    @property
    def ad_account_id(self) -> str | None:
        """The default ad account (``Client(ad_account_id=...)``, PINTEREST_AD_ACCOUNT_ID)."""
        ...

    @property
    def transfer_timeout(self) -> float | None:
        """How long one file transfer attempt may take in all (None: no overall limit)."""
        ...

    def _call_flow(self, call: Call[T], /) -> Flow[T]:
        """``call`` as a flow: auth, limits, retries, error mapping and parsing included."""
        ...


class SyncHost(_HostBase, Protocol):
    """A client whose resource methods return results (``Client``)."""

    @property
    def _is_async(self) -> Literal[False]: ...

    def _run(self, flow: Flow[T], /) -> T: ...

    def _pager(self, call: PageCall[T], /) -> SyncPager[T]: ...


class AsyncHost(_HostBase, Protocol):
    """A client whose resource methods return awaitables (``AsyncClient``)."""

    @property
    def _is_async(self) -> Literal[True]: ...

    def _run(self, flow: Flow[T], /) -> Awaitable[T]: ...

    def _pager(self, call: PageCall[T], /) -> AsyncPager[T]: ...


Host = SyncHost | AsyncHost


class Resource(Generic[M]):
    """An API area bound to one client."""

    def __init__(self, client: Host) -> None:
        self._client = client

    def _call(self, call: Call[T]) -> Flow[T]:
        """``call`` as a step of a workflow (auth, limits, retries and errors included)."""
        return self._client._call_flow(call)


def _result_type(annotation: Any, position: int) -> Any:
    """``X`` of ``Call[X]`` / ``PageCall[X]`` (position 0) or ``Flow[X]`` (-1), ``None`` for
    ``NoneType``; the annotation itself when it has no such argument."""
    args = typing.get_args(annotation)
    if not args:
        return annotation
    result = args[position]
    return None if result is type(None) else result


class _Method(Generic[P, T]):
    """Runtime half of the descriptors: on first lookup on a resource, build the client-kind
    method (``_sync``/``_async``), give it the public signature and cache it on the resource."""

    def __init__(self, build: Callable[..., Any]) -> None:
        self._build = build
        self._name: str = build.__name__
        self.__doc__ = build.__doc__
        self.__name__ = build.__name__
        self.__qualname__ = build.__qualname__
        self.__module__ = build.__module__
        self._signatures: dict[bool, tuple[inspect.Signature, dict[str, Any]]] = {}

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    def _returns(self, annotation: Any, is_async: bool) -> Any:
        """The method's return annotation, from its definition's (``Call[X]`` → ``X``)."""
        return _result_type(annotation, 0)

    def _signature(self, is_async: bool) -> tuple[inspect.Signature, dict[str, Any]]:
        """The public signature and annotations, worked out once per client kind."""
        cached = self._signatures.get(is_async)
        if cached is None:
            try:
                full = inspect.signature(self._build, eval_str=True)
            except NameError:  # an annotation only importable for type checkers
                full = inspect.signature(self._build)
            signature = full.replace(
                parameters=list(full.parameters.values())[1:],
                return_annotation=self._returns(full.return_annotation, is_async),
            )
            annotations = {
                p.name: p.annotation
                for p in signature.parameters.values()
                if p.annotation is not inspect.Parameter.empty
            }
            annotations["return"] = signature.return_annotation
            cached = self._signatures[is_async] = (signature, annotations)
        return cached

    def _sync(self, obj: Resource[Any], client: SyncHost) -> Callable[..., Any]:
        raise NotImplementedError

    def _async(self, obj: Resource[Any], client: AsyncHost) -> Callable[..., Any]:
        raise NotImplementedError

    def _bind(self, obj: Resource[Any] | None) -> Any:
        if obj is None:
            return self
        client = obj._client
        method = self._async(obj, client) if client._is_async else self._sync(obj, client)
        signature, annotations = self._signature(client._is_async)
        method.__name__ = self.__name__
        method.__qualname__ = self.__qualname__
        method.__module__ = self.__module__
        method.__doc__ = self.__doc__
        method.__signature__ = signature  # type: ignore[attr-defined]
        method.__annotations__ = dict(annotations)
        obj.__dict__[self._name] = method  # later lookups skip the descriptor
        return method


class endpoint(_Method[P, T]):
    """A method whose ``Call`` the client executes: returns ``T`` (or a coroutine of it)."""

    def __init__(self, build: Callable[Concatenate[Any, P], Call[T]]) -> None:
        super().__init__(build)
        self._make_call = build

    def _sync(self, obj: Resource[Any], client: SyncHost) -> Callable[P, T]:
        build, call_flow, run = self._make_call, client._call_flow, client._run

        def method(*args: P.args, **kwargs: P.kwargs) -> T:
            return run(call_flow(build(obj, *args, **kwargs)))

        return method

    def _async(self, obj: Resource[Any], client: AsyncHost) -> Callable[P, Awaitable[T]]:
        build, call_flow, run = self._make_call, client._call_flow, client._run

        async def method(*args: P.args, **kwargs: P.kwargs) -> T:
            return await run(call_flow(build(obj, *args, **kwargs)))

        return method

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> endpoint[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        return self._bind(obj)


class paginated(_Method[P, T]):
    """A method whose ``PageCall`` becomes a pager over every item of every page (a plain
    function on both clients: ``async for`` iterates the async pager)."""

    def __init__(self, build: Callable[Concatenate[Any, P], PageCall[T]]) -> None:
        super().__init__(build)
        self._make_call = build

    def _returns(self, annotation: Any, is_async: bool) -> Any:
        item = _result_type(annotation, 0)
        if item is annotation:  # unevaluated: keep what the definition says
            return annotation
        return (AsyncPager if is_async else SyncPager)[item]

    def _sync(self, obj: Resource[Any], client: SyncHost) -> Callable[P, SyncPager[T]]:
        build, pager = self._make_call, client._pager

        def method(*args: P.args, **kwargs: P.kwargs) -> SyncPager[T]:
            return pager(build(obj, *args, **kwargs))

        return method

    def _async(self, obj: Resource[Any], client: AsyncHost) -> Callable[P, AsyncPager[T]]:
        build, pager = self._make_call, client._pager

        def method(*args: P.args, **kwargs: P.kwargs) -> AsyncPager[T]:
            return pager(build(obj, *args, **kwargs))

        return method

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> paginated[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type[Any]) -> Callable[P, SyncPager[T]]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: type[Any]) -> Callable[P, AsyncPager[T]]: ...
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        return self._bind(obj)


class workflow(_Method[P, T]):
    """A method built as a flow of several requests (upload, poll, create), run by the client."""

    def __init__(self, build: Callable[Concatenate[Any, P], Flow[T]]) -> None:
        super().__init__(build)
        self._make_flow = build

    def _returns(self, annotation: Any, is_async: bool) -> Any:
        return _result_type(annotation, -1)

    def _sync(self, obj: Resource[Any], client: SyncHost) -> Callable[P, T]:
        build, run = self._make_flow, client._run

        def method(*args: P.args, **kwargs: P.kwargs) -> T:
            return run(build(obj, *args, **kwargs))

        return method

    def _async(self, obj: Resource[Any], client: AsyncHost) -> Callable[P, Awaitable[T]]:
        build, run = self._make_flow, client._run

        async def method(*args: P.args, **kwargs: P.kwargs) -> T:
            return await run(build(obj, *args, **kwargs))

        return method

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> workflow[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        return self._bind(obj)
