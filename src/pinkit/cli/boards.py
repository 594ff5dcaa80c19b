"""``pinkit boards``: boards and the sections inside them."""

from __future__ import annotations

from typing import Any

import click

from .._validate import check_id
from ._common import (
    GROUP_SETTINGS,
    check_ids,
    emit_model,
    fields_option,
    list_options,
    named_as_typed,
    stream_models,
)
from ._confirm import confirm, yes_option
from ._options import global_options
from ._session import session

__all__ = ["boards"]

PRIVACY = ("PUBLIC", "PROTECTED", "SECRET")


@click.group(context_settings=GROUP_SETTINGS)
@global_options()
def boards() -> None:
    """Your boards: list, get, create, update, delete, and the pins on them.

    \b
    Examples:
      pinkit boards list --privacy SECRET
      pinkit boards create "Weeknight dinners" --description "Under 30 minutes"
      pinkit boards pins 1234567890 --format ndjson
      pinkit boards sections create 1234567890 "Pasta"
    """


@boards.command("list")
@click.option(
    "--privacy",
    type=click.Choice(PRIVACY, case_sensitive=False),
    help="Only boards with this privacy.",
)
@list_options
@fields_option("board")
@global_options()
@click.pass_context
def list_boards(
    ctx: click.Context,
    privacy: str | None,
    max_items: int | None,
    page_size: int | None,
    fields: tuple[str, ...] | None,
) -> None:
    """List your boards (every page; --limit to stop early)."""
    run = session(ctx)
    items = run.client().boards.list(privacy=privacy, page_size=page_size, max_items=max_items)
    stream_models(run, items, "board", fields)


@boards.command()
@click.argument("board_id")
@fields_option("board")
@global_options()
@click.pass_context
def get(ctx: click.Context, board_id: str, fields: tuple[str, ...] | None) -> None:
    """Show one board."""
    run = session(ctx)
    emit_model(run, run.client().boards.get(board_id), fields)


@boards.command()
@click.argument("name")
@click.option("--description", metavar="TEXT", help="Board description.")
@click.option("--privacy", type=click.Choice(PRIVACY, case_sensitive=False), help="Default PUBLIC.")
@global_options()
@click.pass_context
def create(ctx: click.Context, name: str, description: str | None, privacy: str | None) -> None:
    """Create a board called NAME."""
    run = session(ctx)
    client = run.client()
    with named_as_typed({"name": "NAME", "description": "--description"}):
        board = client.boards.create(name, description=description, privacy=privacy)
    emit_model(run, board)


@boards.command()
@click.argument("board_id")
@click.option("--name", metavar="TEXT", help="New name.")
@click.option("--description", metavar="TEXT", help="New description ('' clears it).")
@click.option(
    "--privacy",
    type=click.Choice(("PUBLIC", "SECRET"), case_sensitive=False),
    help="New privacy.",
)
@global_options()
@click.pass_context
def update(
    ctx: click.Context,
    board_id: str,
    name: str | None,
    description: str | None,
    privacy: str | None,
) -> None:
    """Change a board's name, description or privacy."""
    fields: dict[str, Any] = {"name": name, "description": description, "privacy": privacy}
    fields = {k: v for k, v in fields.items() if v is not None}
    if not fields:
        raise click.UsageError("nothing to update: give --name, --description or --privacy")
    run = session(ctx)
    emit_model(run, run.client().boards.update(board_id, **fields))


@boards.command()
@click.argument("board_id")
@yes_option
@global_options()
@click.pass_context
def delete(ctx: click.Context, board_id: str, yes: bool) -> None:
    """Delete a board and every pin on it."""
    confirm(f"delete board {check_id('board_id', board_id)} and every pin on it", yes=yes)
    run = session(ctx)
    run.client().boards.delete(board_id)
    run.output.done(f"Deleted board {board_id}.")


@boards.command("pins")
@click.argument("board_id")
@list_options
@fields_option("pin")
@global_options()
@click.pass_context
def board_pins(
    ctx: click.Context,
    board_id: str,
    max_items: int | None,
    page_size: int | None,
    fields: tuple[str, ...] | None,
) -> None:
    """List the pins on a board."""
    run = session(ctx)
    items = run.client().boards.list_pins(board_id, page_size=page_size, max_items=max_items)
    stream_models(run, items, "pin", fields)


# -- sections ------------------------------------------------------------------------------------
@boards.group(context_settings=GROUP_SETTINGS)
@global_options()
def sections() -> None:
    """Sections inside a board.

    \b
    Examples:
      pinkit boards sections list BOARD_ID
      pinkit boards sections create BOARD_ID "Pasta"
      pinkit boards sections update BOARD_ID SECTION_ID --name "Noodles"
      pinkit boards sections pins BOARD_ID SECTION_ID
    """


@sections.command("list")
@click.argument("board_id")
@list_options
@fields_option("section")
@global_options()
@click.pass_context
def list_sections(
    ctx: click.Context,
    board_id: str,
    max_items: int | None,
    page_size: int | None,
    fields: tuple[str, ...] | None,
) -> None:
    """List a board's sections."""
    run = session(ctx)
    items = run.client().boards.sections.list(board_id, page_size=page_size, max_items=max_items)
    stream_models(run, items, "section", fields)


@sections.command("create")
@click.argument("board_id")
@click.argument("name")
@global_options()
@click.pass_context
def create_section(ctx: click.Context, board_id: str, name: str) -> None:
    """Create a section called NAME on a board."""
    run = session(ctx)
    with named_as_typed({"name": "NAME"}):
        section = run.client().boards.sections.create(board_id, name)
    emit_model(run, section)


@sections.command("update")
@click.argument("board_id")
@click.argument("section_id")
@click.option("--name", metavar="TEXT", required=True, help="New name.")
@global_options()
@click.pass_context
def update_section(ctx: click.Context, board_id: str, section_id: str, name: str) -> None:
    """Rename a section."""
    run = session(ctx)
    emit_model(run, run.client().boards.sections.update(board_id, section_id, name))


@sections.command("delete")
@click.argument("board_id")
@click.argument("section_id")
@yes_option
@global_options()
@click.pass_context
def delete_section(ctx: click.Context, board_id: str, section_id: str, yes: bool) -> None:
    """Delete a section of a board."""
    check_id("board_id", board_id)
    confirm(f"delete section {check_id('section_id', section_id)} of board {board_id}", yes=yes)
    run = session(ctx)
    run.client().boards.sections.delete(board_id, section_id)
    run.output.done(f"Deleted section {section_id} of board {board_id}.")


@sections.command("pins")
@click.argument("board_id")
@click.argument("section_id")
@list_options
@fields_option("pin")
@global_options()
@click.pass_context
def section_pins(
    ctx: click.Context,
    board_id: str,
    section_id: str,
    max_items: int | None,
    page_size: int | None,
    fields: tuple[str, ...] | None,
) -> None:
    """List the pins in a section."""
    run = session(ctx)
    items = run.client().boards.sections.list_pins(
        board_id, section_id, page_size=page_size, max_items=max_items
    )
    stream_models(run, items, "pin", fields)


check_ids(boards)  # every *_id argument and option: digits, named as typed in messages
