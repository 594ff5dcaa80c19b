"""Pages parsed from bytes straight into item models, in one pass of pydantic-core.

Apart from ``_pagination`` so that pydantic loads with the first pager, not with the client.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from .errors import PaginationError

__all__ = ["page_parser"]

T = TypeVar("T")


class _Page(BaseModel, Generic[T]):
    items: list[T]
    bookmark: str | None = None


@cache
def page_parser(item: Any) -> Callable[[bytes], tuple[list[Any], str | None]]:
    """Parse a page's bytes straight into ``item`` models (one pass in pydantic-core, no
    intermediate ``json.loads``); plain JSON values when ``item`` is None."""
    page_type: Any = _Page[item] if item is not None else _Page[Any]
    adapter: TypeAdapter[_Page[Any]] = TypeAdapter(page_type)

    def parse(content: bytes) -> tuple[list[Any], str | None]:
        try:
            page = adapter.validate_json(content)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise PaginationError(f"unexpected page: {where}: {first['msg']}") from None
        return page.items, page.bookmark

    return parse
