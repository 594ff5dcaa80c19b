"""The packaged constraint table: lookups by operation and field, and the compiled validators."""

from __future__ import annotations

from typing import Any

import pytest

from pinkit import _constraints as constraints
from pinkit._constraints import MAX_DEPTH, Problem, check_body, check_params, field, param
from pinkit._operations import all_operations


def _messages(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


# -- lookups -----------------------------------------------------------------------------------
def test_a_name_is_the_operations_own() -> None:
    section = field("board_sections/create", "name")
    assert (section.min_length, section.max_length, section.required) == (1, 180, True)
    assert field("board_sections/update", "name").max_length == 180
    board = field("boards/create", "name")
    assert board.type == "string" and board.required
    assert board.max_length is None  # the spec gives a board's name no limit
    assert field("ad_accounts/create", "name").max_length == 256
    assert field("campaigns/create", "[].name").max_length is None


def test_pin_fields() -> None:
    assert field("pins/create", "title").max_length == 100
    assert field("pins/create", "description").max_length == 800
    assert field("pins/create", "alt_text").max_length == 500
    link = field("pins/create", "link")
    assert (link.max_length, link.nullable, link.required) == (2048, True, False)
    assert field("pins/create", "board_id").pattern == r"^\d+$"
    assert field("pins/update", "title").max_length == 100
    assert field("pins/save", "board_id").pattern == r"^\d+$"


def test_enums_and_defaults() -> None:
    privacy = field("boards/create", "privacy")
    assert privacy.enum == ("PUBLIC", "PROTECTED", "SECRET")
    assert privacy.default == "PUBLIC"
    assert field("boards/update", "privacy").enum == ("PUBLIC", "SECRET")
    assert field("media/create", "media_type").enum == ("video",)


def test_nested_paths_and_alternatives() -> None:
    source = field("pins/create", "media_source")
    assert source.discriminator == "source_type"
    assert "multiple_image_urls" in source.variants and source.alternatives == 6
    carousel = field("pins/create", "media_source[source_type=multiple_image_urls].items")
    assert (carousel.min_items, carousel.max_items) == (2, 5)
    url = field("pins/create", "media_source.items[].url")  # only the URL carousel has one
    assert url.type == "string" and url.required
    frame = field("pins/create", "media_source.cover_image_key_frame_time")
    assert (frame.type, frame.minimum) == ("integer", 0)
    with pytest.raises(LookupError, match="alternatives"):
        field("pins/create", "media_source.items")  # URL and base64 carousels differ
    with pytest.raises(LookupError, match="no field"):
        field("pins/create", "media_source.nothing")
    with pytest.raises(LookupError, match="no JSON body"):
        field("pins/get", "title")
    with pytest.raises(KeyError):
        field("pins/nothing", "title")


def test_parameters() -> None:
    size = param("boards/list", "page_size")
    assert (size.location, size.minimum, size.maximum, size.default) == ("query", 1, 250, 25)
    account = param("boards/list", "ad_account_id")
    assert (account.max_length, account.pattern, account.required) == (18, r"^\d+$", False)
    board = param("boards/get", "board_id")
    assert (board.location, board.required) == ("path", True)
    statuses = param("ad_groups/list", "entity_statuses")
    assert statuses.type == "array" and statuses.style == "form" and statuses.explode
    assert "PAUSED" in (param("ad_groups/list", "entity_statuses[]").enum or ())
    with pytest.raises(LookupError):
        param("boards/list", "nothing")


# -- every operation ---------------------------------------------------------------------------
def test_every_operation_compiles() -> None:
    ops = all_operations()
    assert len(ops) == 231
    for op in ops:
        assert isinstance(check_params(op.id, {}, {}), list)
        assert isinstance(check_body(op.id, None), list)
        assert isinstance(check_body(op.id, {}), list)
        assert isinstance(check_body(op.id, {}, partial=True), list)
    assert constraints.spec_version() == "5.23.0"


def test_every_named_schema_compiles() -> None:
    compiler = constraints._compiler()
    for name in constraints._table()["schemas"]:
        check = compiler.ref(name)
        check({}, 0)
        check([], 0)
        check("x", 0)


# -- bodies ------------------------------------------------------------------------------------
PIN = {
    "board_id": "123",
    "title": "A title",
    "link": "https://example.com/x",
    "media_source": {"source_type": "image_url", "url": "https://example.com/a.jpg"},
}


def test_a_valid_body_has_no_problems() -> None:
    assert check_body("pins/create", PIN) == []
    carousel = {
        "source_type": "multiple_image_urls",
        "items": [{"url": "https://example.com/1.jpg"}, {"url": "https://example.com/2.jpg"}],
    }
    assert check_body("pins/create", {**PIN, "media_source": carousel}) == []
    assert check_body("boards/create", {"name": "x" * 500}) == []
    assert check_body("pins/create", {**PIN, "title": None}) == []  # nullable


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"title": 5}, "title must be a string"),
        ({"title": "x" * 101}, "title must be at most 100 characters"),
        ({"board_id": "12a"}, "board_id must be a string of digits"),
        ({"board_id": None}, "board_id must be a string"),
        ({"media_source": None}, "media_source must be an object"),
        ({"media_source": {}}, "media_source.source_type is required"),
        ({"media_source": {"source_type": "hologram"}}, "media_source.source_type must be one of"),
        (
            {"media_source": {"source_type": "multiple_image_urls", "items": [{"url": "u"}]}},
            "media_source.items must have at least 2 items",
        ),
        (
            {"media_source": {"source_type": "multiple_image_urls", "items": [{"url": "u"}] * 6}},
            "media_source.items must have at most 5 items",
        ),
        (
            {"media_source": {"source_type": "multiple_image_urls", "items": [{"url": "u"}, {}]}},
            "media_source.items[1].url is required",
        ),
        (
            {
                "media_source": {
                    "source_type": "video_id",
                    "media_id": "1",
                    "cover_image_key_frame_time": -1,
                }
            },
            "media_source.cover_image_key_frame_time must be at least 0",
        ),
        (
            {"media_source": {"source_type": "video_id", "media_id": "1", "is_standard": "no"}},
            "media_source.is_standard must be true or false",
        ),
    ],
)
def test_body_problems(body: dict[str, Any], expected: str) -> None:
    problems = _messages(check_body("pins/create", {**PIN, **body}))
    assert problems and problems[0].startswith(expected), problems


def test_required_enum_and_closed_schemas() -> None:
    assert _messages(check_body("boards/create", {})) == ["name is required"]
    assert check_body("boards/create", {}, partial=True) == []
    assert _messages(check_body("boards/create", None)) == ["request body is required"]
    assert _messages(check_body("boards/create", [])) == ["request body must be an object"]
    wrong = check_body("boards/create", {"name": "x", "privacy": "HIDDEN"})
    assert [(p.path, p.keyword) for p in wrong] == [("privacy", "enum")]
    assert check_body("boards/update", {"privacy": "PROTECTED"})[0].keyword == "enum"
    # ConversionEvents closes its events (additionalProperties: false); unknown fields elsewhere
    # are ignored, as the real API ignores them.
    event = {
        "event_name": "checkout",
        "action_source": "web",
        "event_time": 1,
        "event_id": "e1",
        "user_data": {"em": ["x"]},
    }
    assert check_body("events/create", {"data": [event]}) == []
    closed = check_body("events/create", {"data": [{**event, "colour": "red"}]})
    assert [(p.path, p.keyword) for p in closed] == [("data[0].colour", "additionalProperties")]
    assert check_body("boards/create", {"name": "x", "colour": "red"}) == []


def test_numbers() -> None:
    account = {"name": "Ads", "owner_user_id": "1", "country": "US"}
    assert check_body("ad_accounts/create", account) == []
    assert check_body("ad_accounts/create", {**account, "name": "x" * 257})[0].keyword == (
        "maxLength"
    )
    frame = {"source_type": "video_id", "media_id": "1", "cover_image_key_frame_time": 1.5}
    assert _messages(check_body("pins/create", {**PIN, "media_source": frame})) == [
        "media_source.cover_image_key_frame_time must be an integer"
    ]
    frame["cover_image_key_frame_time"] = True  # a boolean is no integer
    assert check_body("pins/create", {**PIN, "media_source": frame})[0].keyword == "type"
    frame["cover_image_key_frame_time"] = 2.0  # but 2.0 is
    assert check_body("pins/create", {**PIN, "media_source": frame}) == []


# Arabic-Indic and fullwidth digits are digits to Python's \d, not to the spec's.
@pytest.mark.parametrize("value", ["\u0661\u0662\u0663", "\uff11\uff12", "123\n", "", " 1", "1 "])
def test_id_patterns_are_ascii_digits_to_the_end(value: str) -> None:
    problems = check_body("pins/create", {**PIN, "board_id": value})
    assert [(p.path, p.keyword) for p in problems] == [("board_id", "pattern")]


def _nested(levels: int) -> list[Any]:
    outer: list[Any] = []
    inner = outer
    for _ in range(levels - 1):
        inner.append([])
        inner = inner[0]
    return outer


def test_deep_nesting_is_a_problem_not_a_recursion_error() -> None:
    def source(extra: Any) -> dict[str, Any]:
        return {**PIN, "media_source": {**PIN["media_source"], "extra": extra}}

    # The body is level 1, media_source level 2: a free-form field's value starts at level 3.
    assert check_body("pins/create", source(_nested(MAX_DEPTH - 2))) == []
    too_deep = check_body("pins/create", source(_nested(MAX_DEPTH - 1)))
    assert [(p.path, p.keyword) for p in too_deep] == [("media_source.extra", "depth")]
    assert check_body("pins/create", source(_nested(100_000)))[0].keyword == "depth"


# -- parameters --------------------------------------------------------------------------------
def test_query_parameters_are_parsed_from_strings() -> None:
    assert check_params("boards/list", {}, {"page_size": ["250"], "privacy": ["ALL"]}) == []
    for raw, keyword in (("0", "minimum"), ("251", "maximum"), ("ten", "type"), ("1.5", "type")):
        problems = check_params("boards/list", {}, {"page_size": [raw]})
        assert [(p.path, p.keyword) for p in problems] == [("page_size", keyword)], raw
    assert _messages(check_params("boards/list", {}, {"page_size": [""]})) == [
        "page_size must be an integer"
    ]
    assert check_params("pins/get", {"pin_id": "1"}, {"pin_metrics": ["TRUE"]}) == []
    assert _messages(check_params("pins/get", {"pin_id": "1"}, {"pin_metrics": ["maybe"]})) == [
        "pin_metrics must be true or false"
    ]
    assert check_params("boards/list", {}, {"privacy": ["HIDDEN"]})[0].keyword == "enum"
    assert check_params("boards/list", {}, {"unknown": ["whatever"]}) == []


def test_array_parameters_repeat_or_use_commas() -> None:
    ok = {"creative_types": ["REGULAR,VIDEO", "CAROUSEL"]}
    assert check_params("pins/list", {}, ok) == []
    bad = check_params("pins/list", {}, {"creative_types": ["REGULAR,HOLOGRAM"]})
    assert [(p.path, p.keyword) for p in bad] == [("creative_types[1]", "enum")]
    path = {"ad_account_id": "1"}
    statuses = {"entity_statuses": ["ACTIVE,PAUSED"]}
    assert check_params("ad_groups/list", path, statuses) == []
    ids = check_params("ad_groups/list", path, {"campaign_ids": ["1,2,x"]})
    assert [(p.path, p.keyword) for p in ids] == [("campaign_ids[2]", "pattern")]
    many = check_params("ad_groups/list", path, {"campaign_ids": [",".join(["1"] * 251)]})
    assert many[0].keyword == "maxItems"


def test_required_and_path_parameters() -> None:
    assert _messages(check_params("boards/get", {"board_id": "12a"}, {})) == [
        "board_id must be a string of digits"
    ]
    account = check_params("boards/get", {"board_id": "1"}, {"ad_account_id": ["1" * 19]})
    assert _messages(account) == ["ad_account_id must be at most 18 characters"]
    missing = check_params("ad_account/analytics", {"ad_account_id": "1"}, {})
    assert {p.path for p in missing} >= {"start_date", "end_date", "columns", "granularity"}
    assert all(p.keyword == "required" for p in missing)


def test_compiling_from_many_threads_at_once() -> None:
    """The emulator validates from worker threads: the first requests compile concurrently."""
    from concurrent.futures import ThreadPoolExecutor

    constraints._compiler.cache_clear()
    constraints._body_check.cache_clear()
    constraints._params_check.cache_clear()
    event = {"event_name": "lead", "action_source": "web", "event_time": 1, "event_id": "e"}
    bodies = [("events/create", {"data": [{**event, "user_data": {"em": ["x"]}}]})] * 8
    bodies += [(op.id, {}) for op in all_operations()]

    def run(item: tuple[str, Any]) -> list[Problem]:
        check_params(item[0], {}, {})
        return check_body(item[0], item[1])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, bodies))
    assert results[0] == [] and len(results) == len(bodies)
