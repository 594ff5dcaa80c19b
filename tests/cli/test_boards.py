"""``pinkit boards`` and ``pinkit boards sections``: CRUD round trips, lists, errors."""

from __future__ import annotations

import json

import pytest

from pinkit.emulator import Emulator

from .conftest import CLI, no_traceback, one_line


def test_board_round_trip(cli: CLI, emulator: Emulator, token_env: dict[str, str]) -> None:
    made = cli.sub(
        "boards", "create", "Weeknight dinners", "--description", "Fast ones",
        "--privacy", "secret", env=token_env,
    )  # fmt: skip
    assert made.code == 0, made.err
    board = json.loads(made.out)
    assert board["name"] == "Weeknight dinners"
    assert board["privacy"] == "SECRET"
    board_id = board["id"]

    got = cli("boards", "get", board_id, env=token_env)
    assert json.loads(got.out)["description"] == "Fast ones"

    changed = cli(
        "boards", "update", board_id, "--name", "Dinners", "--privacy", "PUBLIC", env=token_env
    )
    assert changed.code == 0, changed.err
    assert json.loads(changed.out)["name"] == "Dinners"
    assert json.loads(changed.out)["privacy"] == "PUBLIC"

    listed = cli("boards", "list", "--format", "ndjson", env=token_env)
    assert [json.loads(line)["name"] for line in listed.out.splitlines()] == ["Dinners"]
    secret = cli("boards", "list", "--privacy", "secret", env=token_env)
    assert json.loads(secret.out) == []

    deleted = cli.sub("boards", "delete", board_id, "--yes", env=token_env)
    assert deleted.code == 0, deleted.err
    assert deleted.out == ""
    assert one_line(deleted.err)
    assert board_id in deleted.err

    gone = cli("boards", "get", board_id, env=token_env)
    assert gone.code == 1
    assert one_line(gone.err) and gone.err.startswith("error: [404")


def test_sections_round_trip(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str
) -> None:
    made = cli("boards", "sections", "create", board_id, "Pasta", env=token_env)
    assert made.code == 0, made.err
    section_id = json.loads(made.out)["id"]
    cli("boards", "sections", "create", board_id, "Soups", env=token_env)

    renamed = cli(
        "boards", "sections", "update", board_id, section_id, "--name", "Noodles", env=token_env
    )
    assert json.loads(renamed.out)["name"] == "Noodles"

    listed = cli("boards", "sections", "list", board_id, "--format", "csv", env=token_env)
    assert listed.out.splitlines()[0] == "id,name"
    assert sorted(line.split(",")[1] for line in listed.out.splitlines()[1:]) == [
        "Noodles",
        "Soups",
    ]

    with emulator.client() as client:
        client.pins.create(board_id, {"source_type": "image_url", "url": "https://e.x/a.jpg"},
                           board_section_id=section_id)  # fmt: skip
        client.pins.create(board_id, {"source_type": "image_url", "url": "https://e.x/b.jpg"})
    in_section = cli("boards", "sections", "pins", board_id, section_id, env=token_env)
    assert len(json.loads(in_section.out)) == 1
    on_board = cli("boards", "pins", board_id, env=token_env)
    assert len(json.loads(on_board.out)) == 2

    quiet = cli(
        "--quiet", "boards", "sections", "delete", board_id, section_id, "-y", env=token_env
    )
    assert quiet.code == 0, quiet.err
    assert quiet.out == "" and quiet.err == ""
    left = cli("boards", "sections", "list", board_id, env=token_env)
    assert [s["name"] for s in json.loads(left.out)] == ["Soups"]


def test_lists_stream_with_limit_and_page_size(
    cli: CLI, emulator: Emulator, token_env: dict[str, str]
) -> None:
    board_id = emulator.seed_pins(7)
    emulator.clear_requests()
    result = cli(
        "boards", "pins", board_id, "--page-size", "3", "--limit", "5", "--format", "ndjson",
        env=token_env,
    )  # fmt: skip
    assert result.code == 0, result.err
    ids = [json.loads(line)["id"] for line in result.out.splitlines()]
    assert len(ids) == 5 and len(set(ids)) == 5
    pages = [r for r in emulator.requests if r.path.endswith("/pins")]
    assert len(pages) == 2  # 3 + 2: stops once the limit is reached
    assert pages[0].query["page_size"] == "3"

    everything = cli("pins", "list", "--page-size", "2", env=token_env)
    assert len(json.loads(everything.out)) == 7


@pytest.mark.parametrize(
    "args",
    [
        ("boards", "get", "not-a-number"),
        ("boards", "update", "123"),  # nothing to update
        ("boards", "update", "123", "--privacy", "PROTECTED"),
        ("boards", "create", "x", "--privacy", "HIDDEN"),
        ("boards", "sections", "create", "1", "x" * 181),  # the spec: 180 at most
        ("boards", "sections", "update", "1", "2"),  # --name is required
        ("boards", "sections", "delete", "1", "../2"),
        ("boards", "list", "--limit", "-1"),
    ],
)
def test_bad_input_exits_2_before_any_request(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], args: tuple[str, ...]
) -> None:
    emulator.clear_requests()
    result = cli(*args, env=token_env)
    assert result.code == 2, result.all
    assert result.out == ""
    assert one_line(result.err) and result.err.startswith("error: "), result.err
    assert no_traceback(result.err)
    assert emulator.requests == []


def test_table_on_a_terminal_format(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str
) -> None:
    table = cli("boards", "list", "--format", "table", env=token_env)
    assert "Fixture board" in table.out
    assert not table.out.lstrip().startswith("[")
