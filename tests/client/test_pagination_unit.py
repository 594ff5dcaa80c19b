from __future__ import annotations

import pytest

from pinkit import InvalidInputError, PaginationError
from pinkit._pagination import Pages


def test_stops_on_missing_null_or_empty_bookmark() -> None:
    for end in ({}, {"bookmark": None}, {"bookmark": ""}):
        pages = Pages(None, 10, None)
        assert pages.accept({"items": [1, 2], **end}) == [1, 2]
        assert pages.done


def test_repeated_bookmark_is_an_error() -> None:
    pages = Pages(None, None, None)
    pages.accept({"items": [1], "bookmark": "a+b/c="})
    assert pages.next_params()["bookmark"] == "a+b/c="
    with pytest.raises(PaginationError, match="repeated"):
        pages.accept({"items": [2], "bookmark": "a+b/c="})


def test_max_items_truncates_and_sizes_pages() -> None:
    pages = Pages({"x": 1}, None, 3)
    assert pages.next_params() == {"x": 1, "page_size": 3}
    assert pages.accept({"items": [1, 2], "bookmark": "b1"}) == [1, 2]
    assert pages.accept({"items": [3, 4], "bookmark": "b2"}) == [3]
    assert pages.done


@pytest.mark.parametrize("size", [0, 251, -1])
def test_page_size_is_checked_before_any_request(size: int) -> None:
    with pytest.raises(InvalidInputError):
        Pages(None, size, None)


def test_malformed_page() -> None:
    with pytest.raises(PaginationError):
        Pages(None, None, None).accept({"data": []})
