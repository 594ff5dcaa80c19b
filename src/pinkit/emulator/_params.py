"""Query-parameter helpers and bookmark pagination shared by every list operation.

Parameters are checked against the spec before a handler runs (``_validation``: types, enums,
ranges such as ``page_size``), so these helpers only read them.

Bookmarks are opaque on purpose: base64 with ``+``, ``/`` and ``=`` in it, as Pinterest's are, so
a client that forgets to URL-encode them breaks here rather than in production. A bookmark is
bound to the list it came from; a foreign or mangled one is a 400, not a silent restart.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from pinkit._constraints import param

from ._errors import ApiError
from ._registry import Context
from ._store import Doc

__all__ = [
    "bool_arg",
    "decode_bookmark",
    "encode_bookmark",
    "page_size",
    "paginate",
    "page_of_docs",
    "paginate_docs",
    "paginate_raw",
]

# 0xFB 0xFF encode to "+/" in base64: every bookmark carries the characters that need escaping.
_MAGIC = b"\xfb\xff"


def page_size(ctx: Context) -> int:
    """The request's page size (its range is the spec's, checked before the handler), or the
    spec's default for the operation."""
    raw = ctx.arg("page_size")
    if raw is not None:
        return int(raw)
    return int(param(ctx.op.id, "page_size").default or 25)


def encode_bookmark(scope: str, seq: int) -> str:
    payload = _MAGIC + f"{scope}|{seq}".encode()
    if len(payload) % 3 == 0:  # keep a "=" pad in every bookmark too
        payload += b"|"
    return base64.b64encode(payload).decode("ascii")


def decode_bookmark(bookmark: str, scope: str) -> int:
    try:
        raw = base64.b64decode(bookmark, validate=True)
        if not raw.startswith(_MAGIC):
            raise ValueError(bookmark)
        got_scope, seq, *_ = raw[len(_MAGIC) :].decode().split("|")
        if got_scope != scope:
            raise ValueError(bookmark)
        return int(seq)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ApiError(400, "Invalid parameters: bookmark is not valid for this list.") from None


def paginate(
    ctx: Context,
    kind: str,
    owner: str | None,
    *,
    render: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    keep: Callable[[dict[str, Any]], bool] | None = None,
) -> dict[str, Any]:
    """One page of the ``kind`` documents of ``owner``: ``{"items": [...], "bookmark": ...}``.

    ``keep`` filters documents (filtered lists scan forward until the page is full); ``render``
    turns a stored document into the response item.
    """
    return paginate_docs(
        ctx,
        kind,
        owner=owner,
        render=None if render is None else (lambda doc: render(doc.data)),
        keep=None if keep is None else (lambda doc: keep(doc.data)),
    )


def paginate_docs(
    ctx: Context,
    kind: str,
    *,
    owner: str | None = None,
    parent: str | None = None,
    parent2: str | None = None,
    render: Callable[[Doc], dict[str, Any]] | None = None,
    keep: Callable[[Doc], bool] | None = None,
) -> dict[str, Any]:
    """:func:`paginate` over whole :class:`Doc` rows, filtered by any of ``owner``, ``parent``
    and ``parent2`` (each an indexed column: a page is one keyset range scan)."""
    docs, bookmark = page_of_docs(ctx, kind, owner=owner, parent=parent, parent2=parent2, keep=keep)
    items = [doc.data if render is None else render(doc) for doc in docs]
    return {"items": items, "bookmark": bookmark}


def paginate_raw(
    ctx: Context,
    kind: str,
    *,
    render_json: Callable[[Doc], str],
    owner: str | None = None,
    parent: str | None = None,
    parent2: str | None = None,
    keep: Callable[[Doc], bool] | None = None,
) -> Response:
    """:func:`paginate_docs` for big lists: ``render_json`` turns a row into the item's JSON
    text (typically by splicing the stored text), so a page decodes and encodes no JSON."""
    docs, bookmark = page_of_docs(ctx, kind, owner=owner, parent=parent, parent2=parent2, keep=keep)
    body = '{"items":[' + ",".join(render_json(doc) for doc in docs) + "],"
    body += f'"bookmark":{json.dumps(bookmark)}}}'
    return Response(body, media_type="application/json")


def page_of_docs(
    ctx: Context,
    kind: str,
    *,
    owner: str | None = None,
    parent: str | None = None,
    parent2: str | None = None,
    keep: Callable[[Doc], bool] | None = None,
) -> tuple[list[Doc], str | None]:
    """One page of documents and the bookmark of the next page (None at the end)."""
    size = page_size(ctx)
    scope = f"{ctx.op.id}:{kind}:{owner or ''}:{parent or ''}:{parent2 or ''}"
    raw = ctx.arg("bookmark")
    after = decode_bookmark(raw, scope) if raw else 0
    docs: list[Doc] = []
    last_seq = after
    more = False
    while True:
        batch = ctx.tx.list(
            kind, owner=owner, parent=parent, parent2=parent2, after_seq=last_seq, limit=size + 1
        )
        for doc in batch:
            if len(docs) == size:
                more = True
                break
            last_seq = doc.seq
            if keep is None or keep(doc):
                docs.append(doc)
        if more or len(batch) <= size:
            break
    return docs, encode_bookmark(scope, last_seq) if more else None


def bool_arg(ctx: Context, name: str, default: bool | None = None) -> bool | None:
    value = ctx.arg(name)
    if value is None:
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise ApiError(400, f"Invalid parameters: {name} must be true or false.")
