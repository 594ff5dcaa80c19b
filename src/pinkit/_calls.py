"""What a resource method describes: one request and how to parse its answer (``Call``), or
a bookmark-paginated list (``PageCall``). Plain data, shared by the resources, the pagers and
the clients."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import httpx2

__all__ = ["Call", "PageCall", "list_of", "no_content"]

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
    it); ``on_response`` sees the successful response before it is parsed. ``content`` is a
    JSON body already encoded (sent as is, instead of ``json``). ``repeatable`` overrides
    whether the request may be sent again after it may have been processed (None: as the
    operation says): a batch of offline conversions is not, since Pinterest never
    deduplicates them."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    data: Mapping[str, Any] | None = None
    parse: Callable[[Any], T] = field(default=_identity)
    raw: bool = False
    headers: Mapping[str, str] | None = None
    on_response: Callable[[httpx2.Response], None] | None = None
    content: bytes | None = None
    repeatable: bool | None = None


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
