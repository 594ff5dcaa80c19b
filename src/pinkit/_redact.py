"""Keep secrets out of logs, exception text, reprs and the locals that tracebacks print.

Redaction works at two depths: structured (headers, query strings, form and JSON bodies by
name) and textual (anything shaped like a Pinterest token or an ``Authorization`` value), so a
secret that reaches a log message by an unexpected route is still masked.

Inside pinkit, secrets (access and refresh tokens, client secrets, authorization codes) travel
as ``Secret``: tools that print the locals of a failing call (pytest ``--showlocals``, rich
tracebacks with ``show_locals=True``, Sentry) see their masked form, and the clear value is
taken out with ``get_secret_value()`` only where a request is built. The environment is read
through ``Environment``, whose repr shows no value either.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "REDACTED",
    "Env",
    "Environment",
    "RedactingFilter",
    "Secret",
    "mask",
    "mask_headers",
    "redact_form",
    "redact_headers",
    "redact_json",
    "redact_text",
    "redact_tokens",
    "redact_url",
    "reveal",
]

REDACTED = "[REDACTED]"
SECRET_FIELDS = frozenset(
    {"access_token", "refresh_token", "client_secret", "code", "token", "password", "secret"}
)
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_TEXT_PATTERNS = (
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"\bpin[arc][._][A-Za-z0-9._~+/=-]{6,}"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret)[\"']?\s*[=:]\s*[\"']?)"
        r"[^\"'&\s,}]+"
    ),
    re.compile(r"((?:^|[?&\s])code=)[^&\s]+"),
)


def mask(secret: str | None) -> str:
    """A recognisable but useless stand-in for a secret: its kind prefix, a short SHA-256
    fingerprint (to tell two tokens apart) and its length."""
    if not secret:
        return "None"
    prefix = secret[:5] if secret[:3] == "pin" else ""
    fingerprint = hashlib.sha256(secret.encode()).hexdigest()[:8]
    return f"{prefix}…#{fingerprint} ({len(secret)} chars)"


class Secret:
    """A secret string (token, client secret, authorization code) that never shows itself.

    ``repr``, ``str`` and formatting give its masked form (``pina_…#1a2b3c4d (53 chars)``:
    the kind, a short SHA-256 fingerprint and the length); ``get_secret_value()`` gives the
    clear value. Secrets compare and hash by value (to each other, not to strings), and are
    true when not empty. The idea of pydantic's ``SecretStr``, without pydantic.
    """

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str | Secret) -> None:
        if isinstance(value, Secret):
            value = value.get_secret_value()
        if not isinstance(value, str):
            raise TypeError(f"a Secret holds a string, not {type(value).__name__}")
        self._value = value

    @classmethod
    def of(cls, value: str | Secret | None) -> Secret | None:
        """``value`` as a ``Secret``; None stays None."""
        return None if value is None else cls(value)

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({str(self)!r})"

    def __str__(self) -> str:
        return mask(self._value) if self._value else ""

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)


def reveal(value: str | Secret) -> str:
    """The clear value of a secret (or of a plain string), for building a request."""
    return value.get_secret_value() if isinstance(value, Secret) else value


class Env(Protocol):
    """Where settings are read from: ``os.environ``, a dict, or an ``Environment``."""

    def get(self, key: str, /) -> str | None: ...


class Environment:
    """Read access to environment variables (``os.environ`` by default) whose repr lists
    no value, so a traceback that prints locals does not print the user's tokens. Not a
    ``Mapping``, on purpose: error reporters walk mappings item by item."""

    __slots__ = ("_variables",)

    def __init__(self, variables: Env | None = None) -> None:
        self._variables: Env = os.environ if variables is None else variables

    def get(self, key: str, /) -> str | None:
        return self._variables.get(key)

    def __repr__(self) -> str:
        return "Environment(<values hidden>)"


def redact_text(text: str) -> str:
    text = _TEXT_PATTERNS[0].sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _TEXT_PATTERNS[1].sub(REDACTED, text)
    for pattern in _TEXT_PATTERNS[2:]:
        text = pattern.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    return text


def _redact_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, REDACTED if k.lower() in SECRET_FIELDS else v) for k, v in pairs]


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = urlencode(_redact_pairs(parse_qsl(parts.query, keep_blank_values=True)), safe="[]")
    return urlunsplit(parts._replace(query=query))


def redact_form(body: str) -> str:
    return urlencode(_redact_pairs(parse_qsl(body, keep_blank_values=True)), safe="[]")


MAX_REDACT_DEPTH = 100


def redact_tokens(text: str) -> str:
    """Only what is shaped like a Pinterest token (``pina_...``), for text that is data."""
    return _TEXT_PATTERNS[1].sub(REDACTED, text)


def redact_json(
    value: Any,
    *,
    keys: frozenset[str] = SECRET_FIELDS,
    text: Callable[[str], str] = redact_text,
    _depth: int = 0,
) -> Any:
    """Decoded JSON with its secrets masked: the string values of the ``keys`` (by default
    ``access_token``, ``refresh_token``, ``client_secret``, ``code``...), and every other
    string through ``text``. Parts nested over ``MAX_REDACT_DEPTH`` deep are replaced whole."""
    if _depth > MAX_REDACT_DEPTH:
        return REDACTED
    if isinstance(value, dict):
        return {
            key: REDACTED
            if isinstance(key, str) and key.lower() in keys and isinstance(item, str)
            else redact_json(item, keys=keys, text=text, _depth=_depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_json(item, keys=keys, text=text, _depth=_depth + 1) for item in value]
    if isinstance(value, str):
        return text(value)
    return value


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: REDACTED if k.lower() in SECRET_HEADERS else v for k, v in headers.items()}


CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization"})


def mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers with credentials masked, keeping what tells them apart: an ``Authorization``
    value keeps its scheme and shows the credential's mask (``Bearer pina_…#1a2b3c4d (53
    chars)``); cookies are ``[REDACTED]``."""
    masked = {}
    for name, value in headers.items():
        if name.lower() in CREDENTIAL_HEADERS:
            scheme, _, credential = value.partition(" ")
            value = f"{scheme} {mask(credential)}" if credential else mask(value)
        elif name.lower() in SECRET_HEADERS:
            value = REDACTED
        masked[name] = value
    return masked


class RedactingFilter(logging.Filter):
    """Masks token-shaped text in every record that passes through the ``pinkit`` logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
