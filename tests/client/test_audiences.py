"""client.audiences against the emulator: lists, gets, updates, CUSTOMER_LIST audiences and
Actalikes with their checks; sync and async, every answer checked against the spec."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import pinkit
from pinkit.emulator import Emulator
from pinkit.emulator.areas.audiences.rules import BUILD_SECONDS
from tests.spec import load_spec, response_problems


@pytest.fixture(params=["inproc", "http"])
def emu(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    emulator = Emulator()
    if request.param == "http":
        emulator.start()
    try:
        yield emulator
        spec = load_spec()
        if spec is not None:
            problems = [p for r in emulator.requests for p in response_problems(spec, r)]
            assert not problems, "\n".join(problems)
    finally:
        emulator.close()


@pytest.fixture
def client(emu: Emulator) -> Iterator[pinkit.Client]:
    with emu.client(ad_account_id=emu.default_ad_account_id) as client:
        yield client


def seed(client: pinkit.Client) -> pinkit.Audience:
    records = [f"person{i}@example.com" for i in range(300)]
    made = client.customer_lists.create(name="Customers", records=records)
    assert made.customer_list.id
    audience = client.audiences.create_from_customer_list(
        name="Customers", customer_list_id=made.customer_list.id
    )
    assert audience.id
    return audience


def test_a_customer_list_audience_and_its_actalike(client: pinkit.Client, emu: Emulator) -> None:
    audience = seed(client)
    assert isinstance(audience, pinkit.Audience)
    assert (audience.audience_type, audience.status) == ("CUSTOMER_LIST", "INITIALIZING")
    assert audience.rule is not None and audience.rule["customer_list_id"]
    lookalike = client.audiences.create_actalike(
        name="Lookalike 5% US", seed_ids=[audience.id or ""], country="US", percentage=5
    )
    body = next(r.json() for r in reversed(emu.requests) if r.operation_id == "audiences/create")
    assert body == {
        "name": "Lookalike 5% US",
        "audience_type": "ACTALIKE",
        "rule": {"seed_id": [audience.id], "country": "US", "percentage": 5},
    }
    assert isinstance(body["rule"]["percentage"], int)  # the spec's type (its prose says "5")
    emu.clock.advance(BUILD_SECONDS)
    built = client.audiences.get(audience_id=lookalike.id)
    assert built.status == "READY" and built.size and built.size > 1_000_000
    listed = client.audiences.list()
    assert [a.id for a in listed] == [audience.id, lookalike.id]
    assert [a.id for a in client.audiences.list(order="DESCENDING", page_size=1)] == [
        lookalike.id,
        audience.id,
    ]
    assert list(client.audiences.list(ownership_type="RECEIVED")) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"country": "FR", "percentage": 5}, "country must be one of US, CA, GB"),
        ({"country": None, "percentage": 5}, "country must be one of"),
        ({"country": "US", "percentage": 0}, "from 1 to 10, got 0"),
        ({"country": "US", "percentage": 11}, "from 1 to 10, got 11"),
        ({"country": "US", "percentage": True}, "whole number"),
        ({"country": "US", "percentage": "5"}, "whole number"),
        ({"country": "US", "percentage": 5.0}, "whole number"),
        ({"country": "US", "percentage": 5, "seed_ids": []}, "at least one audience id"),
        ({"country": "US", "percentage": 5, "seed_ids": ["A1"]}, "seed_ids must be a string of"),
        ({"country": "US", "percentage": 5, "seed_ids": None}, "seed_ids is required"),
        ({"country": "US", "percentage": 5, "name": None}, "name is required"),
    ],
)
def test_actalikes_are_checked_before_sending(
    inproc_emulator: Emulator, kwargs: dict[str, Any], message: str
) -> None:
    arguments = {"name": "L", "seed_ids": ["123"], **kwargs}
    with inproc_emulator.client(ad_account_id=inproc_emulator.default_ad_account_id) as client:
        with pytest.raises(pinkit.InvalidInputError, match=message):
            client.audiences.create_actalike(**arguments)
    assert inproc_emulator.requests == []


def test_countries_are_taken_in_any_case_and_one_seed_as_a_string(
    inproc_emulator: Emulator,
) -> None:
    with inproc_emulator.client(ad_account_id=inproc_emulator.default_ad_account_id) as client:
        audience = seed(client)
        made = client.audiences.create_actalike(
            name="GB", seed_ids=audience.id, country=" gb ", percentage=10
        )
    assert made.rule == {"seed_id": [audience.id], "country": "GB", "percentage": 10}


def test_seeds_must_exist_in_the_ad_account(client: pinkit.Client, emu: Emulator) -> None:
    with pytest.raises(pinkit.BadRequestError, match="not an audience of this ad account"):
        client.audiences.create_actalike(name="L", seed_ids=["123456"], country="US", percentage=1)
    audience = seed(client)
    other = emu.create_ad_account()
    with pytest.raises(pinkit.BadRequestError, match="not an audience of this ad account"):
        client.audiences.create_actalike(
            other, "L", [audience.id or ""], country="US", percentage=1
        )
    client.audiences.update(audience_id=audience.id, operation_type="REMOVE")
    with pytest.raises(pinkit.BadRequestError, match="was removed"):
        client.audiences.create_actalike(
            name="L", seed_ids=[audience.id or ""], country="US", percentage=1
        )


def test_create_and_update_take_the_specs_fields(client: pinkit.Client, emu: Emulator) -> None:
    visitor = client.audiences.create(
        name="Visitors", audience_type="VISITOR", rule={"visitor_source_id": "1"}, description="d"
    )
    assert visitor.description == "d"
    edited = client.audiences.update(audience_id=visitor.id, name="Site visitors")
    assert edited.name == "Site visitors"
    emu.clear_requests()
    for call, message in (
        (lambda: client.audiences.create(name="V", audience_type="FRIENDS", rule={}), "FRIENDS"),
        (
            lambda: client.audiences.create(name="V", audience_type="CUSTOMER_LIST", rule={}),
            "needs rule.customer_list_id",
        ),
        (
            lambda: client.audiences.create(
                name="V", audience_type="VISITOR", rule={"retention_days": "180"}
            ),
            "retention_days",
        ),
        (lambda: client.audiences.create(name="V", audience_type="VISITOR", rule=[]), "object"),
        (lambda: client.audiences.update(audience_id=visitor.id), "nothing to update"),
        (
            lambda: client.audiences.update(audience_id=visitor.id, operation_type="DELETE"),
            "operation_type",
        ),
        (lambda: client.audiences.get(audience_id="A1"), "digits"),
        (lambda: list(client.audiences.list(ownership_type="MINE")), "ownership_type"),
        (
            lambda: client.audiences.create_from_customer_list(name="C", customer_list_id="x"),
            "customer_list_id must be a string of digits",
        ),
    ):
        with pytest.raises(pinkit.InvalidInputError, match=message):
            call()
    assert emu.requests == []
    client.audiences.update(audience_id=visitor.id, operation_type="REMOVE")
    assert list(client.audiences.list()) == []


def test_a_conversion_token_is_told_audiences_need_an_oauth_login(
    inproc_emulator: Emulator,
) -> None:
    token = inproc_emulator.issue_conversion_token()
    account = inproc_emulator.default_ad_account_id
    with inproc_emulator.client(access_token=token, ad_account_id=account) as client:
        with pytest.raises(pinkit.PermissionDeniedError, match="audiences need an OAuth login"):
            client.audiences.create_actalike(name="L", seed_ids="1", country="US", percentage=1)
        with pytest.raises(pinkit.PermissionDeniedError, match="audiences need an OAuth login"):
            client.audiences.get(audience_id="1")


def test_the_sandbox_refuses_audiences() -> None:
    with Emulator(sandbox=True) as sandbox:
        with sandbox.client(ad_account_id=sandbox.default_ad_account_id) as client:
            with pytest.raises(pinkit.PermissionDeniedError, match="not available in the API"):
                client.audiences.create_actalike(name="L", seed_ids="1", country="US", percentage=1)
            with pytest.raises(pinkit.PermissionDeniedError, match="not available in the API"):
                list(client.audiences.list())


@pytest.mark.anyio
async def test_async_audiences(emu: Emulator) -> None:
    async with emu.async_client(ad_account_id=emu.default_ad_account_id) as client:
        made = await client.customer_lists.create(
            name="L", records=[f"p{i}@example.com" for i in range(200)]
        )
        list_id = made.customer_list.id
        assert list_id
        audience = await client.audiences.create_from_customer_list(
            name="A", customer_list_id=list_id
        )
        assert audience.id
        lookalike = await client.audiences.create_actalike(
            name="L", seed_ids=[audience.id], country="CA", percentage=3
        )
        await client.customer_lists.wait_until_ready(customer_list_id=list_id)
        ready = await client.audiences.get(audience_id=audience.id)
        assert ready.status == "READY" and ready.size
        listed = [a.id async for a in client.audiences.list()]
        assert listed == [audience.id, lookalike.id]
        updated = await client.audiences.update(audience_id=lookalike.id, description="d")
        assert updated.description == "d"


def test_the_demo_makes_a_list_from_a_csv_and_an_actalike(
    inproc_emulator: Emulator, tmp_path: Any
) -> None:
    import io

    from rich.console import Console

    from pinkit.demo._tour import Tour
    from pinkit.demo.audiences import make_audiences

    console = Console(file=io.StringIO(), width=120)
    tour = Tour(console, inproc_emulator, tmp_path)
    with inproc_emulator.client(ad_account_id=inproc_emulator.default_ad_account_id) as client:
        make_audiences(tour, client)
        types = [a.audience_type for a in client.audiences.list()]
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert (tmp_path / "customers.csv").is_file() and "customers.csv" in tour.files
    assert "line 44 not sent: the e-mail address has no @" in shown
    assert "4,999 addresses" in shown and "3 requests" in shown
    assert "ACTALIKE" in shown and "READY" in shown
    assert types == ["CUSTOMER_LIST", "ACTALIKE"]
