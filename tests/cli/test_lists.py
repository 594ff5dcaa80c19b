"""Lists and gets as a script sees them: stdout is valid JSON (or whole lines) or nothing,
--fields on every list and get command, and messages that name the flags as typed."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import click
import pytest

from pinkit._pagination import Pages
from pinkit.cli import _app
from pinkit.emulator import Emulator

from .conftest import CLI, Result, no_traceback, one_line


def fault_after_the_first_page(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator, operation: str
) -> None:
    """Every request for ``operation`` after the first page answers 500 (retries included)."""
    accept = Pages.accept
    state = {"pages": 0}

    def accept_then_fail(self: Pages, items: list[Any], bookmark: str | None) -> list[Any]:
        state["pages"] += 1
        if state["pages"] == 1:
            emulator.inject_fault(500, operation=operation, count=5)
        return accept(self, items, bookmark)

    monkeypatch.setattr(Pages, "accept", accept_then_fail)


def assert_failed_cleanly(result: Result, code: int = 1) -> None:
    assert result.code == code, result.all
    assert one_line(result.err) and result.err.startswith("error: "), result.err
    assert no_traceback(result.err)


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_a_fault_mid_list_leaves_stdout_empty(
    cli: CLI,
    emulator: Emulator,
    token_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    board_id = emulator.seed_pins(5)
    fault_after_the_first_page(monkeypatch, emulator, "boards/list_pins")
    result = cli("boards", "pins", board_id, "--page-size", "2", "--format", fmt, env=token_env)
    assert_failed_cleanly(result)
    assert "[500" in result.err
    assert result.out == ""


def test_a_fault_mid_list_leaves_whole_ndjson_and_csv_lines(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    board_id = emulator.seed_pins(5)
    fault_after_the_first_page(monkeypatch, emulator, "boards/list_pins")
    ndjson = cli("boards", "pins", board_id, "--page-size", "2", "--format", "ndjson",
                 env=token_env)  # fmt: skip
    assert_failed_cleanly(ndjson)
    assert ndjson.out.endswith("\n")
    assert len([json.loads(line) for line in ndjson.out.splitlines()]) == 2

    monkeypatch.undo()
    emulator.clear_faults()
    fault_after_the_first_page(monkeypatch, emulator, "boards/list_pins")
    as_csv = cli("boards", "pins", board_id, "--page-size", "2", "--format", "csv", env=token_env)
    assert_failed_cleanly(as_csv)
    rows = list(csv.DictReader(io.StringIO(as_csv.out)))
    assert len(rows) == 2 and all(row["id"] for row in rows)


@pytest.mark.parametrize(
    ("env", "code"),
    [
        # A login Pinterest refuses is exit 4 ("run pinkit auth login"); a network failure 1.
        pytest.param({"PINTEREST_ACCESS_TOKEN": "pina_" + "B" * 40}, 4, id="bad-token"),
        pytest.param(
            {"PINTEREST_ACCESS_TOKEN": "pina_x", "PINTEREST_API_URI": "http://127.0.0.1:9/v5"},
            1,
            id="refused-connection",
        ),
        pytest.param(
            {"PINTEREST_REFRESH_TOKEN": "pinr_expired" + "R" * 30}, 4, id="dead-refresh-token"
        ),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_a_list_that_fails_at_once_writes_nothing(
    cli: CLI, emulator: Emulator, env: dict[str, str], code: int, fmt: str
) -> None:
    app = emulator.default_app
    full = {
        "PINTEREST_API_URI": emulator.base_url,
        "PINTEREST_CLIENT_ID": app.client_id,
        "PINTEREST_CLIENT_SECRET": emulator.app_secret(app.client_id),
        **env,
    }
    result = cli("boards", "list", "--format", fmt, env=full)
    assert_failed_cleanly(result, code)
    assert result.out == ""
    if fmt == "json":
        piped = cli.sub("pins", "list", env=full)  # json is the default when piped
        assert piped.code == code and piped.out == ""


def test_json_lists_are_one_document(
    cli: CLI, emulator: Emulator, token_env: dict[str, str]
) -> None:
    board_id = emulator.seed_pins(5)
    result = cli.sub("boards", "pins", board_id, "--page-size", "2", env=token_env)
    assert result.code == 0, result.err
    assert len(json.loads(result.out)) == 5
    empty = cli.sub("boards", "pins", board_id, "--limit", "0", env=token_env)
    assert json.loads(empty.out) == []


def test_api_paginate_failing_mid_list_leaves_stdout_empty(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.seed_followers(5)
    fault_after_the_first_page(monkeypatch, emulator, "followers/list")
    result = cli(
        "api", "GET", "/user_account/followers", "--paginate", "--page-size", "2", env=token_env
    )
    assert_failed_cleanly(result)
    assert result.out == ""


# -- --fields ------------------------------------------------------------------------------------
def make_things(emulator: Emulator) -> dict[str, str]:
    with emulator.client() as client:
        board = client.boards.create("Soups", description="Warm ones")
        assert board.id
        section = client.boards.sections.create(board.id, "Winter")
        assert section.id
        pin = client.pins.create(
            board.id, {"source_type": "image_url", "url": "https://example.com/a.jpg"},
            title="Leek soup", board_section_id=section.id,
        )  # fmt: skip
        assert pin.id
    return {"board": board.id, "section": section.id, "pin": pin.id}


@pytest.mark.parametrize(
    ("command", "fields", "expected"),
    [
        (("boards", "list"), "id,name,owner.username", ["id", "name", "owner.username"]),
        (("boards", "get", "{board}"), "name,privacy", ["name", "privacy"]),
        (("boards", "pins", "{board}"), "title,id", ["title", "id"]),
        (("boards", "sections", "list", "{board}"), "name", ["name"]),
        (
            ("boards", "sections", "pins", "{board}", "{section}"),
            "id,board_section_id",
            ["id", "board_section_id"],
        ),
        (
            ("pins", "list"),
            "id,title,board_owner.username",
            ["id", "title", "board_owner.username"],
        ),
        (("pins", "get", "{pin}"), "title,media.media_type", ["title", "media.media_type"]),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "table"])
def test_fields_on_every_list_and_get(
    cli: CLI,
    emulator: Emulator,
    token_env: dict[str, str],
    command: tuple[str, ...],
    fields: str,
    expected: list[str],
    fmt: str,
) -> None:
    things = make_things(emulator)
    args = [part.format(**things) for part in command]
    result = cli(*args, "--fields", fields, "--format", fmt, env=token_env)
    assert result.code == 0, result.err
    if fmt == "csv":
        assert result.out.splitlines()[0] == ",".join(expected)
        return
    if fmt == "table":
        assert all(name in result.out for name in expected)
        return
    docs = (
        [json.loads(line) for line in result.out.splitlines()]
        if fmt == "ndjson"
        else json.loads(result.out)
    )
    docs = docs if isinstance(docs, list) else [docs]
    assert docs
    tops = list(dict.fromkeys(name.split(".")[0] for name in expected))
    assert all(list(doc) == tops for doc in docs)


def test_fields_on_media_list_and_get(
    cli: CLI, emulator: Emulator, token_env: dict[str, str]
) -> None:
    with emulator.client() as client:
        media_id = client.media.register().media_id
    listed = cli("media", "list", "--fields", "media_id,status", "--format", "csv", env=token_env)
    assert listed.out.splitlines() == ["media_id,status", f"{media_id},registered"]
    got = cli("media", "get", media_id, "--fields", "status", env=token_env)
    assert json.loads(got.out) == {"status": "registered"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("boards", "list", "--fields", "id,nmae"), "a board has no field 'nmae'"),
        (("boards", "get", "1", "--fields", "owner.usernme"), "'owner' has no field 'usernme'"),
        (("pins", "list", "--fields", "titel"), "a pin has no field 'titel'"),
        (("boards", "sections", "list", "1", "--fields", "title"), "a section has no field"),
        (("media", "get", "1", "--fields", "url"), "a upload has no field 'url'"),
        (("pins", "list", "--fields", ","), "at least one field"),
        (("pins", "list", "--fields", "id..x"), "not a field path"),
    ],
)
def test_unknown_fields_are_bad_input_before_any_request(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], args: tuple[str, ...], needle: str
) -> None:
    emulator.clear_requests()
    result = cli(*args, env=token_env)
    assert result.code == 2, result.all
    assert one_line(result.err) and needle in result.err, result.err
    assert result.out == ""
    assert emulator.requests == []


def test_a_known_field_an_item_lacks_is_null_or_empty(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str
) -> None:
    emulator.seed_pins(2, board_id=board_id)
    as_json = cli("boards", "pins", board_id, "--fields", "id,board_section_id", env=token_env)
    assert all(pin["board_section_id"] is None for pin in json.loads(as_json.out))
    as_csv = cli("boards", "pins", board_id, "--fields", "board_section_id", "--format", "csv",
                 env=token_env)  # fmt: skip
    assert list(csv.reader(io.StringIO(as_csv.out))) == [["board_section_id"], [""], [""]]


# -- messages name what the user typed -----------------------------------------------------------
OK = "1234"
BAD = "12a"
URL = ("--image-url", "https://example.com/a.jpg")


@pytest.mark.parametrize(
    ("args", "typed"),
    [
        (("boards", "get", BAD), "BOARD_ID"),
        (("boards", "update", BAD, "--name", "x"), "BOARD_ID"),
        (("boards", "delete", BAD), "BOARD_ID"),
        (("boards", "pins", BAD), "BOARD_ID"),
        (("boards", "sections", "list", BAD), "BOARD_ID"),
        (("boards", "sections", "create", BAD, "Pasta"), "BOARD_ID"),
        (("boards", "sections", "update", BAD, OK, "--name", "x"), "BOARD_ID"),
        (("boards", "sections", "update", OK, BAD, "--name", "x"), "SECTION_ID"),
        (("boards", "sections", "delete", OK, BAD), "SECTION_ID"),
        (("boards", "sections", "pins", OK, BAD), "SECTION_ID"),
        (("pins", "get", BAD), "PIN_ID"),
        (("pins", "create", "--board", BAD, *URL), "--board"),
        (("pins", "create", "--board", OK, "--section", BAD, *URL), "--section"),
        (("pins", "update", BAD, "--title", "x"), "PIN_ID"),
        (("pins", "update", OK, "--board", BAD), "--board"),
        (("pins", "update", OK, "--section", BAD), "--section"),
        (("pins", "delete", BAD), "PIN_ID"),
        (("pins", "save", BAD, "--board", OK), "PIN_ID"),
        (("pins", "save", OK, "--board", BAD), "--board"),
        (("pins", "save", OK, "--board", OK, "--section", BAD), "--section"),
        (("media", "get", BAD), "MEDIA_ID"),
        (("media", "wait", BAD), "MEDIA_ID"),
    ],
)
def test_bad_ids_are_named_as_typed(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], args: tuple[str, ...], typed: str
) -> None:
    emulator.clear_requests()
    result = cli(*args, env=token_env)
    assert result.code == 2, result.all
    assert result.err == f"error: {typed} must be digits, got '{BAD}'\n"
    assert emulator.requests == []


def test_every_id_parameter_is_checked_as_an_id() -> None:
    from pinkit.cli._common import ID

    def commands(group: click.Group) -> list[click.Command]:
        found: list[click.Command] = []
        for command in group.commands.values():
            found += commands(command) if isinstance(command, click.Group) else [command]
        return found

    for name in ("boards", "pins", "media"):
        group = _app.cli.get_command(click.Context(_app.cli), name)  # loaded on first use
        assert isinstance(group, click.Group)
        for command in commands(group):
            for param in command.params:
                if param.name and param.name.endswith("_id"):
                    assert param.type is ID, f"{name} {command.name} {param.name}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("pins", "create", "--board", OK, *URL, "--title", "t" * 101),
            "--title is 101 characters; Pinterest allows at most 100",
        ),
        (
            ("pins", "create", "--board", OK, *URL, "--link", "ftp://x"),
            "--link must be an http(s) URL, got 'ftp://x'",
        ),
        (
            ("pins", "create", "--board", OK, "--image-url", "nope"),
            "--image-url must be an http(s) URL, got 'nope'",
        ),
        (("boards", "create", " "), "NAME must not be empty"),
        (("boards", "sections", "create", OK, "x" * 181), "NAME is 181 characters"),
    ],
)
def test_client_checks_name_the_options_typed(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    emulator.clear_requests()
    result = cli(*args, env=token_env)
    assert result.code == 2, result.all
    assert result.err.startswith(f"error: {message}"), result.err
    assert emulator.requests == []
