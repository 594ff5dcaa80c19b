"""Exact money: amounts in currency units and Pinterest's integer micro-currency.

Pinterest counts budgets, caps and bids in micro-units of the ad account's currency
(1 unit = 1,000,000 micros). A float cannot hold most decimal amounts exactly
(``0.1 + 0.2 != 0.3``), so these helpers take ``Decimal``, ``int`` or ``str`` and refuse
floats, refuse fractions of a micro-unit, and, given a currency, refuse more decimals than the
currency has (there are no fractional yen)::

    >>> to_micros("20.00", "USD")
    20000000
    >>> from_micros(20_000_000)
    Decimal('20')
    >>> format_amount(2_000_000_000, "JPY")
    'JPY 2,000'
"""

from __future__ import annotations

from decimal import Decimal, Inexact, InvalidOperation, localcontext

from .errors import InvalidInputError

__all__ = [
    "MAX_MICROS",
    "MICROS_PER_UNIT",
    "Amount",
    "decimals_of",
    "format_amount",
    "from_micros",
    "to_micros",
]

MICROS_PER_UNIT = 1_000_000
MICRO_PLACES = 6
#: Pinterest's integers are 64-bit: the largest amount of micros a field can hold.
MAX_MICROS = 2**63 - 1
MAX_UNIT_DIGITS = 13  # 10**13 units is over MAX_MICROS
Amount = Decimal | int | str
"""An amount in currency units: ``Decimal("20.00")``, ``20`` or ``"20.00"``; never a float."""

#: Decimal places of the ad-account currencies Pinterest knows (the spec's ``Currency`` enum),
#: after ISO 4217. ``UNK`` (unknown) is held to micro precision only.
_DECIMALS = {
    "UNK": 6,
    "USD": 2,
    "GBP": 2,
    "CAD": 2,
    "EUR": 2,
    "AUD": 2,
    "NZD": 2,
    "SEK": 2,
    "ILS": 2,
    "CHF": 2,
    "HKD": 2,
    "JPY": 0,
    "SGD": 2,
    "KRW": 0,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "RON": 2,
    "HUF": 2,
    "CZK": 2,
    "BRL": 2,
    "MXN": 2,
    "ARS": 2,
    "CLP": 0,
    "COP": 2,
    "INR": 2,
    "TRY": 2,
}


def decimals_of(currency: str) -> int:
    """How many decimal places amounts in ``currency`` have (2 for USD, 0 for JPY)."""
    try:
        return _DECIMALS[currency.upper()]
    except (KeyError, AttributeError):
        raise InvalidInputError(
            f"unknown currency {currency!r}: Pinterest ad accounts use one of "
            f"{', '.join(sorted(_DECIMALS))}"
        ) from None


def _decimal(amount: Amount) -> Decimal:
    if isinstance(amount, (bool, float)):
        raise InvalidInputError(
            f"amounts must be Decimal, int or str, not {type(amount).__name__} ({amount!r}): "
            "a float cannot hold most decimal amounts exactly"
        )
    if isinstance(amount, int):
        return Decimal(amount)
    if isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, str):
        text = amount.strip()
        if not text or not all(c.isascii() and (c.isdigit() or c in "+-.") for c in text):
            raise InvalidInputError(f"not an amount: {amount!r} (write it like 20.00)")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise InvalidInputError(f"not an amount: {amount!r} (write it like 20.00)") from None
    else:
        raise InvalidInputError(f"amounts must be Decimal, int or str, got {amount!r}")
    if not value.is_finite():
        raise InvalidInputError(f"not a finite amount: {amount!r}")
    return value


def to_micros(amount: Amount, currency: str | None = None) -> int:
    """``amount`` in currency units as integer micros, exactly, or ``InvalidInputError``.

    Refused: floats, fractions of a micro-unit, more decimals than ``currency`` has (when
    given), and amounts whose micros do not fit Pinterest's 64-bit integers."""
    value = _decimal(amount)
    places = None if currency is None else decimals_of(currency)
    if value.is_zero():
        return 0
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    # Drop trailing zeros (20.00 has two decimals written, none that count).
    coefficient = int("".join(map(str, digits)))
    while exponent < 0 and coefficient % 10 == 0:
        coefficient //= 10
        exponent += 1
    if places is not None and -exponent > places:
        unit = "whole units" if places == 0 else f"{places} decimal places"
        assert currency is not None
        raise InvalidInputError(f"{currency.upper()} amounts have {unit}: {amount!r} has more")
    if -exponent > MICRO_PLACES:
        raise InvalidInputError(f"{amount!r} is a fraction of a micro-unit")
    if value.adjusted() >= MAX_UNIT_DIGITS:  # checked before the power below grows huge
        raise InvalidInputError(f"{amount!r} is too large for Pinterest's 64-bit micro amounts")
    micros = coefficient * int(10 ** (exponent + MICRO_PLACES))
    if micros > MAX_MICROS:
        raise InvalidInputError(f"{amount!r} is too large for Pinterest's 64-bit micro amounts")
    return -micros if sign else micros


def from_micros(micros: int) -> Decimal:
    """Integer micros as an exact ``Decimal`` amount in currency units."""
    if isinstance(micros, bool) or not isinstance(micros, int):
        raise InvalidInputError(f"micros must be an integer, got {micros!r}")
    with localcontext() as ctx:  # enough digits for any integer: the division is exact
        ctx.prec = max(28, len(str(abs(micros))) + MICRO_PLACES + 1)
        ctx.traps[Inexact] = True
        return Decimal(micros) / MICROS_PER_UNIT


def format_amount(micros: int, currency: str) -> str:
    """``"USD 20.00"``, ``"JPY 2,000"``: the amount with its currency's decimal places (more
    only when the amount has them: ``"USD 0.123456"``), thousands separated by commas."""
    places = decimals_of(currency)
    amount = from_micros(micros)
    with localcontext() as ctx:
        ctx.prec = max(28, len(str(abs(micros))) + MICRO_PLACES + 1)
        quantum = Decimal(1).scaleb(-places)
        rounded = amount.quantize(quantum)
        shown = rounded if rounded == amount else amount
    return f"{currency.upper()} {shown:,f}"
