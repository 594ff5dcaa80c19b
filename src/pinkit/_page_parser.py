"""Pages parsed from bytes into item models by pydantic-core.

Apart from ``_pagination`` so that pydantic loads with the first pager, not with the client.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import from_json

from .errors import PaginationError

__all__ = ["page_parser"]

T = TypeVar("T")


class _Page(BaseModel, Generic[T]):
    items: list[T]
    bookmark: str | None = None


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a page is parsed (threads and tasks counted, so
    the last one out turns it back on, and only if it was on).

    A page makes a few thousand objects that all survive the parse (250 models, their dicts);
    with the collector on, each 700 allocations start a collection that walks them all again,
    which cost as much as the parse itself. They hold no cycles: the next collection after
    the parse finds them as it would have."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def _plain_page(content: bytes) -> tuple[list[Any], str | None] | None:
    """A page of plain JSON items by pydantic-core's JSON parser alone (the one ``validate_json``
    uses, without a validation pass); None unless the page is well formed (the validator then
    says what is wrong, as before)."""
    try:
        page = from_json(content)
    except ValueError:
        return None
    if type(page) is not dict:
        return None
    items, bookmark = page.get("items"), page.get("bookmark")
    if type(items) is not list or not (bookmark is None or type(bookmark) is str):
        return None
    return items, bookmark


@cache
def page_parser(item: Any) -> Callable[[bytes], tuple[list[Any], str | None]]:
    """Parse a page's bytes into ``item`` models (plain JSON values when ``item`` is None).

    pydantic-core's JSON parser makes the Python values, and the models are validated from
    them: quicker than ``validate_json``, which converts every value it keeps (a pin's nested
    ``media`` most of all) from its own tree a second time. A malformed page goes through
    ``validate_json`` of the whole page, which says what is wrong."""
    page_type: Any = _Page[item] if item is not None else _Page[Any]
    adapter: TypeAdapter[_Page[Any]] = TypeAdapter(page_type)
    items_adapter: TypeAdapter[list[Any]] | None = (
        TypeAdapter(list[item]) if item is not None else None
    )

    def parse(content: bytes) -> tuple[list[Any], str | None]:
        with _gc_paused():
            plain = _plain_page(content)
            if plain is not None:
                if items_adapter is None:
                    return plain
                try:
                    return items_adapter.validate_python(plain[0]), plain[1]
                except ValidationError:
                    pass  # validate_json says what is wrong, in its own words
            try:
                page = adapter.validate_json(content)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise PaginationError(f"unexpected page: {where}: {first['msg']}") from None
        return page.items, page.bookmark

    return parse
