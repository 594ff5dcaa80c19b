"""The packaged operation and constraint tables are the spec's, and lookups find the right
operation."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from pinkit import _operations
from tests.scripts import load_script
from tests.spec import spec_path


def _generator() -> Any:
    return SimpleNamespace(**load_script("gen_operations"))


def test_packaged_table_matches_the_spec(openapi_spec: dict[str, Any]) -> None:
    gen = _generator()
    expected = gen.render(gen.build_table(openapi_spec))
    assert gen.TABLE.read_text(encoding="utf-8") == expected, "run scripts/gen_operations.py"


def test_packaged_constraints_match_the_spec(openapi_spec: dict[str, Any]) -> None:
    gen = _generator()
    expected = gen.render_constraints(gen.build_constraints(openapi_spec))
    packaged = gen.CONSTRAINTS.read_text(encoding="utf-8")
    assert packaged == expected, "run scripts/gen_operations.py"
    assert gen.main([str(spec_path()), "--check"]) == 0  # --check covers both files


def test_table_covers_every_operation_with_a_category(openapi_spec: dict[str, Any]) -> None:
    ops = _operations.all_operations()
    assert len(ops) == 231
    spec_ids = {
        op["operationId"]
        for item in openapi_spec["paths"].values()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert {o.id for o in ops} == spec_ids
    assert all(o.category for o in ops)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/user_account", "user_account/get"),
        ("GET", "/user_account/following/boards", "boards_user_follows/list"),
        ("POST", "/user_account/following/someone", "follow_user/update"),
        ("GET", "/boards/123/sections", "board_sections/list"),
        ("GET", "/boards/123/sections/456/pins", "board_sections/list_pins"),
        ("POST", "/ad_accounts/99/events", "events/create"),
        ("POST", "/oauth/token", "oauth/token"),
        ("GET", "/pins/1?bookmark=x", "pins/get"),
        ("DELETE", "/pins/1/", "pins/delete"),
    ],
)
def test_find_matches_literal_segments_first(method: str, path: str, expected: str) -> None:
    op = _operations.find(method, path)
    assert op is not None
    assert op.id == expected


def test_find_unknown() -> None:
    assert _operations.find("GET", "/nothing/here") is None
    assert _operations.find("PUT", "/user_account") is None


def test_categories_and_scopes_from_the_spec() -> None:
    op = _operations.by_id("user_account/get")
    assert op.category == "org_read"
    assert op.accepts_scopes("pinterest_oauth2", frozenset({"user_accounts:read"}))
    assert op.accepts_scopes("client_credentials", frozenset({"user_accounts:read"}))
    assert not op.accepts_scopes("pinterest_oauth2", frozenset({"pins:read"}))
    assert _operations.by_id("followers/list").category == "ads_read"
    assert _operations.by_id("events/create").category == "ads_conversions"
    assert "basic" in _operations.by_id("oauth/token").schemes


def _scan(method: str, path: str) -> _operations.Operation | None:
    """``find`` the long way: every operation of the method, in the table's order."""
    path = path.split("?", 1)[0].rstrip("/") or "/"
    for op in _operations.all_operations():
        if op.method == method.upper() and op.pattern.fullmatch(path):
            return op
    return None


def test_find_by_shape_answers_as_a_full_scan() -> None:
    # Every template with its parameters filled three ways, the templates themselves, and
    # paths of odd shapes: the index by (method, segments, first segment) changes no answer.
    paths = {"/", "", "//", "/boards//pins", "/boards/1/pins/", "/user_account?x=1", "/nope"}
    for op in _operations.all_operations():
        paths.add(op.path)
        for value in ("123", "abc", "x.y"):
            paths.add(re.sub(r"\{[^}]+\}", value, op.path))
    for method in ("GET", "POST", "PATCH", "DELETE", "PUT", "get"):
        for path in paths:
            assert _operations.find(method, path) is _scan(method, path), (method, path)
