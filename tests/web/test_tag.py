"""``pinkit.web.tag_event``: the tag's shape, its event names, and hostile values escaped for
the place each lands (HTML attribute, JavaScript string, URL)."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest

import pinkit
from pinkit._capi import EVENT_NAMES
from pinkit.conversions import hash_user_data, make_event_id
from pinkit.web import TAG_EVENT_NAMES, tag_event

TAG_ID = "2612345678901"
HOSTILE = [
    "</script><script>alert(1)</script>",
    "</SCRIPT >",
    "<!--<script>",
    "\"'`;alert(1);//",
    "\\'); alert(1); //",
    "line\u2028sep\u2029arator",
    '"><img src=x onerror=alert(1)>',
    "a&b=c#d?e%20f",
    "ünïcødé ✓",
]


class Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def parse(snippet: str) -> Parsed:
    parser = Parsed()
    parser.feed(snippet)
    parser.close()
    return parser


def track_data(script: str) -> tuple[str, dict[str, object]]:
    """The event name and data of the ``pintrk('track', ...)`` call (its arguments are JSON)."""
    match = re.search(r"pintrk\('track',(\"[a-z]+\"),(\{.*\})\);", script)
    assert match, script
    return json.loads(match.group(1)), json.loads(match.group(2))


def pixel_query(parsed: Parsed) -> dict[str, str]:
    (src,) = [attrs["src"] for tag, attrs in parsed.tags if tag == "img"]
    assert src is not None
    parts = urlsplit(src)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "ct.pinterest.com", "/v3/")
    return dict(parse_qsl(parts.query, keep_blank_values=True))


def test_the_standard_tag_for_a_checkout() -> None:
    event_id = make_event_id("order-1234", "checkout")
    snippet = tag_event(
        TAG_ID,
        "checkout",
        event_id=event_id,
        email=" Buyer@Example.com ",
        value=Decimal("19.99"),
        currency="USD",
        order_quantity=2,
        order_id="order-1234",
        line_items=[{"product_id": "sku-1", "product_price": 9.995, "product_quantity": 2}],
    )
    parsed = parse(snippet)
    assert [t for t, _ in parsed.tags] == ["script", "noscript", "img"]
    (script,) = parsed.scripts
    assert '"https://s.pinimg.com/ct/core.js"' in script and "window.pintrk" in script
    hashed = hash_user_data({"em": "Buyer@Example.com"})["em"][0]
    assert f'pintrk(\'load\',"{TAG_ID}",{{"em":"{hashed}"}});' in script
    assert "pintrk('page');" in script
    name, data = track_data(script)
    assert name == "checkout"
    assert data == {
        "event_id": event_id,
        "value": 19.99,
        "currency": "USD",
        "order_quantity": 2,
        "order_id": "order-1234",
        "line_items": [{"product_id": "sku-1", "product_price": 9.995, "product_quantity": 2}],
    }
    assert '"value":19.99' in script  # money as written, not through a float
    query = pixel_query(parsed)
    assert query["event"] == "checkout" and query["tid"] == TAG_ID
    assert query["ed[event_id]"] == event_id and query["ed[value]"] == "19.99"
    assert query["ed[line_items][0][product_id]"] == "sku-1"
    assert query["pd[em]"] == hashed and query["noscript"] == "1"
    assert "Buyer@Example.com".lower() not in snippet.lower()


def test_every_api_event_name_has_its_tag_name() -> None:
    assert set(TAG_EVENT_NAMES) == EVENT_NAMES
    assert TAG_EVENT_NAMES["add_to_cart"] == "addtocart"
    assert TAG_EVENT_NAMES["page_visit"] == "pagevisit"
    assert TAG_EVENT_NAMES["view_category"] == "viewcategory"
    assert TAG_EVENT_NAMES["watch_video"] == "watchvideo"
    for api_name, tag_name in TAG_EVENT_NAMES.items():
        assert re.fullmatch(r"[a-z]+", tag_name)
        name, _ = track_data(parse(tag_event(TAG_ID, api_name, event_id="e1")).scripts[0])
        assert name == tag_name


def test_without_the_base_code() -> None:
    snippet = tag_event(TAG_ID, "add_to_cart", event_id="e-1", base_code=False, nonce="r4nd0m==")
    parsed = parse(snippet)
    assert parsed.tags[0] == ("script", {"nonce": "r4nd0m=="})
    assert "core.js" not in snippet and "pintrk('load'" not in snippet
    assert track_data(parsed.scripts[0]) == ("addtocart", {"event_id": "e-1"})


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_stay_data(hostile: str) -> None:
    snippet = tag_event(
        TAG_ID,
        "custom",
        event_id=hostile,
        currency=hostile,
        order_id=hostile,
        line_items=[{"product_name": hostile, "product_category": hostile}],
        event_data={"custom_event_name": hostile},
    )
    # nothing can end the script early, open a comment, or add an element
    script_body = snippet.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert "<" not in script_body and ">" not in script_body and "&" not in script_body
    assert "\u2028" not in snippet and "\u2029" not in snippet
    parsed = parse(snippet)
    assert [t for t, _ in parsed.tags] == ["script", "noscript", "img"]
    (img_attrs,) = [attrs for tag, attrs in parsed.tags if tag == "img"]
    assert set(img_attrs) == {"height", "width", "style", "alt", "src"}
    # every value reads back as it was given, in the JavaScript and in the pixel's query
    _, data = track_data(parsed.scripts[0])
    assert data["event_id"] == data["currency"] == data["order_id"] == hostile
    assert data["custom_event_name"] == hostile
    assert data["line_items"] == [{"product_name": hostile, "product_category": hostile}]
    query = pixel_query(parsed)
    assert query["ed[event_id]"] == hostile and query["ed[order_id]"] == hostile
    assert query["ed[line_items][0][product_name]"] == hostile
    assert query["event"] == "custom" and query["tid"] == TAG_ID
    # the src attribute is HTML-escaped: no raw quote or ampersand between its quotes
    src_raw = re.search(r'src="([^"]*)"', snippet)
    assert src_raw and html.unescape(src_raw.group(1)) == img_attrs["src"]
    assert "&" not in src_raw.group(1).replace("&amp;", "")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tag_id": "12<script>"}, "tag_id"),
        ({"event_name": "purchase"}, "unknown event_name"),
        ({"event_id": ""}, "event_id"),
        ({"nonce": 'x" onload="alert(1)'}, "nonce"),
        ({"value": float("nan")}, "finite"),
        ({"value": True}, "number"),
        ({"order_quantity": 1.5}, "integer"),
        ({"event_data": {"event_id": "other"}}, "own argument"),
        ({"line_items": [{"product_name": object()}]}, "text or a number"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], match: str) -> None:
    arguments: dict[str, object] = {"tag_id": TAG_ID, "event_name": "checkout", "event_id": "e"}
    arguments.update(kwargs)
    with pytest.raises(pinkit.InvalidInputError, match=match):
        tag_event(**arguments)  # type: ignore[arg-type]


def test_importing_the_tag_needs_no_database_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from pinkit.web import tag_event; tag_event('1', 'lead', event_id='e'); "
        "assert 'sqlalchemy' not in sys.modules and 'cryptography' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
