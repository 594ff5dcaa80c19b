"""Keep secrets out of logs, exception text and reprs.

Redaction works at two depths: structured (headers, query strings and form bodies by name)
and textual (anything shaped like a Pinterest token or an ``Authorization`` value), so a secret
that reaches a log message by an unexpected route is still masked.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["REDACTED", "RedactingFilter", "mask", "redact_headers", "redact_text", "redact_url"]

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


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: REDACTED if k.lower() in SECRET_HEADERS else v for k, v in headers.items()}


class RedactingFilter(logging.Filter):
    """Masks token-shaped text in every record that passes through the ``pinkit`` logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
