"""Small helpers for building events: the click id, and event ids that survive retries."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

from ..errors import InvalidInputError

__all__ = ["click_id_from", "make_event_id"]


def click_id_from(
    url: str | None = None, cookies: Mapping[str, str] | str | None = None
) -> str | None:
    """The ``click_id`` of a visit: the ``_epik`` first-party cookie, else the ``epik`` query
    parameter of the landing ``url`` (the spec: "stored in _epik cookie on your domain or
    &epik= query parameter in the URL"). The cookie is preferred: it outlives the landing page.
    ``cookies`` is a mapping of names to values or a ``Cookie`` header. It is sent as is, never
    hashed. None when neither has one."""
    if cookies is not None:
        value = _cookie(cookies, "_epik")
        if value:
            return value
    if url:
        values = parse_qs(urlsplit(url).query).get("epik")
        if values and values[0]:
            return values[0]
    return None


def _cookie(cookies: Mapping[str, str] | str, name: str) -> str | None:
    if isinstance(cookies, Mapping):
        value = cookies.get(name)
        return value.strip() if isinstance(value, str) else None
    for pair in cookies.split(";"):
        key, eq, value = pair.strip().partition("=")
        if eq and key == name:
            return value.strip().strip('"') or None
    return None


def make_event_id(*parts: str | int) -> str:
    """A deterministic ``event_id`` from what identifies the event, such as an order id and the
    event name: ``make_event_id("order-1234", "checkout")``.

    The same parts always give the same id, so a retried or replayed event keeps it and
    Pinterest deduplicates it (and the page can render the same id into the Pinterest Tag's
    ``event_id``). Different parts never collide by concatenation (``("a-b", "c")`` and
    ``("a", "b-c")`` differ). 32 lowercase hex digits."""
    if not parts:
        raise InvalidInputError("make_event_id needs at least one part (an order id, a name)")
    for part in parts:
        if isinstance(part, bool) or not isinstance(part, (str, int)):
            raise InvalidInputError(
                f"make_event_id parts must be strings or integers, got {type(part).__name__}"
            )
        if isinstance(part, str) and not part.strip():
            raise InvalidInputError("make_event_id parts must not be empty")
    canonical = json.dumps([str(p) for p in parts], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
