"""Pins (tag ``pins``, without the two analytics operations): create from every ``media_source``
type, get, list, update (move between boards and sections), delete, save.

A pin is a ``pin`` document owned by its board's owner, with ``parent`` = board and ``parent2`` =
board section (indexed columns, not JSON), so board and section pin lists are keyset range
scans and moving a pin or deleting a section touches no JSON. ``board_id`` and
``board_section_id`` are rendered from those columns.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from .. import _seed
from .._errors import ApiError
from .._params import bool_arg, paginate_raw
from .._registry import Context, Reply, handler
from .._store import ID_BASE, Doc, Tx
from ._common import (
    BOARD,
    CODE_INVALID,
    CODE_NOT_PERMITTED,
    CODE_PIN_NOT_FOUND,
    IMAGE,
    INVALID_URL,
    MEDIA,
    NOT_PERMITTED,
    PIN,
    SECTION,
    body_object,
    can_read_board,
    created,
    invalid,
    is_numeric_id,
    iso,
    load_board,
    load_section,
    touch_board,
    username_of,
    valid_url,
)

__all__ = ["creative_types_filter", "pin_json_renderer", "pin_renderer", "seed_pins"]

TEXT_FIELDS = ("title", "description", "alt_text")
CONTENT_TYPES = {"image/jpeg": (b"\xff\xd8\xff", "jpg"), "image/png": (b"\x89PNG\r\n\x1a\n", "png")}
CONTENT_FIELDS = (
    "title",
    "description",
    "link",
    "alt_text",
    "dominant_color",
    "creative_type",
    "media",
    "is_standard",
)
_B64 = re.compile(r"^[A-Za-z0-9+/=]+$")
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
#: A 1x1 PNG: the "scraped" image of a pin_url pin.
_PLACEHOLDER_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


# -- rendering --------------------------------------------------------------------------------
def pin_renderer(ctx: Context) -> Callable[[Doc], dict[str, Any]]:
    """Render pin documents for this caller (board owners' usernames cached per request)."""
    users: dict[str, str] = {}

    def render(doc: Doc) -> dict[str, Any]:
        pin = dict(doc.data)
        pin["board_id"] = doc.parent
        if doc.parent2 is not None:
            pin["board_section_id"] = doc.parent2
        pin["board_owner"] = {"username": username_of(ctx.tx, doc.owner, users)}
        pin["is_owner"] = doc.owner == ctx.user_id
        return pin

    return render


def pin_json_renderer(ctx: Context) -> Callable[[Doc], str]:
    """:func:`pin_renderer` as JSON text spliced onto the stored text (no decode, no encode):
    the fields that live in columns go in front of the stored object's own fields."""
    owners: dict[str | None, str] = {}  # owner -> its JSON text, computed once per request

    def render(doc: Doc) -> str:
        owner = owners.get(doc.owner)
        if owner is None:
            name = json.dumps(username_of(ctx.tx, doc.owner))
            mine = "true" if doc.owner == ctx.user_id else "false"
            owner = owners[doc.owner] = f'"board_owner":{{"username":{name}}},"is_owner":{mine},'
        # IDs are digit strings (no escaping needed); a pin always has a board.
        section = "" if doc.parent2 is None else f'"board_section_id":"{doc.parent2}",'
        return f'{{"board_id":"{doc.parent}",{section}{owner}{doc.text[1:]}'

    return render


def image_sizes(url: str) -> dict[str, Any]:
    """``ImageSize``: every size points at ``url`` (heights of the width-only sizes unknown)."""
    return {
        "150x150": {"width": 150, "height": 150, "url": url},
        "400x300": {"width": 400, "height": 300, "url": url},
        "600x": {"width": 600, "height": None, "url": url},
        "1200x": {"width": 1200, "height": None, "url": url},
    }


def _dominant_color(seed: str) -> str:
    return "#" + hashlib.sha256(seed.encode()).hexdigest()[:6].upper()


# -- validation -------------------------------------------------------------------------------
def _text_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The text fields present in ``body`` (None clears a field); types and lengths are checked
    against the spec before the handler runs, the link's being a URL here."""
    out: dict[str, Any] = {name: body[name] for name in TEXT_FIELDS if name in body}
    if "link" in body:
        link = body["link"]
        if link is not None and not valid_url(link):
            raise ApiError(400, INVALID_URL, code=CODE_INVALID)
        out["link"] = link
    return out


def _url(value: Any, field: str) -> str:
    if not valid_url(value):
        raise ApiError(400, f"{INVALID_URL} ({field})", code=CODE_INVALID)
    return str(value)


def _stored_image(ctx: Context, content_type: Any, data: Any, field: str) -> str:
    """Validate a base64 JPEG/PNG, keep it in the store, return its emulator-hosted URL."""
    if content_type not in CONTENT_TYPES:
        raise invalid(f"{field}: content_type must be image/jpeg or image/png.")
    if not isinstance(data, str) or not _B64.match(data):
        raise invalid(f"{field}: data must be base64.")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"{field}: data is not valid base64.") from None
    magic, ext = CONTENT_TYPES[content_type]
    if not raw.startswith(magic):
        raise invalid(f"{field}: data is not a {content_type} image.")
    return _keep_image(ctx, raw, content_type, ext)


def _keep_image(ctx: Context, raw: bytes, content_type: str, ext: str) -> str:
    name = f"{hashlib.sha256(raw).hexdigest()[:32]}.{ext}"
    if ctx.tx.get_doc(IMAGE, name) is None:
        encoded = base64.b64encode(raw).decode("ascii")
        ctx.tx.insert(IMAGE, {"content_type": content_type, "data": encoded}, id=name)
    return f"{ctx.origin}/_emulator/images/{name}"


def _media(ctx: Context, source: Any, link: str | None) -> tuple[dict[str, Any], str]:
    """``(PinMedia, creative_type)`` for a ``media_source``; 400 for anything invalid."""
    if not isinstance(source, dict):
        raise invalid("media_source is required.")
    kind = source.get("source_type")
    if kind == "image_url":
        return {"media_type": "image", "images": image_sizes(_url(source.get("url"), "url"))}, (
            "REGULAR"
        )
    if kind == "image_base64":
        url = _stored_image(ctx, source.get("content_type"), source.get("data"), "media_source")
        return {"media_type": "image", "images": image_sizes(url)}, "REGULAR"
    if kind in ("multiple_image_urls", "multiple_image_base64"):
        return _carousel(ctx, kind, source), "CAROUSEL"
    if kind == "video_id":
        return _video(ctx, source), "VIDEO"
    if kind == "pin_url":
        if link is None:
            raise invalid("a pin_url media source needs the pin's link.")
        url = _keep_image(ctx, _PLACEHOLDER_PNG, "image/png", "png")
        return {"media_type": "image", "images": image_sizes(url)}, "REGULAR"
    # The spec's other source types are refused before the handler; a new one lands here.
    raise invalid(f"media_source.source_type {kind!r} is not supported by the emulator.")


def _carousel(ctx: Context, kind: str, source: dict[str, Any]) -> dict[str, Any]:
    items = source["items"]  # 2 to 5 objects: checked against the spec
    index = source.get("index")
    if index is not None and index >= len(items):
        raise invalid("media_source.index must point at one of the items.")
    out = []
    for n, item in enumerate(items):
        field = f"media_source.items[{n}]"
        if kind == "multiple_image_urls":
            url = _url(item.get("url"), f"{field}.url")
        else:
            url = _stored_image(ctx, item.get("content_type"), item.get("data"), field)
        entry: dict[str, Any] = {"item_type": "image", "images": image_sizes(url)}
        for name in ("title", "description", "link"):
            if item.get(name) is not None:
                if name == "link":
                    _url(item[name], f"{field}.link")
                entry[name] = item[name]
        out.append(entry)
    return {"media_type": "multiple_images", "items": out}


def _video(ctx: Context, source: dict[str, Any]) -> dict[str, Any]:
    from .media import media_status

    media_id = source.get("media_id")
    doc = ctx.tx.get_doc(MEDIA, media_id) if is_numeric_id(media_id) else None
    if doc is None or doc.owner != ctx.user_id:
        raise invalid("media_source.media_id is not a media upload of this user.")
    status = media_status(doc.data, ctx.now)
    if status != "succeeded":
        raise invalid(f"the video upload {media_id} is {status}, not succeeded.")
    if source.get("cover_image_url") is not None:
        cover = _url(source["cover_image_url"], "media_source.cover_image_url")
    elif source.get("cover_image_data") is not None:
        cover = _stored_image(
            ctx, source.get("cover_image_content_type"), source["cover_image_data"], "cover image"
        )
    elif source.get("cover_image_key_frame_time") is not None:
        cover = _keep_image(ctx, _PLACEHOLDER_PNG, "image/png", "png")  # "the key frame"
    else:
        raise invalid(
            "a video pin needs a cover: cover_image_url, cover_image_data with "
            "cover_image_content_type, or cover_image_key_frame_time."
        )
    # duration, height, width and video_url are left out: the emulator does not decode videos.
    return {"media_type": "video", "cover_image_url": cover, "images": image_sizes(cover)}


def _section_of(ctx: Context, board: Doc, section_id: Any) -> str | None:
    if section_id is None:
        return None
    return load_section(ctx, board, section_id).id


def _load_pin(ctx: Context, *, write: bool = False) -> tuple[Doc, Doc]:
    """The path's pin and its board: 404 code 50 if the caller cannot see it, 403 to write
    someone else's."""
    pin_id = ctx.path_params["pin_id"]
    doc = ctx.tx.get_doc(PIN, pin_id) if is_numeric_id(pin_id) else None
    board = ctx.tx.get_doc(BOARD, doc.parent) if doc is not None and doc.parent else None
    if doc is None or board is None or not can_read_board(ctx, board):
        raise ApiError(404, "Pin not found.", code=CODE_PIN_NOT_FOUND)
    if write and doc.owner != ctx.user_id:
        raise ApiError(403, NOT_PERMITTED, code=CODE_NOT_PERMITTED)
    return doc, board


def _rendered(ctx: Context, pin_id: str) -> dict[str, Any]:
    doc = ctx.tx.get_doc(PIN, pin_id)
    assert doc is not None
    return pin_renderer(ctx)(doc)


# -- handlers ---------------------------------------------------------------------------------
@handler("pins/create")
def create(ctx: Context) -> Reply:
    body = body_object(ctx)
    fields = _text_fields(body)
    if "board_id" not in body or body["board_id"] is None:
        raise invalid("board_id is required.")
    board = load_board(ctx, body["board_id"], write=True)
    section = _section_of(ctx, board, body.get("board_section_id"))
    media, creative_type = _media(ctx, body.get("media_source"), fields.get("link"))
    color = body.get("dominant_color")
    if color is not None and (not isinstance(color, str) or not _COLOR.match(color)):
        raise invalid("dominant_color must be a hex color such as #6E7874.")
    pin_id = ctx.tx.new_id()
    data: dict[str, Any] = {
        "id": pin_id,
        "created_at": iso(ctx.now),
        **{k: v for k, v in fields.items() if v is not None},
        "creative_type": creative_type,
        "media": media,
        "dominant_color": color or _dominant_color(json.dumps(media, sort_keys=True)),
        "is_standard": bool((body.get("media_source") or {}).get("is_standard", True)),
        "has_been_promoted": False,
    }
    if body.get("parent_pin_id") is not None:
        data["parent_pin_id"] = body["parent_pin_id"]
    ctx.tx.insert(PIN, data, owner=board.owner, id=pin_id, parent=board.id, parent2=section)
    touch_board(ctx.tx, board.id, ctx.now)
    return created(_rendered(ctx, pin_id))


@handler("pins/get")
def get(ctx: Context) -> Reply:
    doc, _ = _load_pin(ctx)
    return pin_renderer(ctx)(doc)


def creative_types_filter(ctx: Context) -> Callable[[Doc], bool] | None:
    """``creative_types`` (repeated or comma-separated) as a ``keep`` function."""
    raw = [v for value in ctx.query.get("creative_types", []) for v in value.split(",") if v]
    if not raw:
        return None
    wanted = set(raw)
    return lambda doc: doc.data.get("creative_type") in wanted


@handler("pins/list")
def list_pins(ctx: Context) -> Reply:
    pin_filter = ctx.arg("pin_filter")
    protected = bool_arg(ctx, "include_protected_pins", False)
    pin_type = ctx.arg("pin_type")
    by_type = creative_types_filter(ctx)
    if pin_filter == "has_been_promoted":  # nothing in the emulator has been promoted
        return {"items": [], "bookmark": None}
    privacy: dict[str, str] = {}

    def board_privacy(board_id: str | None) -> str:
        if board_id is None:
            return ""
        if board_id not in privacy:
            board = ctx.tx.get(BOARD, board_id)
            privacy[board_id] = str(board.get("privacy", "")) if board else ""
        return privacy[board_id]

    def keep(doc: Doc) -> bool:
        board = board_privacy(doc.parent)
        if board == "PROTECTED" and not protected:
            return False
        if pin_type == "PRIVATE" and board != "SECRET":
            return False
        if pin_filter == "exclude_repins" and doc.data.get("parent_pin_id"):
            return False
        if pin_filter == "exclude_native" and not doc.data.get("parent_pin_id"):
            return False
        return by_type is None or by_type(doc)

    return paginate_raw(ctx, PIN, owner=ctx.user_id, keep=keep, render_json=pin_json_renderer(ctx))


@handler("pins/update")
def update(ctx: Context) -> Reply:
    doc, board = _load_pin(ctx, write=True)
    body = body_object(ctx)
    fields = _text_fields(body)
    section = doc.parent2
    if body.get("board_id") is not None and body["board_id"] != board.id:
        board = load_board(ctx, body["board_id"], write=True)
        section = None  # the old section belongs to the old board
    if "board_section_id" in body:
        section = _section_of(ctx, board, body["board_section_id"])
    # Absent fields are left out of answers: None clears a field by removing it.
    data = {k: v for k, v in dict(doc.data, **fields).items() if v is not None}
    slots = body.get("carousel_slots")
    if slots is not None:
        _apply_carousel_slots(data, slots)
    ctx.tx.put(PIN, doc.id, data, owner=board.owner, parent=board.id, parent2=section)
    if doc.parent != board.id:
        touch_board(ctx.tx, doc.parent, ctx.now)
    touch_board(ctx.tx, board.id, ctx.now)
    return _rendered(ctx, doc.id)


def _apply_carousel_slots(data: dict[str, Any], slots: Any) -> None:
    items = (data.get("media") or {}).get("items")
    if not items or len(slots) > len(items):
        raise invalid("carousel_slots must be a list with at most one slot per carousel image.")
    media = dict(data["media"])
    media["items"] = [dict(item) for item in items]
    for n, slot in enumerate(slots):
        for name in ("title", "description", "link"):
            if isinstance(slot.get(name), str):
                media["items"][n][name] = slot[name]
    data["media"] = media


@handler("pins/delete")
def delete(ctx: Context) -> Reply:
    doc, board = _load_pin(ctx, write=True)
    ctx.tx.delete(PIN, doc.id)
    touch_board(ctx.tx, board.id, ctx.now)
    return Response(status_code=204)


@handler("pins/save")
def save(ctx: Context) -> Reply:
    source, _ = _load_pin(ctx)
    body = body_object(ctx)
    board_id, section_id = body.get("board_id"), body.get("board_section_id")
    if board_id is None and section_id is None:
        raise invalid("board_id or board_section_id is required.")
    if board_id is not None:
        board = load_board(ctx, board_id, write=True)
        section = _section_of(ctx, board, section_id)
    else:
        found = ctx.tx.get_doc(SECTION, section_id) if is_numeric_id(section_id) else None
        if found is None or found.parent is None:
            raise ApiError(404, "Sorry! We couldn't find this board section.", code=2031)
        board = load_board(ctx, found.parent, write=True)
        section = found.id
    pin_id = ctx.tx.new_id()
    data: dict[str, Any] = {
        "id": pin_id,
        "created_at": iso(ctx.now),
        **{k: source.data[k] for k in CONTENT_FIELDS if k in source.data},
        "parent_pin_id": source.id,
        "has_been_promoted": False,
    }
    ctx.tx.insert(PIN, data, owner=board.owner, id=pin_id, parent=board.id, parent2=section)
    touch_board(ctx.tx, board.id, ctx.now)
    return created(_rendered(ctx, pin_id))


# -- bulk seeding (test control) ----------------------------------------------------------------
def seed_pins(tx: Tx, user_id: str, now: float, count: int, board_id: str | None) -> str:
    """Add ``count`` image pins to ``board_id`` (a new board of ``user_id`` when None) in one
    ``executemany``; returns the board's ID."""
    from .boards import create_board

    if count < 0:
        raise ValueError("count must be >= 0")
    if board_id is None:
        board = create_board(tx, user_id, now, name="Seeded pins", description=None)
    else:
        found = tx.get_doc(BOARD, board_id)
        if found is None:
            raise ValueError(f"no board {board_id}")
        board = found
    first = tx.reserve_seqs(count)
    owner, parent = board.owner, board.id
    # One JSON template, filled by string formatting: json.dumps per pin would dominate.
    template = json.dumps(
        {
            "alt_text": None,
            "created_at": iso(now),
            "creative_type": "REGULAR",
            "description": None,
            "dominant_color": "#COLOR_",
            "has_been_promoted": False,
            "id": "PIN_ID_",
            "is_standard": True,
            "link": None,
            "media": {
                "images": image_sizes("https://images.emulator.example/seed/PIN_ID_.jpg"),
                "media_type": "image",
            },
            "parent_pin_id": None,
            "title": "Seeded pin NUMBER_",
        },
        separators=(",", ":"),
    )
    template = template.replace("{", "{{").replace("}", "}}")
    template = template.replace("PIN_ID_", "{pin_id}").replace("COLOR_", "{color:06X}")
    template = template.replace("NUMBER_", "{number}")
    rows = ((PIN, str(ID_BASE + seq), owner, seq, parent) for seq in range(first, first + count))
    tx.insert_many(
        (
            kind,
            pin_id,
            own,
            seq,
            template.format(pin_id=pin_id, color=seq % 0xFFFFFF, number=seq - first + 1),
            par,
        )
        for kind, pin_id, own, seq, par in rows
    )
    touch_board(tx, board.id, now)
    return board.id


def user_exists(tx: Tx, user_id: str) -> bool:
    return tx.get(_seed.USER, user_id) is not None
