"""Boards and board sections (tag ``boards``): create, list (privacy filter), get, update,
delete (with the board's sections and pins), the board's pins, and section CRUD with their pins.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..._common import created
from ..._params import paginate, paginate_raw
from ..._registry import Context, Handler, Reply
from ..._store import Doc
from ..pins.rules import PinRules
from ..user_account.rules import UserRules
from .rules import BoardRules

__all__ = ["HANDLERS", "render_board"]


def render_board(ctx: Context, doc: Doc, users: dict[str, str] | None = None) -> dict[str, Any]:
    """A ``Board``: the stored board, its owner's name and what its pins say (true counts)."""
    board = dict(doc.data)
    board["owner"] = {"username": ctx.rules(UserRules).username_of(doc.owner, users)}
    board.update(ctx.rules(PinRules).board_summary(doc.id))
    board["follower_count"] = 0
    board["collaborator_count"] = 0
    return board


def create(ctx: Context) -> Reply:
    body = ctx.json() or {}
    doc = ctx.rules(BoardRules).create(
        ctx.user_id,
        name=str(body.get("name") or ""),
        description=body.get("description"),
        privacy=body.get("privacy", "PUBLIC"),
        is_ads_only=bool(body.get("is_ads_only", False)),
    )
    return created(render_board(ctx, doc))


def list_boards(ctx: Context) -> Reply:
    users: dict[str, str] = {}
    listing = ctx.rules(BoardRules).of_user(ctx.user_id, ctx.arg("privacy") or "ALL")
    return paginate(ctx, listing, lambda doc: render_board(ctx, doc, users))


def get(ctx: Context) -> Reply:
    return render_board(
        ctx, ctx.rules(BoardRules).visible(ctx.user_id, ctx.path_params["board_id"])
    )


def update(ctx: Context) -> Reply:
    boards = ctx.rules(BoardRules)
    doc = boards.visible(ctx.user_id, ctx.path_params["board_id"], write=True)
    board = render_board(ctx, boards.update(doc, ctx.json() or {}))
    if board.get("privacy") not in ("PUBLIC", "SECRET"):
        # BoardWithUpdatePrivacy cannot say PROTECTED (ad-only boards): leave it out.
        board.pop("privacy", None)
    return board


def delete(ctx: Context) -> Reply:
    boards = ctx.rules(BoardRules)
    doc = boards.visible(ctx.user_id, ctx.path_params["board_id"], write=True)
    ctx.rules(PinRules).delete_on_board(doc.id)
    boards.delete(doc)
    return Response(status_code=204)


def list_pins(ctx: Context) -> Reply:
    doc = ctx.rules(BoardRules).visible(ctx.user_id, ctx.path_params["board_id"])
    pins = ctx.rules(PinRules)
    listing = pins.on_board(doc.id, ctx.args("creative_types"))
    return paginate_raw(ctx, listing, pins.json_renderer(ctx.user_id))


def create_section(ctx: Context) -> Reply:
    boards = ctx.rules(BoardRules)
    board = boards.for_section_write(
        ctx.user_id, ctx.path_params["board_id"], "create board sections"
    )
    return created(boards.create_section(board, (ctx.json() or {}).get("name")))


def list_sections(ctx: Context) -> Reply:
    boards = ctx.rules(BoardRules)
    return paginate(ctx, boards.sections(boards.visible(ctx.user_id, ctx.path_params["board_id"])))


def update_section(ctx: Context) -> Reply:
    boards = ctx.rules(BoardRules)
    board = boards.for_section_write(
        ctx.user_id, ctx.path_params["board_id"], "update board section"
    )
    section = boards.section(board, ctx.path_params["section_id"])
    return boards.rename_section(board, section, (ctx.json() or {}).get("name"))


def delete_section(ctx: Context) -> Reply:
    boards = ctx.rules(BoardRules)
    board = boards.for_section_write(
        ctx.user_id, ctx.path_params["board_id"], "delete board section"
    )
    section = boards.section(board, ctx.path_params["section_id"])
    ctx.rules(PinRules).take_out_of_section(section.id)  # its pins stay on the board
    boards.delete_section(section)
    return Response(status_code=204)


def list_section_pins(ctx: Context) -> Reply:
    boards, pins = ctx.rules(BoardRules), ctx.rules(PinRules)
    board = boards.visible(ctx.user_id, ctx.path_params["board_id"])
    section = boards.section(board, ctx.path_params["section_id"])
    return paginate_raw(ctx, pins.in_section(section.id), pins.json_renderer(ctx.user_id))


HANDLERS = [
    Handler("boards/create", create),
    Handler("boards/list", list_boards),
    Handler("boards/get", get),
    Handler("boards/update", update),
    Handler("boards/delete", delete),
    Handler("boards/list_pins", list_pins),
    Handler("board_sections/create", create_section),
    Handler("board_sections/list", list_sections),
    Handler("board_sections/update", update_section),
    Handler("board_sections/delete", delete_section),
    Handler("board_sections/list_pins", list_section_pins),
]
