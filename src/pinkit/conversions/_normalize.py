"""One normaliser per ``user_data`` field, then SHA-256 as lowercase hex.

Each rule is the one Pinterest documents (the spec's ``ConversionEventsUserDataProperties``
descriptions and the conversions guide's parameter table, as api-facts §1.3 collects them).
Where the sources disagree, the docstring of the normaliser says which rule it follows and why;
the two choices the documentation leaves open (the case of a mobile advertising id, and postal
codes with letters) are options.

A value that cannot be normalised is never hashed: it raises ``InvalidInputError`` naming the
field (an e-mail address without ``@``, an impossible date, an unknown gender). The messages
name the field and the reason but never repeat the value, so they can be logged.

The same normalisers serve the Conversions API and customer lists (e-mail addresses and MAIDs).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, Literal

from .._capi import HASHED_FIELDS, PLAIN_FIELDS
from ..errors import InvalidInputError

__all__ = [
    "HASHED_FIELDS",
    "PLAIN_FIELDS",
    "HashMode",
    "MaidCase",
    "UserDataHasher",
    "ZipLetters",
    "hash_user_data",
    "hash_value",
    "looks_hashed",
    "normalize",
    "normalize_city",
    "normalize_country",
    "normalize_date_of_birth",
    "normalize_email",
    "normalize_external_id",
    "normalize_gender",
    "normalize_maid",
    "normalize_name",
    "normalize_phone",
    "normalize_state",
    "normalize_zip",
    "sha256_hex",
]

HashMode = Literal["auto", "always", "never"]
MaidCase = Literal["lower", "upper", "keep"]
ZipLetters = Literal["keep", "digits"]

HASH_MODES: tuple[HashMode, ...] = ("auto", "always", "never")
MAID_CASES: tuple[MaidCase, ...] = ("lower", "upper", "keep")
ZIP_LETTERS: tuple[ZipLetters, ...] = ("keep", "digits")

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_NOT_DIGIT = re.compile(r"[^0-9]")
_ASCII_NOT_DIGITS = {code: None for code in range(128) if not 48 <= code <= 57}
_ASCII_NOT_DIGIT_BYTES = bytes(code for code in range(256) if not 48 <= code <= 57)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.][^@\s]*\.[^@\s.]+")
_DOB = re.compile(r"(\d{4})[-/.]?(\d{2})[-/.]?(\d{2})")
_ZIP_PLUS4 = re.compile(r"(\d{5})[-\s]\d{4}")
_ZIP_SEPARATORS = re.compile(r"[\s\-.]")
_TWO_LETTERS = re.compile(r"[a-z]{2}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
_ZERO_UUID = "00000000-0000-0000-0000-000000000000"
#: Plain fields sent as given when they are strings (never hashed, no format to check).
_AS_GIVEN = frozenset({"click_id", "partner_id"})
_GENDERS = {
    "f": "f",
    "female": "f",
    "m": "m",
    "male": "m",
    "n": "n",
    "non-binary": "n",
    "nonbinary": "n",
    "non binary": "n",
}


def _bad(field: str, reason: str) -> InvalidInputError:
    return InvalidInputError(f"user_data.{field} {reason}")


def _text(field: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _bad(field, f"must be a string, got {type(value).__name__}")


def sha256_hex(value: str) -> str:
    """SHA-256 of ``value`` (UTF-8) as 64 lowercase hex digits."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def looks_hashed(value: Any) -> bool:
    """Whether ``value`` is already a SHA-256 digest (64 hex digits, either case)."""
    return isinstance(value, str) and len(value) == 64 and _HEX64.fullmatch(value) is not None


# -- the normalisers ---------------------------------------------------------------------------
def normalize_email(value: Any) -> str:
    """``em``: trimmed and lowercased (spec: "SHA256 hashes of lowercase version of user's email
    addresses").

    Nothing else is changed: Gmail dots and ``+tags`` stay, since Pinterest documents no such
    rule and the Pinterest Tag does not strip them either (a hash that differs from the tag's
    breaks matching and deduplication). Whitespace inside an address, a missing ``@`` or a
    domain without a dot make it invalid.
    """
    text = _text("em", value).strip().lower()
    if _EMAIL.fullmatch(text) is None:
        reason = "has no @" if "@" not in text else "is not an e-mail address"
        raise _bad("em", reason)
    return text


def _email_bytes(value: Any) -> bytes:
    """``normalize_email`` for the bulk path, as the UTF-8 bytes to hash (the same rule, fewer
    calls)."""
    if type(value) is str:
        text = value.strip().lower()
        if _EMAIL.fullmatch(text) is not None:
            return text.encode("utf-8")
    return normalize_email(value).encode("utf-8")


def _external_id_bytes(value: Any) -> bytes:
    if type(value) is str:
        text = value.strip()
        if text:
            return text.encode("utf-8")
    return normalize_external_id(value).encode("utf-8")


def _phone_bytes(value: Any) -> bytes:
    """``normalize_phone`` for the bulk path: an ASCII number's digits by one ``translate`` of
    its bytes."""
    if type(value) is str and value.isascii():
        digits = value.encode("ascii").translate(None, _ASCII_NOT_DIGIT_BYTES).lstrip(b"0")
        if 7 <= len(digits) <= 15:
            return digits
    return normalize_phone(value).encode("ascii")


def normalize_phone(value: Any) -> str:
    """``ph``: digits only, leading zeros removed (spec: "only digits with country code, area
    code, and number. Remove any symbols, letters, spaces and leading zeros").

    ``+1 (650) 555-1212`` → ``16505551212``; ``0044 20 7946 0958`` → ``442079460958``.
    Full-width and other compatibility digits are read as digits (NFKC). The country code must
    be in the input: a national number cannot be told from an international one, so it is
    hashed as given and will not match. Fewer than 7 or more than 15 digits (E.164's maximum)
    is not a phone number.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text("ph", value)
    if text.isascii():  # NFKC leaves ASCII as it is
        digits = text.translate(_ASCII_NOT_DIGITS).lstrip("0")
    else:
        digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", text)).lstrip("0")
    if not 7 <= len(digits) <= 15:
        raise _bad(
            "ph",
            f"has {len(digits)} digits without leading zeros; a phone number "
            "with its country code has 7 to 15",
        )
    return digits


def normalize_gender(value: Any) -> str:
    """``ge``: ``f``, ``m`` or ``n`` (spec: "Either "f" or "m" or "n" for non-binary gender").

    ``female``/``male``/``non-binary`` map to their letter (as Segment's Pinterest destination
    does); any other value is invalid, never hashed as given (Pinterest's own SFCC cartridge
    sends ``g`` for female, which matches nobody).
    """
    text = _text("ge", value).strip().lower()
    letter = _GENDERS.get(text)
    if letter is None:
        raise _bad("ge", "is not a known gender: give f, m or n (or female, male, non-binary)")
    return letter


def normalize_date_of_birth(value: Any) -> str:
    """``db``: ``YYYYMMDD`` (the conversions guide: "19971226 for December 26, 1997").

    Takes a ``date``/``datetime`` or a string ``YYYYMMDD``, ``YYYY-MM-DD``, ``YYYY/MM/DD`` or
    ``YYYY.MM.DD``. Day-first or month-first strings are refused rather than guessed, and so is
    a date that does not exist (``1997-02-30``) or one before 1900.
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        match = _DOB.fullmatch(_text("db", value).strip())
        if match is None:
            raise _bad("db", "must be a date as YYYYMMDD or YYYY-MM-DD")
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise _bad("db", "is not a date that exists") from None
    if day.year < 1900:
        raise _bad("db", "is before 1900")
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _name(field: str, value: Any) -> str:
    text = unicodedata.normalize("NFC", _text(field, value).strip().lower())
    if not text:
        raise _bad(field, "is empty")
    return text


def normalize_name(value: Any, *, field: str = "fn") -> str:
    """``fn``, ``ln``: trimmed and lowercased (spec: "in lowercase").

    Inner spaces and punctuation are kept (``Mary Ann`` → ``mary ann``): Pinterest states only
    lowercase, and the implementations differ (Segment removes all whitespace, Stape and
    Pinterest's Magento plugin do not). Text is NFC-normalised, so an accent typed as one
    character or as two hashes the same.
    """
    return _name(field, value)


def normalize_city(value: Any) -> str:
    """``ct``: lowercase, without spaces or punctuation (spec: "in lowercase, and without spaces
    or punctuation"; the guide's example is ``menlopark``). Letters of any script and digits
    are kept."""
    text = unicodedata.normalize("NFC", _text("ct", value).lower())
    city = "".join(ch for ch in text if ch.isalnum())
    if not city:
        raise _bad("ct", "has no letters")
    return city


def normalize_state(value: Any) -> str:
    """``st``: a two-letter code in lowercase (spec: "given as a two-letter code in
    lowercase"; the guide's example is ``ca``). A full name (``California``) is refused rather
    than guessed."""
    text = _text("st", value).strip().lower()
    if _TWO_LETTERS.fullmatch(text) is None:
        raise _bad("st", "must be a two-letter state code (ca, ny)")
    return text


def normalize_zip(value: Any, *, letters: ZipLetters = "keep") -> str:
    """``zp``: the postal code's digits (spec: "only digits").

    US ZIP+4 (``94025-1234``) keeps its first five digits (the conversions guide: "a five-digit
    zip code for United States"). Codes with letters (``SW1A 1AA``) are where the sources
    disagree: the spec says digits only, the guide says "for other locations, follow each
    country's standards", and Segment, Stape and Pinterest's own SFCC cartridge keep the
    letters. By default (``letters="keep"``) they are kept, lowercased, without spaces or
    punctuation (``sw1a1aa``), since stripping them leaves a value that matches any code with
    the same digits; ``letters="digits"`` follows the spec's wording literally.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text("zp", value).strip().lower()
    plus4 = _ZIP_PLUS4.fullmatch(text)
    if plus4 is not None:
        return plus4[1]
    compact = _ZIP_SEPARATORS.sub("", text)
    if compact.isdigit() and compact.isascii():
        return compact
    if letters == "digits":
        digits = _NOT_DIGIT.sub("", compact)
        if not digits:
            raise _bad("zp", "has no digits")
        return digits
    if not compact.isascii() or not compact.isalnum():
        raise _bad("zp", "must be letters and digits (spaces and hyphens are removed)")
    return compact


def normalize_country(value: Any) -> str:
    """``country``: the ISO-3166 alpha-2 code in lowercase (spec: "two-character ISO-3166
    country code ... in lowercase"); ``US`` → ``us``. Names are refused."""
    text = _text("country", value).strip().lower()
    if _TWO_LETTERS.fullmatch(text) is None:
        raise _bad("country", "must be a two-letter ISO-3166 code (us, gb)")
    return text


def normalize_external_id(value: Any) -> str:
    """``external_id``: the advertiser's id for the user, trimmed and otherwise unchanged.

    Pinterest states no normalisation ("Sha256 hashes of the unique id from the advertiser");
    its case is kept because ids are often case-sensitive, and the value must hash the same
    as the one the tag side sends.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text("external_id", value).strip()
    if not text:
        raise _bad("external_id", "is empty")
    return text


def normalize_maid(value: Any, *, case: MaidCase = "lower") -> str:
    """``hashed_maids``: a Google advertising id (GAID/AAID) or Apple IDFA, in its hyphenated
    UUID form.

    Pinterest does not state the case for the Conversions API. The default, lowercase, is what
    the Conversions API integrations do (Segment, Stape); Pinterest's customer-list rules ask
    for IDFAs in uppercase and AAIDs in lowercase, which ``case="upper"`` (for IDFAs) and
    ``"lower"`` give; ``"keep"`` hashes the id as the device reported it. The all-zero id (ad
    tracking limited) identifies nobody and is refused.
    """
    text = _text("hashed_maids", value).strip()
    if _UUID.fullmatch(text) is None:
        raise _bad("hashed_maids", "is not a mobile advertising id (8-4-4-4-12 hex digits)")
    if text == _ZERO_UUID:
        raise _bad("hashed_maids", "is the all-zero id of a device that limits ad tracking")
    if case == "lower":
        return text.lower()
    if case == "upper":
        return text.upper()
    return text


def _ln(value: Any) -> str:
    return _name("ln", value)


NORMALIZERS: Mapping[str, Callable[[Any], str]] = {
    "em": normalize_email,
    "ph": normalize_phone,
    "ge": normalize_gender,
    "db": normalize_date_of_birth,
    "ln": _ln,
    "fn": normalize_name,
    "ct": normalize_city,
    "st": normalize_state,
    "zp": normalize_zip,
    "country": normalize_country,
    "external_id": normalize_external_id,
    "hashed_maids": normalize_maid,
}


def normalize(
    field: str, value: Any, *, maid_case: MaidCase = "lower", zip_letters: ZipLetters = "keep"
) -> str:
    """The normalised form of one raw ``value`` of the hashed ``user_data`` field ``field``."""
    if field == "hashed_maids":
        return normalize_maid(value, case=maid_case)
    if field == "zp":
        return normalize_zip(value, letters=zip_letters)
    try:
        return NORMALIZERS[field](value)
    except KeyError:
        raise _unknown(field) from None


def _unknown(field: str) -> InvalidInputError:
    known = ", ".join((*HASHED_FIELDS, *PLAIN_FIELDS))
    return InvalidInputError(f"user_data.{field} is not a user_data field; Pinterest takes {known}")


def hash_value(
    field: str,
    value: Any,
    *,
    hash: HashMode = "auto",
    maid_case: MaidCase = "lower",
    zip_letters: ZipLetters = "keep",
) -> str:
    """One value of a hashed field as Pinterest expects it: normalised and hashed, or (with
    ``hash="auto"``/``"never"``) a digest passed through, lowercased."""
    return UserDataHasher(hash=hash, maid_case=maid_case, zip_letters=zip_letters).value(
        field, value
    )[0]


# -- user_data as a whole ----------------------------------------------------------------------
class UserDataHasher:
    """``user_data`` from raw or hashed values, with the options fixed once (the bulk sender
    makes one and uses it for every event).

    ``prepare`` also tells, per field, whether any value came hashed and whether any came raw
    (bit ``i`` of the two masks is ``HASHED_FIELDS[i]``): a stream that mixes both for one field
    usually has a pipeline bug, and the bulk sender reports it.
    """

    def __init__(
        self,
        *,
        hash: HashMode = "auto",
        maid_case: MaidCase = "lower",
        zip_letters: ZipLetters = "keep",
    ) -> None:
        if hash not in HASH_MODES:
            raise InvalidInputError(f"hash must be one of {list(HASH_MODES)}, got {hash!r}")
        if maid_case not in MAID_CASES:
            raise InvalidInputError(f"maid_case must be one of {list(MAID_CASES)}")
        if zip_letters not in ZIP_LETTERS:
            raise InvalidInputError(f"zip_letters must be one of {list(ZIP_LETTERS)}")
        self.mode = hash
        self.maid_case = maid_case
        self.zip_letters = zip_letters
        norm: dict[str, Callable[[Any], str]] = dict(NORMALIZERS)
        norm["hashed_maids"] = lambda v: normalize_maid(v, case=maid_case)
        norm["zp"] = lambda v: normalize_zip(v, letters=zip_letters)
        self._norm = norm
        # the bytes to hash, per field: the same normalisers, with fast paths for the usual ones
        to_hash: dict[str, Callable[[Any], bytes]] = {
            name: _encoded(func) for name, func in norm.items()
        }
        to_hash.update(em=_email_bytes, ph=_phone_bytes, external_id=_external_id_bytes)
        self._to_hash = to_hash
        self._bits = {name: 1 << i for i, name in enumerate(HASHED_FIELDS)}

    def value(self, field: str, value: Any) -> tuple[str, bool]:
        """The value to send and whether it came hashed."""
        norm = self._norm.get(field)
        if norm is None:
            raise _unknown(field)
        mode = self.mode
        if mode != "always" and type(value) is str and len(value) == 64 and _HEX64.fullmatch(value):
            return value.lower(), True
        if mode == "never":
            raise _bad(
                field, "is not a SHA-256 hex digest, and hash='never' sends only hashed values"
            )
        return hashlib.sha256(norm(value).encode("utf-8")).hexdigest(), False

    def prepare(
        self, raw: Mapping[str, Any], drop_invalid: bool = False
    ) -> tuple[dict[str, Any], int, int, list[str] | None]:
        """``(user_data, hashed_mask, raw_mask, dropped)``: ``dropped`` names the fields left
        out as invalid (only with ``drop_invalid``; otherwise the first invalid value raises)."""
        out: dict[str, Any] = {}
        hashed_mask = raw_mask = 0
        dropped: list[str] | None = None
        bits = self._bits
        to_hash = self._to_hash
        pass_hashed = self.mode != "always"
        never = self.mode == "never"
        sha256 = hashlib.sha256
        as_given = _AS_GIVEN
        for field, value in raw.items():
            bit = bits.get(field)
            if bit is not None and type(value) is str and value and len(value) != 64 and not never:
                # the usual value: one raw string, to normalise and hash
                try:
                    out[field] = [sha256(to_hash[field](value)).hexdigest()]
                except InvalidInputError:
                    if not drop_invalid:
                        raise
                    dropped = [*(dropped or ()), field]
                    continue
                raw_mask |= bit
                continue
            if bit is None:
                if type(value) is str:
                    if field in as_given:
                        if value:
                            out[field] = value
                        continue
                    if field == "client_user_agent" and value.strip():
                        out[field] = value
                        continue
                    if field == "client_ip_address" and _IPV4.fullmatch(value) is not None:
                        if value == "0.0.0.0":  # noqa: S104 (refused, not bound)
                            raise _bad(field, "is the unspecified address (0.0.0.0 or ::)")
                        out[field] = value
                        continue
                if value is None or value == "":
                    continue
                if field not in PLAIN_FIELDS:
                    raise _unknown(field)
                try:
                    out[field] = _plain(field, value)
                except InvalidInputError:
                    if not drop_invalid:
                        raise
                    dropped = [*(dropped or ()), field]
                continue
            if type(value) is list and len(value) == 1:
                value = value[0]
            try:
                if type(value) is str:
                    if not value:
                        continue
                    if pass_hashed and len(value) == 64 and _HEX64.fullmatch(value):
                        out[field] = [value.lower()]
                        hashed_mask |= bit
                    elif never:
                        raise _never(field)
                    else:
                        out[field] = [sha256(to_hash[field](value)).hexdigest()]
                        raw_mask |= bit
                    continue
                if value is None:
                    continue
                values = []
                for item in _items(field, value):
                    if item is None or item == "":
                        continue
                    sent, was_hashed = self.value(field, item)
                    values.append(sent)
                    if was_hashed:
                        hashed_mask |= bit
                    else:
                        raw_mask |= bit
            except InvalidInputError:
                if not drop_invalid:
                    raise
                dropped = [*(dropped or ()), field]
                continue
            if values:
                out[field] = values
        return out, hashed_mask, raw_mask, dropped

    def __call__(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise InvalidInputError(f"user_data must be a mapping, got {type(raw).__name__}")
        return self.prepare(raw)[0]


def _encoded(normalise: Callable[[Any], str]) -> Callable[[Any], bytes]:
    def to_hash(value: Any) -> bytes:
        return normalise(value).encode("utf-8")

    return to_hash


def _never(field: str) -> InvalidInputError:
    return _bad(field, "is not a SHA-256 hex digest, and hash='never' sends only hashed values")


def _items(field: str, value: Any) -> Iterable[Any]:
    if isinstance(value, (list, tuple)):
        return value
    if isinstance(value, (int, date)) and not isinstance(value, bool):
        return (value,)
    raise _bad(field, f"must be a string or a list of strings, got {type(value).__name__}")


def _plain(field: str, value: Any) -> str:
    """A field sent as a plain string, never hashed."""
    if not isinstance(value, str):
        raise _bad(
            field, f"must be a string (it is sent as is, never hashed), got {type(value).__name__}"
        )
    if field == "client_ip_address":
        if _IPV4.fullmatch(value) is not None:
            if value == "0.0.0.0":  # noqa: S104 (refused, not bound)
                raise _bad(field, "is the unspecified address (0.0.0.0 or ::)")
            return value
        text = value.strip()
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            raise _bad(field, "is not an IPv4 or IPv6 address") from None
        if address.is_unspecified:
            raise _bad(field, "is the unspecified address (0.0.0.0 or ::)")
        return text
    if field == "client_user_agent" and not value.strip():
        raise _bad(field, "is empty")
    return value


def hash_user_data(
    raw: Mapping[str, Any],
    *,
    hash: HashMode = "auto",
    maid_case: MaidCase = "lower",
    zip_letters: ZipLetters = "keep",
) -> dict[str, Any]:
    """The ``user_data`` object Pinterest expects, from raw or already hashed values.

    ``raw`` maps a field (``em``, ``ph``, ``ge``, ``db``, ``fn``, ``ln``, ``ct``, ``st``,
    ``zp``, ``country``, ``external_id``, ``hashed_maids``, ``client_ip_address``,
    ``client_user_agent``, ``click_id``, ``partner_id``) to a value or a list of values. The
    hashed fields come back as lists of 64-digit lowercase hex; the other four as plain
    strings. ``None`` and empty values are left out.

    ``hash="auto"`` passes a value that is already a SHA-256 digest through (lowercased) and
    normalises and hashes anything else; ``"always"`` normalises and hashes every value;
    ``"never"`` takes digests only and refuses a raw value. An invalid value raises
    ``InvalidInputError`` naming the field. ``maid_case`` and ``zip_letters``: see
    ``normalize_maid`` and ``normalize_zip``.
    """
    return UserDataHasher(hash=hash, maid_case=maid_case, zip_letters=zip_letters)(raw)
