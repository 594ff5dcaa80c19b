"""Boards and board sections (tag ``boards``): create, list (privacy filter), get, update, delete
(cascades to the board's sections and pins), the board's pins, and section CRUD with their pins.

A board is a ``board`` document owned by its user; a section is a ``board_section`` document
whose ``parent`` is its board; pins point at both (see ``routes/pins.py``), so counts are
indexed ``COUNT``s and always true.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .._errors import ApiError
from .._params import paginate_docs, paginate_raw
from .._registry import Context, Reply, handler
from .._store import Doc, Tx
from ._common import (
    BOARD,
    PIN,
    SECTION,
    body_object,
    created,
    invalid,
    iso,
    load_board,
    load_section,
    username_of,
)

__all__ = ["create_board", "render_board"]

PRIVACIES = ("PUBLIC", "PROTECTED", "SECRET")
UPDATE_PRIVACIES = ("PUBLIC", "SECRET")
AD_ONLY_NAME = "Ad-only Pins"


def create_board(
    tx: Tx,
    owner: str,
    now: float,
    *,
    name: str,
    description: str | None = None,
    privacy: str = "PUBLIC",
    is_ads_only: bool = False,
) -> Doc:
    board_id = tx.new_id()
    data: dict[str, Any] = {
        "id": board_id,
        "name": name,
        **({"description": description} if description is not None else {}),
        "privacy": privacy,
        "is_ads_only": is_ads_only,
        "created_at": iso(now),
        "board_pins_modified_at": iso(now),
    }
    tx.insert(BOARD, data, owner=owner, id=board_id)
    doc = tx.get_doc(BOARD, board_id)
    assert doc is not None
    return doc


def render_board(tx: Tx, doc: Doc, users: dict[str, str] | None = None) -> dict[str, Any]:
    board = dict(doc.data)
    board["owner"] = {"username": username_of(tx, doc.owner, users)}
    board["pin_count"] = tx.count(PIN, parent=doc.id)
    board["follower_count"] = 0
    board["collaborator_count"] = 0
    thumbnails = [_thumbnail(pin.data) for pin in tx.list(PIN, parent=doc.id, limit=4)]
    thumbnails = [t for t in thumbnails if t]
    board["media"] = {
        "image_cover_url": thumbnails[0] if thumbnails else None,
        "pin_thumbnail_urls": thumbnails,
    }
    return board


def _thumbnail(pin: dict[str, Any]) -> str | None:
    media = pin.get("media") or {}
    images = media.get("images")
    if images is None and media.get("items"):
        images = media["items"][0].get("images")
    if not images:
        return None
    url = images.get("150x150", {}).get("url")
    return None if url is None else str(url)


def _name(value: Any, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise invalid("name is required and must be a non-empty string.")
    return value


# -- boards -----------------------------------------------------------------------------------
@handler("boards/create")
def create(ctx: Context) -> Reply:
    body = body_object(ctx)
    name = _name(body.get("name"), required=True)
    assert name is not None
    privacy = body.get("privacy", "PUBLIC")
    is_ads_only = body.get("is_ads_only", False)
    if is_ads_only:  # the spec: ad-only boards become PROTECTED and are named "Ad-only Pins"
        privacy, name = "PROTECTED", AD_ONLY_NAME
    doc = create_board(
        ctx.tx,
        ctx.user_id,
        ctx.now,
        name=name,
        description=body.get("description"),
        privacy=privacy,
        is_ads_only=is_ads_only,
    )
    return created(render_board(ctx.tx, doc))


@handler("boards/list")
def list_boards(ctx: Context) -> Reply:
    wanted = ctx.arg("privacy", "ALL")
    allowed = {
        "ALL": PRIVACIES,
        "PUBLIC_AND_SECRET": ("PUBLIC", "SECRET"),
    }.get(wanted or "ALL", (wanted,))
    users: dict[str, str] = {}
    return paginate_docs(
        ctx,
        BOARD,
        owner=ctx.user_id,
        keep=lambda doc: doc.data.get("privacy") in allowed,
        render=lambda doc: render_board(ctx.tx, doc, users),
    )


@handler("boards/get")
def get(ctx: Context) -> Reply:
    return render_board(ctx.tx, load_board(ctx, ctx.path_params["board_id"]))


@handler("boards/update")
def update(ctx: Context) -> Reply:
    doc = load_board(ctx, ctx.path_params["board_id"], write=True)
    body = body_object(ctx)
    data = dict(doc.data)
    if "name" in body:
        data["name"] = _name(body["name"], required=True)
    if "description" in body:
        data["description"] = body["description"]
        if data["description"] is None:
            del data["description"]
    if "privacy" in body:
        data["privacy"] = body["privacy"]
    ctx.tx.put(BOARD, doc.id, data, owner=doc.owner)
    updated = ctx.tx.get_doc(BOARD, doc.id)
    assert updated is not None
    board = render_board(ctx.tx, updated)
    if board.get("privacy") not in UPDATE_PRIVACIES:
        # BoardWithUpdatePrivacy cannot say PROTECTED (ad-only boards): leave it out.
        board.pop("privacy", None)
    return board


@handler("boards/delete")
def delete(ctx: Context) -> Reply:
    doc = load_board(ctx, ctx.path_params["board_id"], write=True)
    ctx.tx.delete_all(PIN, parent=doc.id)
    ctx.tx.delete_all(SECTION, parent=doc.id)
    ctx.tx.delete(BOARD, doc.id)
    return Response(status_code=204)


@handler("boards/list_pins")
def list_pins(ctx: Context) -> Reply:
    from .pins import creative_types_filter, pin_json_renderer

    doc = load_board(ctx, ctx.path_params["board_id"])
    keep = creative_types_filter(ctx)
    return paginate_raw(ctx, PIN, parent=doc.id, keep=keep, render_json=pin_json_renderer(ctx))


# -- sections ---------------------------------------------------------------------------------
def _section_name(ctx: Context, board: Doc, body: dict[str, Any], *, except_id: str = "") -> str:
    name = str(body["name"])  # required, 1 to 180 characters: checked against the spec
    if not name.strip():
        raise ApiError(400, "Invalid board section parameters.", code=400)
    folded = name.strip().casefold()
    for other in ctx.tx.list(SECTION, parent=board.id):
        if other.id != except_id and str(other.data["name"]).strip().casefold() == folded:
            raise ApiError(
                409, f"Board section conflict: this board already has a section named {name!r}."
            )
    return name


def _board_for_section_write(ctx: Context, action: str) -> Doc:
    board = load_board(ctx, ctx.path_params["board_id"])
    if board.owner != ctx.user_id:
        raise ApiError(403, f"Not authorized to {action}.", code=403)
    return board


@handler("board_sections/create")
def create_section(ctx: Context) -> Reply:
    board = _board_for_section_write(ctx, "create board sections")
    name = _section_name(ctx, board, body_object(ctx))
    section_id = ctx.tx.new_id()
    section = {"id": section_id, "name": name}
    ctx.tx.insert(SECTION, section, owner=board.owner, id=section_id, parent=board.id)
    return created(section)


@handler("board_sections/list")
def list_sections(ctx: Context) -> Reply:
    board = load_board(ctx, ctx.path_params["board_id"])
    return paginate_docs(ctx, SECTION, parent=board.id)


@handler("board_sections/update")
def update_section(ctx: Context) -> Reply:
    board = _board_for_section_write(ctx, "update board section")
    section = load_section(ctx, board, ctx.path_params["section_id"])
    name = _section_name(ctx, board, body_object(ctx), except_id=section.id)
    data = dict(section.data, name=name)
    ctx.tx.put(SECTION, section.id, data, owner=section.owner, parent=board.id)
    return data


@handler("board_sections/delete")
def delete_section(ctx: Context) -> Reply:
    board = _board_for_section_write(ctx, "delete board section")
    section = load_section(ctx, board, ctx.path_params["section_id"])
    ctx.tx.set_refs(PIN, where_parent2=section.id, parent2=None)  # its pins stay on the board
    ctx.tx.delete(SECTION, section.id)
    return Response(status_code=204)


@handler("board_sections/list_pins")
def list_section_pins(ctx: Context) -> Reply:
    from .pins import pin_json_renderer

    board = load_board(ctx, ctx.path_params["board_id"])
    section = load_section(ctx, board, ctx.path_params["section_id"])
    return paginate_raw(ctx, PIN, parent2=section.id, render_json=pin_json_renderer(ctx))
