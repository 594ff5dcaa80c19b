"""Bookmark pagination shared by every list operation, and readers of query parameters the
dispatcher has already checked against the spec.

Rules describe a list as a :class:`Listing` (which documents, in which order, which to keep);
handlers page through it with :func:`paginate` or, for big lists, :func:`paginate_raw`.

Bookmarks are opaque on purpose: base64 with ``+``, ``/`` and ``=`` in it, as Pinterest's are, so
a client that forgets to URL-encode them breaks here rather than in production. A bookmark is
bound to the list it came from; a foreign or mangled one is a 400, not a silent restart.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from pinkit._constraints import param

from ._errors import ApiError
from ._registry import Context
from ._store import Doc, Tx, Where

__all__ = [
    "Listing",
    "bool_arg",
    "decode_bookmark",
    "encode_bookmark",
    "page_of",
    "page_size",
    "paginate",
    "paginate_raw",
]

# 0xFB 0xFF encode to "+/" in base64: every bookmark carries the characters that need escaping.
_MAGIC = b"\xfb\xff"


@dataclass(frozen=True)
class Listing:
    """Documents of ``kind`` with ``owner`` and the references in ``where``, in insertion
    order, those for which ``keep`` is true (a filtered list scans forward until a page is
    full)."""

    kind: str
    owner: str | None = None
    where: Where | None = None
    keep: Callable[[Doc], bool] | None = None
    descending: bool = False
    """Newest first (the ads lists' ``order=DESCENDING``)."""

    def scope(self, operation_id: str) -> str:
        refs = ",".join(f"{k}={v}" for k, v in sorted((self.where or {}).items()))
        order = "desc" if self.descending else "asc"
        return f"{operation_id}:{self.kind}:{self.owner or ''}:{refs}:{order}"

    def page(self, tx: Tx, after_seq: int | None, size: int) -> tuple[list[Doc], int | None, bool]:
        """Up to ``size`` kept documents after the cursor: ``(docs, last seq read, more)``."""
        docs: list[Doc] = []
        last_seq = after_seq
        while True:
            batch = tx.list(
                self.kind,
                owner=self.owner,
                where=self.where,
                after_seq=last_seq,
                limit=size + 1,
                descending=self.descending,
            )
            for doc in batch:
                if len(docs) == size:
                    return docs, last_seq, True
                last_seq = doc.seq
                if self.keep is None or self.keep(doc):
                    docs.append(doc)
            if len(batch) <= size:
                return docs, last_seq, False


def page_size(ctx: Context) -> int:
    """The request's page size (checked against the spec), or the spec's default."""
    raw = ctx.arg("page_size")
    return int(raw) if raw is not None else int(param(ctx.op.id, "page_size").default or 25)


def bool_arg(ctx: Context, name: str, default: bool = False) -> bool:
    value = ctx.arg(name)
    return default if value is None else value.lower() in ("true", "1")


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


def page_of(ctx: Context, listing: Listing) -> tuple[list[Doc], str | None]:
    """One page of ``listing`` for this request and the bookmark of the next (None at the end)."""
    scope = listing.scope(ctx.op.id)
    raw = ctx.arg("bookmark")
    after = decode_bookmark(raw, scope) if raw else None
    docs, last_seq, more = listing.page(ctx.tx, after, page_size(ctx))
    return docs, encode_bookmark(scope, last_seq) if more and last_seq is not None else None


def paginate(
    ctx: Context, listing: Listing, render: Callable[[Doc], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One page as ``{"items": [...], "bookmark": ...}``; ``render`` turns a document into
    the answer's item (default: its data)."""
    docs, bookmark = page_of(ctx, listing)
    items = [doc.data if render is None else render(doc) for doc in docs]
    return {"items": items, "bookmark": bookmark}


def paginate_raw(ctx: Context, listing: Listing, render_json: Callable[[Doc], str]) -> Response:
    """:func:`paginate` for big lists: ``render_json`` turns a row into the item's JSON text
    (typically by splicing the stored text), so a page decodes and encodes no JSON."""
    docs, bookmark = page_of(ctx, listing)
    body = '{"items":[' + ",".join(render_json(doc) for doc in docs) + "],"
    body += f'"bookmark":{json.dumps(bookmark)}}}'
    return Response(body, media_type="application/json")
