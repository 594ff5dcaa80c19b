"""``pinkit api``: formats, pagination, parameters, bodies and the error contract."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest

from pinkit.cli.api import MAX_JSON_DEPTH, parse_data, parse_params
from pinkit.emulator import Emulator

from .conftest import CLI, no_traceback, one_line


def test_json_is_the_default_when_piped(
    cli: CLI, emulator: Emulator, token_env: dict[str, str]
) -> None:
    result = cli.sub("api", "GET", "/user_account", env=token_env)
    assert result.code == 0, result.err
    assert json.loads(result.out)["username"] == "emulator_user"
    assert token_env["PINTEREST_ACCESS_TOKEN"] not in result.all


def test_ndjson_csv_and_table(cli: CLI, emulator: Emulator, token_env: dict[str, str]) -> None:
    ndjson = cli("--format", "ndjson", "api", "GET", "/user_account", env=token_env)
    assert ndjson.code == 0, ndjson.err
    lines = ndjson.out.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["username"] == "emulator_user"

    as_csv = cli("--format", "csv", "api", "GET", "/user_account", env=token_env)
    rows = list(csv.DictReader(io.StringIO(as_csv.out)))
    assert len(rows) == 1
    assert rows[0]["username"] == "emulator_user"
    assert rows[0]["account_type"] == "BUSINESS"

    table = cli("--format", "table", "api", "GET", "/user_account", env=token_env)
    assert table.code == 0
    assert "username" in table.out
    assert "emulator_user" in table.out
    assert "┃" in table.out or "|" in table.out  # rendered by rich, not JSON
    assert not table.out.lstrip().startswith("{")


def test_paginate_streams_every_follower(
    cli: CLI, emulator: Emulator, token_env: dict[str, str]
) -> None:
    emulator.seed_followers(7)
    emulator.clear_requests()
    result = cli(
        "api", "GET", "/user_account/followers", "--paginate", "--page-size", "3",
        "--format", "ndjson", env=token_env,
    )  # fmt: skip
    assert result.code == 0, result.err
    users = [json.loads(line)["username"] for line in result.out.splitlines()]
    assert len(users) == 7
    assert len(set(users)) == 7
    pages = [r for r in emulator.requests if r.path.endswith("/followers")]
    assert len(pages) == 3  # 3 + 3 + 1, following the bookmark
    assert "bookmark" in pages[1].query

    as_json = cli(
        "api", "GET", "/user_account/followers", "--paginate", "--limit", "5", env=token_env
    )
    assert [u["username"] for u in json.loads(as_json.out)] == users[:5]

    as_csv = cli(
        "api", "GET", "/user_account/followers", "--paginate", "--format", "csv", env=token_env
    )
    assert len(list(csv.DictReader(io.StringIO(as_csv.out)))) == 7


def test_repeated_params_become_repeated_query_keys(
    cli: CLI, emulator: Emulator, token_env: dict[str, str]
) -> None:
    emulator.clear_requests()
    result = cli(
        "api", "GET", "/user_account", "-p", "ad_account_id=1", "-p", "x=a", "-p", "x=b",
        env=token_env,
    )  # fmt: skip
    assert emulator.requests[-1].query.getlist("x") == ["a", "b"]
    assert result.code in (0, 1)  # the emulator decides about the unknown ad account


def test_parse_params_and_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_params(("a=1", "b=x=y", "a=2", "c=")) == {"a": ["1", "2"], "b": "x=y", "c": ""}
    with pytest.raises(click.BadParameter):
        parse_params(("novalue",))
    assert parse_data('{"name": "x"}') == {"name": "x"}
    body = tmp_path / "body.json"
    body.write_text('{"from": "file"}')
    assert parse_data(f"@{body}") == {"from": "file"}
    monkeypatch.setattr("sys.stdin", io.StringIO('["stdin"]'))
    assert parse_data("-") == ["stdin"]
    assert parse_data(None) is None


@pytest.mark.parametrize(
    "args",
    [
        ("api", "GET", "/user_account", "-p", "no-equals-sign"),
        ("api", "POST", "/boards", "--data", "{not json"),
        ("api", "POST", "/boards", "--data", "@/nonexistent/body.json"),
        ("api", "FETCH", "/user_account"),
        ("api", "GET", "https://evil.example/v5/user_account"),
        ("api", "POST", "/boards", "--paginate"),
        ("--format", "yaml", "api", "GET", "/user_account"),
        ("api", "GET", "/user_account", "--no-such-option"),
        ("api",),
    ],
)
def test_bad_input_exits_2_with_one_line(cli: CLI, args: tuple[str, ...]) -> None:
    env = {"PINTEREST_ACCESS_TOKEN": "pina_fake", "PINTEREST_API_URI": "http://127.0.0.1:9/v5"}
    result = cli(*args, env=env)
    assert result.code == 2, result.all
    assert result.out == ""
    assert one_line(result.err), result.err
    assert result.err.startswith("error: "), result.err
    assert no_traceback(result.err)


def test_data_and_paths_that_used_to_crash_exit_2(cli: CLI, tmp_path: Path) -> None:
    """Each was an `internal error` (exit 1): JSON the encoder refuses later (NaN, Infinity,
    out-of-range numbers), a binary file, nesting past the recursion limit, a URL the HTTP
    client refuses (too long, a control character)."""
    nan = tmp_path / "nan.json"
    nan.write_text('{"name": NaN}')
    binary = tmp_path / "binary.json"
    binary.write_bytes(bytes(range(256)))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    cases: list[tuple[tuple[str, ...], str | None]] = [
        (("api", "POST", "/boards", "--data", '{"name": NaN}'), None),
        (("api", "POST", "/boards", "--data", "Infinity"), None),
        (("api", "POST", "/boards", "--data", "[-Infinity]"), None),
        (("api", "POST", "/boards", "--data", '{"n": 1e999}'), None),
        (("api", "POST", "/boards", "--data", "-"), "NaN"),
        (("api", "POST", "/boards", "--data", f"@{nan}"), None),
        (("api", "POST", "/boards", "--data", f"@{binary}"), None),
        (("api", "POST", "/boards", "--data", f"@{deep}"), None),
        (("api", "POST", "/boards", "--data", "[" * 100_000 + "]" * 100_000), None),
        (("api", "GET", "/" + "a" * 100_000), None),
        (("api", "GET", "/boards", "-p", "bookmark=" + "a" * 100_000), None),
        (("api", "GET", "/boards", *("-p", "x=" + "a" * 1000) * 100), None),
        (("api", "GET", "/boards\n"), None),
        (("api", "GET", "/boards/123\n/pins"), None),
        (("boards", "get", "123\n"), None),
        (("pins", "get", "123\n"), None),
    ]
    env = {"PINTEREST_ACCESS_TOKEN": "pina_fake", "PINTEREST_API_URI": "http://127.0.0.1:9/v5"}
    for args, stdin in cases:
        result = cli(*args, env=env, input=stdin)
        shown = [a[:40] for a in args]
        assert result.code == 2, (shown, result.err)
        assert result.out == ""
        assert one_line(result.err) and result.err.startswith("error: "), (shown, result.err)
        assert no_traceback(result.err)
        assert len(result.err) < 400, (shown, result.err)  # the value itself is not echoed


def test_nesting_up_to_the_limit_is_fine() -> None:
    assert parse_data("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    assert parse_data('{"a": [1.5, -2e10, {"b": null}]}') == {"a": [1.5, -2e10, {"b": None}]}
    with pytest.raises(click.BadParameter, match="nested deeper than"):
        parse_data("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))


def test_bad_input_as_a_subprocess(cli: CLI) -> None:
    result = cli.sub("api", "POST", "/boards", "--data", "{oops")
    assert result.code == 2
    assert one_line(result.err)
    assert "invalid JSON" in result.err
    assert no_traceback(result.err)


def test_api_error_exits_1_with_one_line(
    cli: CLI, emulator: Emulator, token_env: dict[str, str]
) -> None:
    result = cli("api", "GET", "/no/such/endpoint", env=token_env)
    assert result.code == 1
    assert one_line(result.err), result.err
    assert result.err.startswith("error: [404"), result.err
    assert no_traceback(result.err)
    assert result.out == ""

    emulator.inject_fault(403, operation="user_account/get")
    denied = cli("api", "GET", "/user_account", env=token_env)
    assert denied.code == 1
    assert one_line(denied.err)
    assert "[403" in denied.err


def test_a_rejected_token_exits_4_without_the_token(cli: CLI, emulator: Emulator) -> None:
    secret = "pina_" + "X" * 40
    env = {"PINTEREST_ACCESS_TOKEN": secret, "PINTEREST_API_URI": emulator.base_url}
    result = cli("api", "GET", "/user_account", env=env)
    assert result.code == 4
    assert one_line(result.err)
    assert "[401" in result.err
    assert "PINTEREST_ACCESS_TOKEN is not valid" in result.err
    assert "run `pinkit auth login`" in result.err
    assert secret not in result.all


def test_verbose_logs_redacted_and_allows_a_traceback(cli: CLI, token_env: dict[str, str]) -> None:
    result = cli.sub("--verbose", "api", "GET", "/no/such/endpoint", env=token_env)
    assert result.code == 1
    assert "request GET" in result.err  # the pinkit logger is on
    assert result.err.rstrip().splitlines()[-1].startswith("error: [404")
    assert token_env["PINTEREST_ACCESS_TOKEN"] not in result.all


def test_not_logged_in_exits_4(cli: CLI) -> None:
    result = cli("api", "GET", "/user_account")
    assert result.code == 4
    assert "not logged in (profile default): run `pinkit auth login`" in result.err
    other = cli("--profile", "work", "boards", "list")
    assert other.code == 4
    assert "run `pinkit auth login --profile work`" in other.err
    assert one_line(result.err)


# -- gh-style -H, -i, --paginate checks, --fields --------------------------------------------
def test_headers_are_sent_and_include_shows_the_response_on_stderr(
    cli: CLI, emulator: Emulator, token_env: dict[str, str]
) -> None:
    emulator.clear_requests()
    result = cli.sub(
        "api", "GET", "/user_account", "-H", "X-Trace: one", "--header", "Accept-Language:fr",
        "-H", "X-Trace: two", "-i", env=token_env,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert json.loads(result.out)["username"] == "emulator_user"  # stdout: the body only
    sent = emulator.requests[-1].headers
    assert sent["x-trace"] == "one, two"
    assert sent["accept-language"] == "fr"
    lines = result.err.splitlines()
    assert lines[0] == "HTTP/1.1 200 OK"
    assert "content-type: application/json" in lines
    assert any(line.startswith("x-ratelimit-remaining: ") for line in lines)
    assert token_env["PINTEREST_ACCESS_TOKEN"] not in result.all


def test_include_shows_error_responses_and_every_page(
    cli: CLI, emulator: Emulator, token_env: dict[str, str]
) -> None:
    failed = cli("api", "GET", "/no/such/endpoint", "-i", env=token_env)
    assert failed.code == 1
    assert failed.err.splitlines()[0] == "HTTP 404 Not Found"
    assert failed.err.rstrip().splitlines()[-1].startswith("error: [404")

    emulator.seed_followers(5)
    pages = cli(
        "api", "GET", "/user_account/followers", "--paginate", "--page-size", "2", "-i",
        "--format", "ndjson", env=token_env,
    )  # fmt: skip
    assert pages.code == 0, pages.err
    assert pages.err.count("HTTP/1.1 200 OK") == 3
    quiet = cli("api", "GET", "/user_account", "-i", "--quiet", env=token_env)
    assert quiet.err.startswith("HTTP/1.1 200 OK")  # asked for: shown even with --quiet


@pytest.mark.parametrize(
    ("header", "needle"),
    [
        ("Authorization: Bearer pina_mine", "Authorization is set by pinkit"),
        ("authorization:x", "authorization is set by pinkit"),
        ("Host: evil.example", "Host is set by pinkit"),
        ("Content-Length: 5", "Content-Length is set by pinkit"),
        ("X-A: 1\r\nX-Injected: 2", "without CR or LF"),
        ("X-A: 1\nAuthorization: Bearer x", "without CR or LF"),
        ("X-A: \x00", "without CR or LF"),
        ("X A: 1", "is not a header name"),
        ("no-colon", "expected KEY:VALUE"),
        (": value", "expected KEY:VALUE"),
    ],
)
def test_headers_that_would_override_or_inject_are_refused(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], header: str, needle: str
) -> None:
    emulator.clear_requests()
    result = cli("api", "GET", "/user_account", "-H", header, env=token_env)
    assert result.code == 2, result.all
    assert one_line(result.err) and needle in result.err, result.err
    assert result.out == ""
    assert emulator.requests == []


@pytest.mark.parametrize("path", ["/user_account", "/boards/123", "/user_account/analytics"])
def test_paginate_on_an_operation_without_pages_is_a_usage_error(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], path: str
) -> None:
    emulator.clear_requests()
    result = cli("api", "GET", path, "--paginate", env=token_env)
    assert result.code == 2, result.all
    assert one_line(result.err) and "is not a paginated list" in result.err, result.err
    assert "Field required" not in result.err
    assert emulator.requests == []


def test_api_fields(cli: CLI, emulator: Emulator, token_env: dict[str, str]) -> None:
    one = cli("api", "GET", "/user_account", "--fields", "username,id", env=token_env)
    assert list(json.loads(one.out)) == ["username", "id"]
    emulator.seed_followers(3)
    listed = cli(
        "api", "GET", "/user_account/followers", "--paginate", "--fields", "username",
        "--format", "csv", env=token_env,
    )  # fmt: skip
    assert listed.out.splitlines()[0] == "username"
    assert len(listed.out.splitlines()) == 4
    partly = cli("api", "GET", "/user_account", "--fields", "id,nmae", env=token_env)
    assert partly.code == 0
    assert json.loads(partly.out) == {"id": json.loads(one.out)["id"], "nmae": None}
    assert "nmae" in partly.err

    typo = cli("api", "GET", "/user_account", "--fields", "usrname", env=token_env)
    assert typo.code == 2
    assert typo.out == ""
    assert one_line(typo.err) and "none of usrname" in typo.err and "username" in typo.err
