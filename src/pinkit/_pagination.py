"""Bookmark pagination: ``{"items": [...], "bookmark": "..."}`` pages as one item stream.

``Pages`` holds the decisions (next query, when to stop, loop guard) without I/O; the two
pagers only fetch. Bookmarks travel as query parameters, so httpx2 URL-encodes them (a ``+``
in a bookmark stays a ``+``). A page without a bookmark is the last one; an empty page that
still carries a bookmark is not (the items after it would be lost), but more than
``MAX_EMPTY_PAGES`` of them in a row, or a bookmark seen before, stop iteration with
``PaginationError`` instead of looping forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._calls import Call
from ._operations import find
from .errors import InvalidInputError, PaginationError

if TYPE_CHECKING:
    from ._calls import PageCall
    from ._resource import AsyncHost, SyncHost

__all__ = ["MAX_EMPTY_PAGES", "MAX_PAGE_SIZE", "AsyncPager", "Pages", "SyncPager"]

T = TypeVar("T")
#: The page size asked for when the spec gives a list no maximum (and the limit for paths that
#: are not in the spec); the spec's lists almost all allow 1 to 250.
MAX_PAGE_SIZE = 250
MAX_EMPTY_PAGES = 10  # in a row, each with a bookmark; one more is a server stuck in a loop


@cache
def page_size_range(path: str) -> tuple[int, int | None]:
    """The spec's ``page_size`` range for the list at ``path`` (None: no maximum)."""
    from ._constraints import param  # the table loads on the first list, not on `import pinkit`

    op = find("GET", path)
    if op is None:
        return 1, MAX_PAGE_SIZE
    try:
        spec = param(op.id, "page_size")
    except LookupError:
        return 1, MAX_PAGE_SIZE
    return int(spec.minimum or 1), None if spec.maximum is None else int(spec.maximum)


class Pages:
    def __init__(
        self,
        params: Mapping[str, Any] | None,
        page_size: int | None,
        max_items: int | None,
        *,
        limits: tuple[int, int | None] = (1, MAX_PAGE_SIZE),
    ) -> None:
        low, high = limits
        if page_size is not None and (page_size < low or (high is not None and page_size > high)):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise InvalidInputError(f"page_size must be {bounds}")
        if max_items is not None and max_items < 0:
            raise InvalidInputError("max_items must be >= 0")
        self.params = dict(params or {})
        largest = MAX_PAGE_SIZE if high is None else high
        self.page_size = page_size or (min(largest, max_items) if max_items else largest)
        self.remaining = max_items
        self.bookmark: str | None = None
        self._seen: set[str] = set()
        self._empty_in_a_row = 0
        self.done = max_items == 0

    def next_params(self) -> dict[str, Any]:
        params = {**self.params, "page_size": self.page_size}
        if self.bookmark:
            params["bookmark"] = self.bookmark
        return params

    def accept(self, items: list[Any], bookmark: str | None) -> list[Any]:
        """The page's items to hand out; updates the stop decision."""
        page_items = items
        if self.remaining is not None:
            items = items[: self.remaining]
            self.remaining -= len(items)
        if not bookmark or self.remaining == 0:
            self.done = True
            return items
        if bookmark in self._seen:
            raise PaginationError(f"the server repeated bookmark {bookmark!r}; stopping")
        self._empty_in_a_row = 0 if page_items else self._empty_in_a_row + 1
        if self._empty_in_a_row > MAX_EMPTY_PAGES:
            raise PaginationError(
                f"{self._empty_in_a_row} empty pages in a row, each with a bookmark; stopping"
            )
        self._seen.add(bookmark)
        self.bookmark = bookmark
        return items


class _Pager(Generic[T]):
    def __init__(self, call: PageCall[T]) -> None:
        self._call = call
        from ._page_parser import page_parser  # pydantic loads with the first pager

        item: Any = call.item
        self._parse = page_parser(item)

    def _pages(self) -> Pages:
        call = self._call
        limits = page_size_range(call.path)
        return Pages(call.params, call.page_size, call.max_items, limits=limits)

    def _page_call(self, pages: Pages) -> Call[tuple[list[T], str | None]]:
        call = self._call
        return Call(
            "GET",
            call.path,
            params=pages.next_params(),
            parse=self._parse,
            raw=True,
            headers=call.headers,
            on_response=call.on_response,
        )


class SyncPager(_Pager[T]):
    """Iterate over every item across pages: ``for pin in client.pins.list(): ...``."""

    def __init__(self, client: SyncHost, call: PageCall[T]) -> None:
        super().__init__(call)
        self._client = client

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page

    def pages(self) -> Iterator[list[T]]:
        """The same items a page at a time: each answer's items (within ``max_items``)."""
        client, pages = self._client, self._pages()
        while not pages.done:
            items = pages.accept(*client._run(client._call_flow(self._page_call(pages))))
            if items:
                yield items


class AsyncPager(_Pager[T]):
    """Iterate over every item across pages: ``async for pin in client.pins.list(): ...``."""

    def __init__(self, client: AsyncHost, call: PageCall[T]) -> None:
        super().__init__(call)
        self._client = client

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page:
                yield item

    async def pages(self) -> AsyncIterator[list[T]]:
        """The same items a page at a time: each answer's items (within ``max_items``)."""
        client, pages = self._client, self._pages()
        while not pages.done:
            page = await client._run(client._call_flow(self._page_call(pages)))
            items = pages.accept(*page)
            if items:
                yield items
