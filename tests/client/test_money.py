"""``pinkit.money``: exact conversions between currency units and integer micros."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import pinkit
from pinkit import money
from pinkit._constraints import field
from pinkit.money import MAX_MICROS, format_amount, from_micros, to_micros

CURRENCIES = sorted(money._DECIMALS)
micros = st.integers(min_value=-MAX_MICROS, max_value=MAX_MICROS)


def test_the_currency_table_is_the_specs_currency_enum() -> None:
    assert set(money._DECIMALS) == set(field("ad_accounts/create", "currency").enum or ())


def test_money_is_a_submodule_of_pinkit() -> None:
    assert pinkit.money is money
    assert "money" in dir(pinkit)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("20.00", "USD", 20_000_000),
        (20, "USD", 20_000_000),
        (Decimal("0.01"), "EUR", 10_000),
        ("2000", "JPY", 2_000_000_000),
        ("2000.0", "JPY", 2_000_000_000),  # trailing zeros are no decimals
        (Decimal("2E+3"), "JPY", 2_000_000_000),
        (" 7.5 ", None, 7_500_000),
        ("0.000001", None, 1),
        ("-1.25", "USD", -1_250_000),
        ("0", "KRW", 0),
        ("9223372036854.775807", None, MAX_MICROS),
    ],
)
def test_to_micros(amount: money.Amount, currency: str | None, expected: int) -> None:
    assert to_micros(amount, currency) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "reason"),
    [
        (0.1, None, "float"),
        (20.0, "USD", "float"),
        (True, None, "bool"),
        ("20.001", "USD", "2 decimal places"),
        ("2000.5", "JPY", "whole units"),
        ("0.0000001", None, "fraction of a micro-unit"),
        ("1e5", None, "not an amount"),
        ("1,000", None, "not an amount"),
        ("", None, "not an amount"),
        ("--1", None, "not an amount"),
        ("٣", None, "not an amount"),  # a digit, but not an ASCII one
        (Decimal("NaN"), None, "finite"),
        (Decimal("Infinity"), None, "finite"),
        ("9223372036854.775808", None, "too large"),
        (Decimal("1E+1000000"), None, "too large"),
        ("20", "XYZ", "unknown currency"),
        (None, None, "Decimal, int or str"),
    ],
)
def test_to_micros_refuses(amount: object, currency: str | None, reason: str) -> None:
    with pytest.raises(pinkit.InvalidInputError, match=reason):
        to_micros(amount, currency)  # type: ignore[arg-type]


def test_no_28_digit_rounding() -> None:
    # Decimal's default context keeps 28 digits: 29 must not be rounded on the way.
    assert from_micros(10**28 + 1) == Decimal("10000000000000000000000.000001")
    assert to_micros("1234567.654321") == 1_234_567_654_321


@pytest.mark.parametrize(
    ("micros", "currency", "shown"),
    [
        (20_000_000, "USD", "USD 20.00"),
        (2_000_000_000, "JPY", "JPY 2,000"),
        (1_234_567_890_000, "EUR", "EUR 1,234,567.89"),
        (123_456, "USD", "USD 0.123456"),  # more precise than the currency: all of it shown
        (-5_500_000, "gbp", "GBP -5.50"),
        (0, "KRW", "KRW 0"),
    ],
)
def test_format_amount(micros: int, currency: str, shown: str) -> None:
    assert format_amount(micros, currency) == shown


def test_from_micros_refuses_non_integers() -> None:
    for bad in (1.5, "20", True, Decimal(1)):
        with pytest.raises(pinkit.InvalidInputError):
            from_micros(bad)  # type: ignore[arg-type]


# -- properties -----------------------------------------------------------------------------------
@given(micros)
@example(MAX_MICROS)
@example(-MAX_MICROS)
def test_micros_round_trip_through_units(value: int) -> None:
    amount = from_micros(value)
    assert isinstance(amount, Decimal)
    assert to_micros(amount) == value
    assert to_micros(str(amount)) == value


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False))
def test_units_round_trip_through_micros(amount: Decimal) -> None:
    assert from_micros(to_micros(amount)) == amount
    assert from_micros(to_micros(format(amount, "f"))) == amount


@given(st.sampled_from(CURRENCIES), st.integers(min_value=0, max_value=10**12), st.data())
def test_amounts_with_the_currencys_decimals_convert(
    currency: str, whole: int, data: st.DataObject
) -> None:
    places = money.decimals_of(currency)
    cents = data.draw(st.integers(min_value=0, max_value=10**places - 1))
    text = f"{whole}.{cents:0{places}d}" if places else str(whole)
    micros_value = to_micros(text, currency)
    assert micros_value == (whole * 10**places + cents) * 10 ** (6 - places)
    shown = format_amount(micros_value, currency)
    assert shown.split(" ")[0] == currency
    assert to_micros(shown.split(" ")[1].replace(",", ""), currency) == micros_value


@given(st.sampled_from([c for c in CURRENCIES if money.decimals_of(c) < 6]), st.data())
def test_more_decimals_than_the_currency_are_refused(currency: str, data: st.DataObject) -> None:
    places = money.decimals_of(currency)
    extra = data.draw(st.integers(min_value=places + 1, max_value=6))
    digits = data.draw(st.integers(min_value=1, max_value=9))
    text = "1." + "0" * (extra - 1) + str(digits)  # a non-zero digit past the currency's places
    with pytest.raises(pinkit.InvalidInputError, match="amounts have"):
        to_micros(text, currency)
    assert to_micros(text) == 1_000_000 + digits * 10 ** (6 - extra)  # without one: fine


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_every_float_is_refused(value: float) -> None:
    with pytest.raises(pinkit.InvalidInputError, match="float"):
        to_micros(value)  # type: ignore[arg-type]


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=1, max_value=9),
    st.integers(min_value=7, max_value=30),
)
def test_sub_micro_fractions_are_refused(whole: int, digit: int, place: int) -> None:
    text = f"{whole}.{'0' * (place - 1)}{digit}"  # a non-zero digit past the 6th place
    for amount in (text, Decimal(text)):  # Decimal(text) is exact, whatever its length
        with pytest.raises(pinkit.InvalidInputError, match="fraction of a micro-unit"):
            to_micros(amount)


@given(st.lists(st.decimals(min_value=0, max_value=1000, places=2), min_size=1, max_size=50))
def test_sums_have_no_float_drift(amounts: list[Decimal]) -> None:
    # Adding amounts as micros gives exactly their decimal sum: 0.10 + 0.20 is 0.30.
    total = sum((to_micros(a, "USD") for a in amounts), 0)
    assert from_micros(total) == sum(amounts, Decimal(0))
