"""``pinkit api METHOD PATH``: any operation of the API, raw."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ._options import global_options
from ._session import session

__all__ = ["api", "parse_data", "parse_params"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def parse_params(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``key=value`` pairs; a repeated key becomes a list (sent as repeated query keys)."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint="'-p'")
        key = key.strip()
        if key in params:
            existing = params[key]
            params[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            params[key] = value
    return params


def parse_data(value: str | None) -> Any:
    """``--data`` as inline JSON, ``@file`` or ``-`` (stdin)."""
    if value is None:
        return None
    source = "--data"
    if value == "-":
        text, source = sys.stdin.read(), "stdin"
    elif value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(
                f"cannot read {path}: {exc.strerror or exc}", param_hint="'--data'"
            ) from None
        source = str(path)
    else:
        text = value
    try:
        return json.loads(text)
    except ValueError as exc:
        raise click.BadParameter(
            f"invalid JSON in {source}: {exc}", param_hint="'--data'"
        ) from None


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("method", type=click.Choice(METHODS, case_sensitive=False), metavar="METHOD")
@click.argument("path")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="Query parameter; repeat a key to send a list.",
)
@click.option(
    "-d",
    "--data",
    metavar="JSON|@FILE|-",
    help="JSON request body: inline, from a file (@body.json) or from stdin (-).",
)
@click.option(
    "--paginate",
    is_flag=True,
    help="Follow bookmarks and output every item (ndjson streams them one by one).",
)
@click.option(
    "--page-size",
    type=click.IntRange(1, 250),
    help="Items per page with --paginate (default 250).",
)
@click.option(
    "--limit",
    "max_items",
    type=click.IntRange(min=0),
    help="Stop after this many items with --paginate.",
)
@global_options()
@click.pass_context
def api(
    ctx: click.Context,
    method: str,
    path: str,
    params: tuple[str, ...],
    data: str | None,
    paginate: bool,
    page_size: int | None,
    max_items: int | None,
) -> None:
    """Call any API operation: METHOD PATH relative to the base URL.

    \b
    Examples:
      pinkit api GET /user_account
      pinkit api GET /user_account/followers --paginate --format ndjson
      pinkit api GET /boards -p privacy=PUBLIC -p page_size=10
      pinkit api POST /boards --data '{"name": "Recipes"}'
      pinkit api POST /pins --data @pin.json
    """
    method = method.upper()
    if path.startswith(("http://", "https://")) or "://" in path:
        raise click.BadParameter(
            "give the path relative to the base URL, like /user_account (use --base-url "
            "to change the server)",
            param_hint="'PATH'",
        )
    if not path.startswith("/"):
        path = "/" + path
    query = parse_params(params)
    body = parse_data(data)
    if paginate and method != "GET":
        raise click.UsageError("--paginate only works with GET")
    if (page_size or max_items is not None) and not paginate:
        raise click.UsageError("--page-size and --limit need --paginate")

    run = session(ctx)
    client = run.client()
    if paginate:
        count = run.output.stream(
            client.paginate(path, params=query, page_size=page_size, max_items=max_items)
        )
        run.output.info(f"{count} item{'s' if count != 1 else ''}")
        return
    result = client.request(method, path, params=query or None, json=body)
    run.output.emit(result)
