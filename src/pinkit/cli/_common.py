"""Pieces the resource command groups (boards, pins, media) share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from ._session import Session

__all__ = [
    "GROUP_SETTINGS",
    "BadInput",
    "emit_model",
    "list_options",
    "plural",
    "stream_models",
]

F = TypeVar("F", bound=Callable[..., Any])

GROUP_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}


class BadInput(click.ClickException):
    """Bad input found by the CLI itself: exit 2, one line, no usage hint."""

    exit_code = 2


def list_options(func: F) -> F:
    """``--limit`` and ``--page-size`` for a command that lists items across pages."""
    func = click.option(
        "--page-size",
        type=click.IntRange(1, 250),
        help="Items per request (default: the API's, 25).",
    )(func)
    func = click.option(
        "--limit",
        "max_items",
        type=click.IntRange(min=0),
        help="Stop after this many items (default: all of them).",
    )(func)
    return func


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _as_dict(item: Any) -> Any:
    to_dict = getattr(item, "to_dict", None)
    return to_dict() if callable(to_dict) else item


def emit_model(run: Session, model: Any) -> None:
    run.output.emit(_as_dict(model))


#: The columns a table shows for each kind of item (json, ndjson and csv keep every field).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "board": ("id", "name", "privacy", "pin_count", "description"),
    "section": ("id", "name"),
    "pin": ("id", "title", "board_id", "board_section_id", "creative_type", "link"),
    "upload": ("media_id", "media_type", "status"),
}


def stream_models(run: Session, items: Iterable[Any], noun: str = "item") -> None:
    """Stream a paginated list (ndjson and json write each item as it arrives)."""
    count = run.output.stream((_as_dict(item) for item in items), columns=TABLE_COLUMNS.get(noun))
    run.output.info(plural(count, noun))
