from __future__ import annotations

import gc
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from pinkit import InvalidInputError, PaginationError
from pinkit._page_parser import _Page, page_parser
from pinkit._pagination import Pages, page_size_range
from pinkit.models import Pin


def test_stops_on_missing_null_or_empty_bookmark() -> None:
    for body in (
        b'{"items": [1, 2]}',
        b'{"items": [1, 2], "bookmark": null}',
        b'{"items": [1, 2], "bookmark": ""}',
    ):
        pages = Pages(None, 10, None)
        assert pages.accept(*page_parser(None)(body)) == [1, 2]
        assert pages.done


def test_an_empty_page_with_a_bookmark_is_not_the_last() -> None:
    pages = Pages(None, None, None)
    assert pages.accept([], "more") == []
    assert not pages.done
    assert pages.next_params()["bookmark"] == "more"
    assert pages.accept([1], None) == [1]
    assert pages.done


def test_more_than_ten_empty_pages_in_a_row_is_an_error() -> None:
    pages = Pages(None, None, None)
    for i in range(10):
        pages.accept([], f"e{i}")
    pages.accept([1], "full")  # an item resets the count
    for i in range(10):
        pages.accept([], f"f{i}")
    with pytest.raises(PaginationError, match="11 empty pages in a row"):
        pages.accept([], "f10")


def test_repeated_bookmark_is_an_error() -> None:
    pages = Pages(None, None, None)
    pages.accept([1], "a+b/c=")
    assert pages.next_params()["bookmark"] == "a+b/c="
    with pytest.raises(PaginationError, match="repeated"):
        pages.accept([2], "a+b/c=")


def test_max_items_truncates_and_sizes_pages() -> None:
    pages = Pages({"x": 1}, None, 3)
    assert pages.next_params() == {"x": 1, "page_size": 3}
    assert pages.accept([1, 2], "b1") == [1, 2]
    assert pages.accept([3, 4], "b2") == [3]
    assert pages.done


@pytest.mark.parametrize("size", [0, 251, -1])
def test_page_size_is_checked_before_any_request(size: int) -> None:
    with pytest.raises(InvalidInputError):
        Pages(None, size, None)


def test_pages_parse_into_models_keeping_unknown_fields() -> None:
    items, bookmark = page_parser(Pin)(b'{"items": [{"id": "1", "brand_new": 7}], "bookmark": "b"}')
    assert bookmark == "b"
    assert isinstance(items[0], Pin)
    assert items[0].model_extra == {"brand_new": 7}


@pytest.mark.parametrize("body", [b'{"data": []}', b"not json", b'{"items": [{"id": 5}]}'])
def test_malformed_pages_are_pagination_errors(body: bytes) -> None:
    with pytest.raises(PaginationError, match="unexpected page"):
        page_parser(Pin)(body)


def test_page_size_range_is_the_specs_for_the_list() -> None:
    assert page_size_range("/boards") == (1, 250)
    assert page_size_range("/ad_accounts/123/keywords") == (1, None)  # no maximum in the spec
    assert page_size_range("/not/in/the/spec") == (1, 250)
    unbounded = Pages(None, 1000, None, limits=(1, None))
    assert unbounded.next_params() == {"page_size": 1000}
    assert Pages(None, None, None, limits=(1, None)).next_params() == {"page_size": 250}
    with pytest.raises(InvalidInputError, match="at least 1"):
        Pages(None, 0, None, limits=(1, None))


def _validated(item: Any, body: bytes) -> tuple[list[Any], str | None] | str:
    """The page as ``validate_json`` of the whole page reads it (its items and bookmark, or its
    error): what the page parser's quicker paths must answer alike."""
    try:
        page = TypeAdapter(_Page[item]).validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"unexpected page: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return page.items, page.bookmark


def _parses_as_validated(item: Any, body: bytes) -> tuple[list[Any], list[Any]]:
    """Check that the parser answers as ``_validated``; the items of both (none on an error)."""
    expected = _validated(Any if item is None else item, body)
    if isinstance(expected, str):
        with pytest.raises(PaginationError) as exc:
            page_parser(item)(body)
        assert str(exc.value) == expected
        return [], []
    parsed = page_parser(item)(body)
    assert parsed == expected
    return parsed[0], expected[0]


@pytest.mark.parametrize(
    "body",
    [
        b'{"items": [1, {"a": [null, true, 1.5]}], "bookmark": "b"}',
        b'{"items": [], "bookmark": null, "extra": 1}',
        b'{"items": [123456789012345678901234567890]}',
        b'{"items": [1], "bookmark": 5}',
        b'{"items": {"a": 1}}',
        b'{"bookmark": "b"}',
        b"[1, 2]",
        b"not json",
        b'{"items": [1], "items": [2]}',
    ],
)
def test_plain_pages_read_as_the_validator_reads_them(body: bytes) -> None:
    _parses_as_validated(None, body)


@pytest.mark.parametrize(
    "body",
    [
        b'{"items": [{"id": "1", "board_owner": {"username": "u", "x": [1]}, "new": 2}]}',
        b'{"items": [{"id": "1", "media": {"images": {"a": {"width": 1}}}}], "bookmark": "b"}',
        b'{"items": [{"id": "1", "pin_metrics": {"n": 123456789012345678901234567890}}]}',
        b'{"items": [{"id": 5}]}',
        b'{"items": [{"id": "1"}, {"board_owner": {"username": 3}}]}',
        b'{"items": [{"is_owner": "yes"}]}',
        b'{"items": [{"is_owner": "true", "media": [1]}]}',
        b'{"items": [7]}',
        b'{"items": [{"id": "1"}], "bookmark": 5}',
    ],
)
def test_typed_pages_read_as_validating_the_whole_page_reads_them(body: bytes) -> None:
    for parsed, expected in zip(*_parses_as_validated(Pin, body), strict=True):
        assert parsed.model_extra == expected.model_extra
        assert parsed.model_fields_set == expected.model_fields_set


@pytest.mark.parametrize("enabled", [True, False])
def test_parsing_a_page_leaves_the_collector_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        page_parser(Pin)(b'{"items": [{"id": "1"}]}')
        with pytest.raises(PaginationError):
            page_parser(Pin)(b"not json")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
