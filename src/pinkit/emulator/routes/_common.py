"""Helpers shared by the boards, pins and media routes: kinds, timestamps, access rules.

Access rules (Pinterest's, simplified): a user reads their own boards and pins and the PUBLIC
boards of others (and the pins on them); a SECRET or PROTECTED board of someone else does not
exist for the caller (404). Writing to something you can see but do not own is a 403.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from starlette.responses import JSONResponse

from .. import _seed
from .._errors import ApiError
from .._registry import Context
from .._store import Doc, Tx

__all__ = [
    "BOARD",
    "IMAGE",
    "MEDIA",
    "PIN",
    "SECTION",
    "body_object",
    "can_read_board",
    "created",
    "iso",
    "load_board",
    "load_section",
    "touch_board",
    "username_of",
]

BOARD, SECTION, PIN, MEDIA, IMAGE = "board", "board_section", "pin", "media", "image"

NOT_PERMITTED = "You are not permitted to access that resource."
BOARD_NOT_FOUND = "Board not found."
SECTION_NOT_FOUND = "Sorry! We couldn't find this board section."
INVALID_URL = (
    "Whoops! It looks like you entered an invalid URL. Try creating a Pin again with a valid URL."
)
CODE_BOARD_NOT_FOUND, CODE_PIN_NOT_FOUND, CODE_SECTION_NOT_FOUND = 40, 50, 2031
CODE_NOT_PERMITTED, CODE_INVALID = 29, 1

_DIGITS = re.compile(r"[0-9]+")  # with fullmatch: ASCII digits only, no trailing newline


def iso(epoch: float) -> str:
    """Pinterest's pin and board timestamps: naive UTC ISO 8601, whole seconds."""
    return datetime.fromtimestamp(int(epoch), timezone.utc).replace(tzinfo=None).isoformat()


def created(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse(data, status_code=201)


def is_numeric_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and _DIGITS.fullmatch(value) is not None


def body_object(ctx: Context) -> dict[str, Any]:
    body = ctx.json()
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid request body: expected a JSON object.", code=CODE_INVALID)
    return body


def invalid(message: str) -> ApiError:
    return ApiError(400, f"Invalid parameters: {message}", code=CODE_INVALID)


def valid_url(value: Any, *, max_length: int = 2048) -> bool:
    if not isinstance(value, str) or not value or len(value) > max_length:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


def username_of(tx: Tx, user_id: str | None, cache: dict[str, str] | None = None) -> str:
    if user_id is None:
        return ""
    if cache is not None and user_id in cache:
        return cache[user_id]
    user = tx.get(_seed.USER, user_id)
    name = str(user["username"]) if user else ""
    if cache is not None:
        cache[user_id] = name
    return name


def can_read_board(ctx: Context, board: Doc) -> bool:
    return board.owner == ctx.user_id or board.data.get("privacy") == "PUBLIC"


def load_board(ctx: Context, board_id: Any, *, write: bool = False) -> Doc:
    """The board ``board_id`` if the caller may see it (404 code 40 otherwise) and, with
    ``write``, owns it (403 code 29 otherwise)."""
    doc = ctx.tx.get_doc(BOARD, board_id) if is_numeric_id(board_id) else None
    if doc is None or not can_read_board(ctx, doc):
        raise ApiError(404, BOARD_NOT_FOUND, code=CODE_BOARD_NOT_FOUND)
    if write and doc.owner != ctx.user_id:
        raise ApiError(403, NOT_PERMITTED, code=CODE_NOT_PERMITTED)
    return doc


def load_section(ctx: Context, board: Doc, section_id: Any) -> Doc:
    """Section ``section_id`` of ``board``; 404 code 2031 when it is not on that board."""
    doc = ctx.tx.get_doc(SECTION, section_id) if is_numeric_id(section_id) else None
    if doc is None or doc.parent != board.id:
        raise ApiError(404, SECTION_NOT_FOUND, code=CODE_SECTION_NOT_FOUND)
    return doc


def touch_board(tx: Tx, board_id: str | None, now: float) -> None:
    """Record that the board's pins changed (``board_pins_modified_at``)."""
    if board_id is None:
        return
    doc = tx.get_doc(BOARD, board_id)
    if doc is not None:
        data = dict(doc.data, board_pins_modified_at=iso(now))
        tx.put(BOARD, doc.id, data, owner=doc.owner)
