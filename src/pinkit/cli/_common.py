"""Pieces the resource command groups (boards, pins, media) share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from ..errors import InvalidInputError
from ._session import Session

__all__ = [
    "GROUP_SETTINGS",
    "ID",
    "TABLE_COLUMNS",
    "BadInput",
    "check_ids",
    "emit_model",
    "fields_option",
    "list_options",
    "named_as_typed",
    "plural",
    "stream_models",
]

F = TypeVar("F", bound=Callable[..., Any])

GROUP_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}


class BadInput(click.ClickException):
    """Bad input found by the CLI itself: exit 2, one line, no usage hint."""

    exit_code = 2


def typed_name(param: click.Parameter | None) -> str:
    """How the user wrote a parameter: ``--board`` for an option, ``BOARD_ID`` for an
    argument."""
    if param is None:
        return "value"
    if isinstance(param, click.Option):
        long = [o for o in param.opts if o.startswith("--")]
        return (long or param.opts)[0]
    return param.human_readable_name


# -- IDs -----------------------------------------------------------------------------------------
_DIGITS = re.compile(r"[0-9]+")  # ASCII digits only, like the client's check_id


class _ID(click.types.StringParamType):
    """A Pinterest ID: ASCII digits, checked while click parses the command line, so the
    message names the option or argument as typed (``--board must be digits, got 'abc'``)."""

    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and _DIGITS.fullmatch(value):
            return value
        raise BadInput(f"{typed_name(param)} must be digits, got {value!r}")


ID = _ID()


def check_ids(group: click.Group) -> click.Group:
    """Make every argument and option named ``*_id`` in ``group`` (and its subgroups) an
    :data:`ID`: checked while parsing, before anything is sent, and named as typed."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            check_ids(command)
            continue
        for param in command.params:
            plain = isinstance(param.type, click.types.StringParamType)
            if plain and param.name and param.name.endswith("_id"):
                param.type = ID
    return group


@contextmanager
def named_as_typed(names: Mapping[str, str]) -> Iterator[None]:
    """Client checks name their parameters (``title is 101 characters...``): rewrite the
    name to the option the user typed (``--title is 101 characters...``)."""
    try:
        yield
    except InvalidInputError as exc:
        message = str(exc)
        for name, typed in names.items():
            if message.startswith(name + " "):
                raise InvalidInputError(typed + message[len(name) :]) from None
        raise


# -- lists and fields ----------------------------------------------------------------------------
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


def parse_fields(values: Iterable[str]) -> tuple[str, ...] | None:
    """``("id,name", "owner.username")`` -> ``("id", "name", "owner.username")``; None
    when none is given. Order kept, repeats dropped."""
    fields: dict[str, None] = {}
    given = False
    for value in values:
        given = True
        for part in value.split(","):
            name = part.strip()
            if name and not all(name.split(".")):
                raise BadInput(f"--fields: {name!r} is not a field path (like owner.username)")
            if name:
                fields.setdefault(name, None)
    if given and not fields:
        raise BadInput("--fields needs at least one field name")
    return tuple(fields) if fields else None


#: The model behind each kind of item, by ``pinkit.models`` name (imported when checked).
MODELS: dict[str, str] = {
    "board": "Board",
    "section": "BoardSection",
    "pin": "Pin",
    "upload": "Media",
}


def _nested_model(annotation: Any) -> Any:
    """The pydantic model inside ``annotation`` (``Owner | None`` -> ``Owner``), or None."""
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def unknown_field(model: Any, path: str) -> tuple[str, Any] | None:
    """The part of ``path`` that is not declared, and the model that lacks it (None: every
    part is declared). Inside a field that is not a model (a free-form object such as
    ``media``) every name is allowed."""
    for part in path.split("."):
        if model is None:
            return None
        fields = model.model_fields
        info = fields.get(part) or next(
            (i for i in fields.values() if i.alias == part and i.alias), None
        )
        if info is None:
            return part, model
        model = _nested_model(info.annotation)
    return None


def fields_option(noun: str) -> Callable[[F], F]:
    """``--fields id,name,owner.username``: the fields every format shows, in that order.
    Checked against the item's model while parsing (a typo is bad input, exit 2, before any
    request); a known field an item lacks shows as null (json) or an empty cell."""

    def callback(
        ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
    ) -> tuple[str, ...] | None:
        fields = parse_fields(value)
        if fields is None or ctx.resilient_parsing:
            return fields
        import pinkit.models

        model = getattr(pinkit.models, MODELS[noun])
        for path in fields:
            unknown = unknown_field(model, path)
            if unknown is not None:
                part, parent = unknown
                where = f"a {noun}" if parent is model else f"{path.rsplit('.', 1)[0]!r}"
                known = ", ".join(parent.model_fields)
                raise BadInput(f"--fields: {where} has no field {part!r}; its fields: {known}")
        return fields

    return click.option(
        "--fields",
        multiple=True,
        metavar="A,B.C",
        callback=callback,
        help="Only these fields, in this order, in every format (dot paths: owner.username).",
    )


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _as_dict(item: Any) -> Any:
    to_dict = getattr(item, "to_dict", None)
    return to_dict() if callable(to_dict) else item


def emit_model(run: Session, model: Any, fields: tuple[str, ...] | None = None) -> None:
    run.output.emit(_as_dict(model), fields=fields)


#: The columns a table shows for each kind of item (json, ndjson and csv keep every field).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "board": ("id", "name", "privacy", "pin_count", "description"),
    "section": ("id", "name"),
    "pin": ("id", "title", "board_id", "board_section_id", "creative_type", "link"),
    "upload": ("media_id", "media_type", "status"),
}


def _pages(items: Iterable[Any]) -> Iterator[list[Any]]:
    pages = getattr(items, "pages", None)
    source: Iterable[Iterable[Any]] = pages() if callable(pages) else [items]
    for page in source:
        yield [_as_dict(item) for item in page]


def stream_models(
    run: Session, items: Iterable[Any], noun: str = "item", fields: tuple[str, ...] | None = None
) -> None:
    """Output a paginated list page by page (see ``Output.stream_pages``)."""
    count = run.output.stream_pages(_pages(items), columns=TABLE_COLUMNS.get(noun), fields=fields)
    run.output.info(plural(count, noun))
