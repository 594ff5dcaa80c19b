"""``Output``: tables at 80 columns and piped, JSON or nothing, csv headers, --fields."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from pinkit.cli._output import Output, auto_columns, list_table, pick, project
from pinkit.errors import APIConnectionError, InvalidInputError

PIN_COLUMNS = ("id", "title", "board_id", "board_section_id", "creative_type", "link")


def pin(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"10000000000000{n:02d}",
        "title": "A rather long pin title that goes on and on about soup and bread",
        "board_id": "1000000000000040",
        "board_section_id": "1000000000000041",
        "creative_type": "REGULAR",
        "link": "https://example.com/some/long/path/to/a/recipe",
        "description": "words " * 40,
        "media": {"images": {"150x150": {"url": "https://i.example/1.jpg"}}},
        **extra,
    }


def output(fmt: str, width: int | None = 80) -> tuple[Output, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Output(fmt, stdout=out, stderr=err, width=width), out, err


def body_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("│")]


def test_a_list_table_fits_80_columns_with_whole_ids() -> None:
    out, stdout, stderr = output("table")
    out.stream([pin(1), pin(2), pin(3)], columns=PIN_COLUMNS)
    lines = stdout.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines), stdout.getvalue()
    rows = body_rows(stdout.getvalue())
    assert len(rows) == 3  # one line per item
    for n, row in enumerate(rows, start=1):
        assert f"10000000000000{n:02d}" in row
        assert "1000000000000040" in row
        assert "A rather long" in row and "…" in row
    assert "not shown at this width" in stderr.getvalue()


def test_list_table_layout() -> None:
    rows = [pin(1), pin(2)]
    table, dropped, width = list_table(rows, list(PIN_COLUMNS), 80)
    assert width <= 80
    shown = [column.header for column in table.columns]
    assert shown[:3] == ["id", "title", "board_id"]
    assert set(dropped) | set(shown) == set(PIN_COLUMNS)
    ids = next(c for c in table.columns if c.header == "id")
    assert ids.no_wrap and ids.min_width == 16
    _, dropped_wide, natural = list_table(rows, list(PIN_COLUMNS), None)
    assert dropped_wide == [] and natural > 80  # no limit: every column, whole


def test_a_table_piped_is_as_wide_as_its_content(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    out, stdout, _ = output("table", width=None)
    out.stream([pin(1, description="x")], columns=None)
    text = stdout.getvalue()
    assert "A rather long pin title that goes on and on about soup and bread" in text
    assert "…" not in text
    # raw items: a few plain columns, every one holding its value
    header = next(line for line in text.splitlines() if line.startswith("┃"))
    names = [cell.strip() for cell in header.strip("┃").split("┃")]
    assert names == auto_columns([pin(1, description="x")])
    assert all(cell.strip() for cell in body_rows(text)[0].strip("│").split("│"))


def test_auto_columns_pick_plain_fields_id_and_name_first() -> None:
    items = [{"kind": "x", "nested": {"a": 1}, "tags": [1], "name": "N", "id": "1", "empty": None}]
    assert auto_columns(items) == ["id", "name", "kind"]
    many = [{f"f{i}": i for i in range(20)}]
    assert len(auto_columns(many)) == 6


def test_record_table_folds_long_values_and_keeps_ids_whole() -> None:
    out, stdout, _ = output("table")
    out.emit(pin(1))
    lines = stdout.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert any("1000000000000001" in line for line in lines)
    assert "bread" in stdout.getvalue()  # folded onto more lines, not cut


def failing_pages(*pages: list[Any]) -> Iterator[list[Any]]:
    yield from pages
    raise APIConnectionError("Connection error.")


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_json_and_tables_write_nothing_when_the_list_fails(fmt: str) -> None:
    out, stdout, _ = output(fmt)
    with pytest.raises(APIConnectionError):
        out.stream_pages(failing_pages([pin(1)], [pin(2)]))
    assert stdout.getvalue() == ""


def test_ndjson_and_csv_write_whole_lines_until_the_failure() -> None:
    out, stdout, _ = output("ndjson")
    with pytest.raises(APIConnectionError):
        out.stream_pages(failing_pages([pin(1)], [pin(2)]))
    lines = stdout.getvalue().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["1000000000000001", "1000000000000002"]
    assert stdout.getvalue().endswith("\n")

    out, stdout, _ = output("csv")
    with pytest.raises(APIConnectionError):
        out.stream_pages(failing_pages([pin(1)], [pin(2)]))
    rows = list(csv.DictReader(io.StringIO(stdout.getvalue())))
    assert [r["id"] for r in rows] == ["1000000000000001", "1000000000000002"]


def test_csv_header_is_the_first_pages_columns() -> None:
    out, stdout, stderr = output("csv")
    first = [{"id": "1", "name": "a"}, {"id": "2", "extra": "e"}]
    later = [{"id": "3", "name": "c", "late": "x"}]
    assert out.stream_pages([first, later]) == 3
    lines = stdout.getvalue().splitlines()
    assert lines[0] == "id,name,extra"
    assert lines[1:] == ["1,a,", "2,,e", "3,c,"]
    assert "late" in stderr.getvalue() and "--fields" in stderr.getvalue()


def test_pick_and_project() -> None:
    item = {"id": "1", "owner": {"username": "u"}, "tags": ["a", "b"]}
    assert pick(item, "owner.username") == "u"
    assert pick(item, "tags.1") == "b"
    assert pick(item, "owner.missing") is None
    assert project(item, ["owner.username", "id", "nope"]) == {
        "owner": {"username": "u"},
        "id": "1",
        "nope": None,
    }


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "table"])
def test_fields_select_what_every_format_shows(fmt: str) -> None:
    out, stdout, _ = output(fmt)
    items = [{"id": "1", "name": "a", "owner": {"username": "u"}, "x": 1}, {"id": "2"}]
    out.stream_pages([items], fields=("id", "owner.username"))
    text = stdout.getvalue()
    if fmt == "json":
        assert json.loads(text) == [
            {"id": "1", "owner": {"username": "u"}},
            {"id": "2", "owner": {"username": None}},
        ]
    elif fmt == "ndjson":
        assert json.loads(text.splitlines()[1]) == {"id": "2", "owner": {"username": None}}
    elif fmt == "csv":
        assert text.splitlines() == ["id,owner.username", "1,u", "2,"]
    else:
        header = next(line for line in text.splitlines() if line.startswith("┃"))
        assert [c.strip() for c in header.strip("┃").split("┃")] == ["id", "owner.username"]
        assert "│ a" not in text  # the name column is not shown


def test_fields_on_one_object_and_on_a_page() -> None:
    out, stdout, _ = output("json")
    out.emit({"id": "1", "name": "a"}, fields=("name",))
    assert json.loads(stdout.getvalue()) == {"name": "a"}
    out, stdout, _ = output("json")
    out.emit({"items": [{"id": "1", "name": "a"}], "bookmark": "b"}, fields=("id",))
    assert json.loads(stdout.getvalue()) == {"items": [{"id": "1"}], "bookmark": "b"}


def test_unchecked_fields_none_of_which_is_in_the_answer_are_bad_input() -> None:
    out, stdout, stderr = output("ndjson")
    with pytest.raises(InvalidInputError, match="none of nmae"):
        out.stream_pages([[{"id": "1", "name": "a"}]], fields=("nmae",), check_fields=True)
    assert stdout.getvalue() == ""
    out, stdout, stderr = output("ndjson")
    out.stream_pages([[{"id": "1"}]], fields=("id", "nmae"), check_fields=True)
    assert json.loads(stdout.getvalue()) == {"id": "1", "nmae": None}
    assert "nmae" in stderr.getvalue()


def test_an_empty_list() -> None:
    for fmt, expected in (("json", "[]\n"), ("ndjson", ""), ("csv", "")):
        out, stdout, _ = output(fmt)
        assert out.stream_pages([]) == 0
        assert stdout.getvalue() == expected
    out, stdout, _ = output("csv")
    out.stream_pages([], fields=("id", "name"))
    assert stdout.getvalue() == "id,name\n"
