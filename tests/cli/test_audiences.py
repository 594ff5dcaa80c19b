"""``pinkit audiences`` against the emulator: list, get, an audience of a customer list and
its Actalike, the Actalike's checks before anything is sent."""

from __future__ import annotations

import json

import pytest

from pinkit.emulator import Emulator

from .conftest import CLI, no_traceback, one_line


@pytest.fixture
def env(emulator: Emulator, token_env: dict[str, str]) -> dict[str, str]:
    return {**token_env, "PINTEREST_AD_ACCOUNT_ID": emulator.default_ad_account_id}


@pytest.fixture
def list_id(emulator: Emulator) -> str:
    with emulator.client(ad_account_id=emulator.default_ad_account_id) as client:
        made = client.customer_lists.create(
            name="Customers", records=[f"p{i}@example.com" for i in range(300)]
        )
    assert made.customer_list.id
    return made.customer_list.id


def audience_writes(emulator: Emulator) -> list[dict]:
    return [r.json() for r in emulator.requests if r.operation_id == "audiences/create"]


def test_an_audience_of_a_list_and_its_actalike(
    cli: CLI, emulator: Emulator, env: dict[str, str], list_id: str
) -> None:
    made = cli("audiences", "create-from-list", list_id, "--name", "Customers", env=env)
    assert made.code == 0, made.err
    audience = json.loads(made.out)
    assert audience["audience_type"] == "CUSTOMER_LIST"
    assert audience["rule"] == {"customer_list_id": list_id}
    lookalike = cli(
        "audiences", "create-actalike", "--name", "LAL", "--seed", audience["id"],
        "--country", "gb", "--percentage", "4", env=env,
    )  # fmt: skip
    assert lookalike.code == 0, lookalike.err
    assert json.loads(lookalike.out)["rule"] == {
        "seed_id": [audience["id"]],
        "country": "GB",
        "percentage": 4,
    }
    assert "created Actalike audience" in lookalike.err
    listed = cli("audiences", "list", "--format", "ndjson", env=env)
    assert [json.loads(line)["name"] for line in listed.out.splitlines()] == ["Customers", "LAL"]
    assert "2 audiences" in listed.err
    received = cli("audiences", "list", "--ownership", "received", env=env)
    assert received.code == 0 and json.loads(received.out) == []
    got = cli("audiences", "get", audience["id"], "--format", "table", env=env)
    assert got.code == 0 and "CUSTOMER_LIST" in got.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--country", "FR", "--percentage", "5"), "country must be one of US, CA, GB"),
        (("--country", "US", "--percentage", "11"), "from 1 to 10, got 11"),
        (("--country", "US", "--percentage", "0"), "from 1 to 10, got 0"),
        (("--country", "US", "--percentage", "five"), "'five' is not a valid integer"),
    ],
)
def test_actalike_checks_come_before_any_request(
    cli: CLI, emulator: Emulator, env: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    result = cli("audiences", "create-actalike", "--name", "L", "--seed", "123", *args, env=env)
    assert result.code == 2 and one_line(result.err) and no_traceback(result.err)
    assert message in result.err
    assert audience_writes(emulator) == []


def test_a_seed_that_is_not_an_audience_of_the_account(
    cli: CLI, emulator: Emulator, env: dict[str, str]
) -> None:
    result = cli(
        "audiences", "create-actalike", "--name", "L", "--seed", "123", "--country", "US",
        "--percentage", "5", env=env,
    )  # fmt: skip
    assert result.code == 1 and one_line(result.err)
    assert "seed audience 123 is not an audience of this ad account" in result.err
    bad_id = cli(
        "audiences", "create-actalike", "--name", "L", "--seed", "A1", "--country", "US",
        "--percentage", "5", env=env,
    )  # fmt: skip
    assert bad_id.code == 2 and "seed_ids must be a string of digits" in bad_id.err


def test_a_conversion_token_is_told_to_log_in(
    cli: CLI, emulator: Emulator, env: dict[str, str]
) -> None:
    token_env = {**env, "PINTEREST_ACCESS_TOKEN": emulator.issue_conversion_token()}
    for args in (("audiences", "list"), ("audiences", "get", "1")):
        result = cli(*args, env=token_env)
        assert result.code == 1 and one_line(result.err)
        assert "audiences need an OAuth login" in result.err and "pinkit auth login" in result.err
