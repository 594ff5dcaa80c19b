"""One definition per API operation, executed by both clients.

A resource method builds a ``Call`` (or ``PageCall``) describing the request and how to parse
the answer; the ``endpoint``/``paginated`` descriptors hand it to the owning client, which
runs it synchronously (``Client``) or returns an awaitable (``AsyncClient``). The descriptors'
overloads give each client precise types without a second, hand-kept copy of the method.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from ._flow import Flow

if TYPE_CHECKING:
    import httpx2

    from ._pagination import AsyncPager, SyncPager

__all__ = [
    "Async",
    "Call",
    "PageCall",
    "Resource",
    "Sync",
    "endpoint",
    "list_of",
    "no_content",
    "paginated",
    "workflow",
]

P = ParamSpec("P")
T = TypeVar("T")


def _identity(value: Any) -> Any:
    return value


def no_content(_: Any) -> None:
    """Parser for answers without a body (204)."""


def list_of(model: type[T]) -> Callable[[Any], list[T]]:
    """Parser for a bare JSON array of ``model`` (pydantic) objects."""

    def parse(body: Any) -> list[T]:
        return [model.model_validate(item) for item in body or []]  # type: ignore[attr-defined]

    return parse


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request and how to parse its answer: ``parse`` gets the decoded JSON, or the raw
    bytes when ``raw`` is set (for parsers that read JSON themselves, faster).

    ``headers`` are sent besides the client's own (never ``Authorization``: the client sets
    it); ``on_response`` sees the successful response before it is parsed."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    data: Mapping[str, Any] | None = None
    parse: Callable[[Any], T] = field(default=_identity)
    raw: bool = False
    headers: Mapping[str, str] | None = None
    on_response: Callable[[httpx2.Response], None] | None = None


@dataclass(frozen=True)
class PageCall(Generic[T]):
    """A bookmark-paginated list whose items are ``item`` models (plain JSON when None)."""

    path: str
    params: Mapping[str, Any] | None = None
    page_size: int | None = None
    max_items: int | None = None
    item: type[T] | None = None
    headers: Mapping[str, str] | None = None
    on_response: Callable[[httpx2.Response], None] | None = None


class Sync:
    """Marks resources bound to ``Client``."""


class Async:
    """Marks resources bound to ``AsyncClient``."""


M = TypeVar("M", Sync, Async)


class Resource(Generic[M]):
    """An API area bound to one client."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def _call(self, call: Call[T]) -> Flow[T]:
        """``call`` as a step of a workflow (auth, limits, retries and errors included)."""
        flow: Flow[T] = self._client._call_flow(call)
        return flow


class _Bound:
    """Runtime half of both descriptors: hand the built call to one client method."""

    _target = ""

    def __init__(self, build: Callable[..., Any]) -> None:
        self._build = build
        self.__doc__ = build.__doc__
        self.__name__ = getattr(build, "__name__", type(self).__name__)

    def _bind(self, obj: Resource[Any] | None) -> Any:
        if obj is None:
            return self
        build, run = self._build, getattr(obj._client, self._target)

        @functools.wraps(build)
        def call(*args: Any, **kwargs: Any) -> Any:
            return run(build(obj, *args, **kwargs))

        return call


class endpoint(_Bound, Generic[P, T]):
    """A method whose ``Call`` the client executes: returns ``T`` (or an awaitable of it)."""

    _target = "_execute"

    def __init__(self, build: Callable[Concatenate[Any, P], Call[T]]) -> None:
        super().__init__(build)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> endpoint[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        return self._bind(obj)


class paginated(_Bound, Generic[P, T]):
    """A method whose ``PageCall`` becomes a pager over every item of every page."""

    _target = "_pager"

    def __init__(self, build: Callable[Concatenate[Any, P], PageCall[T]]) -> None:
        super().__init__(build)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> paginated[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type[Any]) -> Callable[P, SyncPager[T]]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: type[Any]) -> Callable[P, AsyncPager[T]]: ...
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        return self._bind(obj)


class workflow(_Bound, Generic[P, T]):
    """A method built as a flow of several requests (upload, poll, create), run by the client."""

    _target = "_run"

    def __init__(self, build: Callable[Concatenate[Any, P], Flow[T]]) -> None:
        super().__init__(build)

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> workflow[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Resource[Any] | None, owner: type[Any]) -> Any:
        return self._bind(obj)
