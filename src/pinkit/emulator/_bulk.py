"""Bulk writes answered item by item, as Pinterest answers campaigns, ad groups and ads:
HTTP 200 with ``{"items": [{"data": ..., "exceptions": ...}]}``, one entry per input item in
its position. Valid items are applied; an invalid one is reported in its place and changes
nothing. ``exceptions`` is a list for campaigns and ad groups and a single object for ads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._errors import ApiError
from ._store import Tx

__all__ = ["ItemRefused", "per_item"]


class ItemRefused(Exception):
    """One item of a bulk write cannot be applied: Pinterest's ``{code, message}`` for it."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def per_item(
    tx: Tx,
    items: Sequence[Any],
    apply: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    single_exception: bool = False,
) -> dict[str, Any]:
    """``apply`` each item in a savepoint of its own (it returns the entity's answer, or raises
    ``ItemRefused`` and leaves nothing behind)."""
    answers: list[dict[str, Any]] = []
    for item in items:
        try:
            with tx.savepoint():
                data = apply(item)
        except ItemRefused as refused:
            problem = {"code": refused.code, "message": refused.message}
            answers.append({"exceptions": problem if single_exception else [problem]})
        except ApiError as err:  # a rule that answers for a whole request, applied to one item
            problem = {"code": err.code, "message": err.message}
            answers.append({"exceptions": problem if single_exception else [problem]})
        else:
            answers.append({"data": data} if single_exception else {"data": data, "exceptions": []})
    return {"items": answers}
