"""The Pinterest tag for an event, carrying the event id the server-side conversion uses.

Pinterest deduplicates a tag event and an API event that share ``event_id`` (the tag's
``eid``) and event name within 48 hours, keeping the first (api-facts §1.6). ``tag_event``
renders the browser half with the same id that ``pinkit.conversions.make_event_id`` gives the
server half. Every value that goes into the snippet is escaped for where it lands: JavaScript
values are JSON with ``<``, ``>`` and ``&`` as ``\\u`` escapes (no ``</script>`` can close the
script early), the noscript pixel's query is percent-encoded, and the whole URL is then
HTML-escaped for its ``src`` attribute.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from .._capi import EVENT_NAMES
from ..conversions import normalize_email, sha256_hex
from ..errors import InvalidInputError

__all__ = ["CORE_JS", "PIXEL_URL", "TAG_EVENT_NAMES", "tag_event"]

CORE_JS = "https://s.pinimg.com/ct/core.js"
PIXEL_URL = "https://ct.pinterest.com/v3/"

#: The Conversions API's event names and the tag's. The first nine are the tag's standard
#: events; the tag takes any other name as a user-defined event (without spaces), so the
#: others are the API name without its underscores.
TAG_EVENT_NAMES: Mapping[str, str] = {
    "checkout": "checkout",
    "add_to_cart": "addtocart",
    "page_visit": "pagevisit",
    "signup": "signup",
    "watch_video": "watchvideo",
    "lead": "lead",
    "search": "search",
    "view_category": "viewcategory",
    "custom": "custom",
    "add_payment_info": "addpaymentinfo",
    "add_to_wishlist": "addtowishlist",
    "app_install": "appinstall",
    "app_open": "appopen",
    "contact": "contact",
    "customize_product": "customizeproduct",
    "find_location": "findlocation",
    "initiate_checkout": "initiatecheckout",
    "schedule": "schedule",
    "start_trial": "starttrial",
    "submit_application": "submitapplication",
    "subscribe": "subscribe",
    "view_content": "viewcontent",
}
assert set(TAG_EVENT_NAMES) == EVENT_NAMES, "every API event name has its tag name"

_BASE_CODE = (
    "!function(e){if(!window.pintrk){window.pintrk=function(){window.pintrk.queue.push("
    "Array.prototype.slice.call(arguments))};var n=window.pintrk;n.queue=[],"
    'n.version="3.0";var t=document.createElement("script");t.async=!0,t.src=e;'
    'var r=document.getElementsByTagName("script")[0];r.parentNode.insertBefore(t,r)}}'
    "({core});"
)
_NONCE = re.compile(r"[A-Za-z0-9+/=_-]{1,200}")
_TAG_ID = re.compile(r"[0-9]{1,32}")
Number = int | float | Decimal


class _Raw(str):
    """A number already written as a JSON number."""


def _number(name: str, value: Any) -> _Raw:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise InvalidInputError(f"{name} must be a number, got {type(value).__name__}")
    if isinstance(value, int):
        return _Raw(str(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInputError(f"{name} must be finite")
        return _Raw(format(value, "f"))
    if not math.isfinite(value):
        raise InvalidInputError(f"{name} must be finite")
    return _Raw(repr(value))


def _js(value: Any) -> str:
    """``value`` as a JavaScript literal that is safe inside ``<script>`` in HTML."""
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_js(str(k))}:{_js(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_js(v) for v in value) + "]"
    text = json.dumps(value, ensure_ascii=True, allow_nan=False)  # escapes U+2028/U+2029 too
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _plain(name: str, value: Any) -> Any:
    """A value the tag takes: text, or a number (kept as a JSON number)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return _number(name, value)
    raise InvalidInputError(f"{name} must be text or a number, got {type(value).__name__}")


def tag_event(
    tag_id: str,
    event_name: str,
    *,
    event_id: str,
    email: str | None = None,
    value: Number | None = None,
    currency: str | None = None,
    order_quantity: int | None = None,
    order_id: str | None = None,
    line_items: Sequence[Mapping[str, Any]] | None = None,
    event_data: Mapping[str, Any] | None = None,
    base_code: bool = True,
    nonce: str | None = None,
) -> str:
    """The HTML that fires the Pinterest tag for one event: a ``<script>`` (the standard base
    code loading ``core.js``, ``pintrk('load', tag_id, {em})``, ``pintrk('page')``, then
    ``pintrk('track', name, {event_id, ...})``) and its ``<noscript>`` pixel.

    ``event_name`` is the Conversions API's (``add_to_cart``), written as the tag's
    (``addtocart``: ``TAG_EVENT_NAMES``); ``event_id`` must be the one the server sends for the
    same event (``pinkit.conversions.make_event_id``), so Pinterest counts it once. ``email``
    is normalised and SHA-256 hashed here, as the server side does, so the page never carries
    the address. ``base_code=False`` leaves out the loader and ``load``/``page`` (for a page
    that has them already). ``nonce`` is the script's CSP nonce.
    """
    if not isinstance(tag_id, str) or not _TAG_ID.fullmatch(tag_id):
        raise InvalidInputError("tag_id must be the Pinterest tag's id: digits only")
    if event_name not in TAG_EVENT_NAMES:
        raise InvalidInputError(
            f"unknown event_name {event_name!r}: one of {', '.join(sorted(TAG_EVENT_NAMES))}"
        )
    if not isinstance(event_id, str) or not event_id.strip():
        raise InvalidInputError("event_id must be a non-empty string (make_event_id(...))")
    if nonce is not None and not _NONCE.fullmatch(nonce):
        raise InvalidInputError("nonce must be a CSP nonce (base64 characters)")
    tag_name = TAG_EVENT_NAMES[event_name]

    data: dict[str, Any] = {"event_id": event_id}
    if value is not None:
        data["value"] = _number("value", value)
    if currency is not None:
        data["currency"] = _plain("currency", currency)
    if order_quantity is not None:
        if isinstance(order_quantity, bool) or not isinstance(order_quantity, int):
            raise InvalidInputError("order_quantity must be an integer")
        data["order_quantity"] = _number("order_quantity", order_quantity)
    if order_id is not None:
        data["order_id"] = _plain("order_id", order_id)
    items: list[dict[str, Any]] = []
    for index, item in enumerate(line_items or ()):
        if not isinstance(item, Mapping):
            raise InvalidInputError(f"line_items[{index}] must be a mapping")
        items.append({str(k): _plain(f"line_items[{index}].{k}", v) for k, v in item.items()})
    if items:
        data["line_items"] = items
    for key, extra in (event_data or {}).items():
        if key in data or key == "line_items":
            raise InvalidInputError(f"event_data sets {key!r}, which has its own argument")
        data[str(key)] = _plain(f"event_data.{key}", extra)

    hashed = None if email is None else sha256_hex(normalize_email(email))
    lines = []
    if base_code:
        lines.append(_BASE_CODE.replace("{core}", _js(CORE_JS)))
        load = {"em": hashed} if hashed else None
        lines.append(f"pintrk('load',{_js(tag_id)}" + (f",{_js(load)});" if load else ");"))
        lines.append("pintrk('page');")
    lines.append(f"pintrk('track',{_js(tag_name)},{_js(data)});")
    nonce_attr = "" if nonce is None else f' nonce="{html.escape(nonce, quote=True)}"'
    script = f"<script{nonce_attr}>\n" + "\n".join(lines) + "\n</script>"

    query: list[tuple[str, str]] = [("event", tag_name), ("tid", tag_id)]
    for key, item_value in data.items():
        if key == "line_items":
            for index, item in enumerate(items):
                for field, field_value in item.items():
                    query.append((f"ed[line_items][{index}][{field}]", str(field_value)))
        else:
            query.append((f"ed[{key}]", str(item_value)))
    if hashed:
        query.append(("pd[em]", hashed))
    query.append(("noscript", "1"))
    src = PIXEL_URL + "?" + "&".join(f"{quote(k, safe='[]')}={quote(v, safe='')}" for k, v in query)
    pixel = (
        '<noscript><img height="1" width="1" style="display:none;" alt="" '
        f'src="{html.escape(src, quote=True)}" /></noscript>'
    )
    return script + "\n" + pixel
