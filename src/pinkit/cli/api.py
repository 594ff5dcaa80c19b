"""``pinkit api METHOD PATH``: any operation of the API, raw."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import click

from ._options import global_options
from ._session import session

__all__ = ["api", "parse_data", "parse_params", "parse_path"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


#: The longest path, and the longest query (encoded), ``pinkit api`` sends: far beyond any
#: operation's, and within what HTTP servers and the HTTP client accept.
MAX_PATH_LENGTH = 2048
MAX_QUERY_LENGTH = 8192
#: Request bodies nest a few levels; deeper is a mistake (and would overflow the encoder).
MAX_JSON_DEPTH = 100


def parse_path(path: str) -> str:
    """PATH, relative to the base URL, with its leading slash."""
    if path.startswith(("http://", "https://")) or "://" in path:
        raise click.BadParameter(
            "give the path relative to the base URL, like /user_account (use --base-url "
            "to change the server)",
            param_hint="'PATH'",
        )
    control = next((c for c in path if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0), None)
    if control is not None:
        raise click.BadParameter(
            f"the path contains a control character ({control!r})", param_hint="'PATH'"
        )
    if len(path) > MAX_PATH_LENGTH:
        raise click.BadParameter(
            f"the path is {len(path)} characters long; at most {MAX_PATH_LENGTH}",
            param_hint="'PATH'",
        )
    return path if path.startswith("/") else "/" + path


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
    if params:
        from urllib.parse import urlencode

        length = len(urlencode(params, doseq=True))
        if length > MAX_QUERY_LENGTH:
            raise click.BadParameter(
                f"the query is {length} characters long once encoded; at most {MAX_QUERY_LENGTH}",
                param_hint="'-p'",
            )
    return params


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not valid JSON (JSON numbers are finite)")


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"the number {text[:40]} is out of range")
    return number


def _depth(value: Any) -> int:
    """How deep arrays and objects nest in ``value`` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest


def parse_data(value: str | None) -> Any:
    """``--data`` as inline JSON, ``@file`` or ``-`` (stdin): strict JSON (no NaN or
    Infinity, finite numbers), UTF-8, nested at most ``MAX_JSON_DEPTH`` levels."""
    if value is None:
        return None
    source = "--data"
    try:
        if value == "-":
            text, source = sys.stdin.read(), "stdin"
        elif value.startswith("@"):
            path = Path(value[1:]).expanduser()
            source = str(path)
            text = path.read_text(encoding="utf-8")
        else:
            text = value
    except UnicodeDecodeError:
        raise click.BadParameter(
            f"cannot read {source}: not UTF-8 text (a JSON body is text)", param_hint="'--data'"
        ) from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise click.BadParameter(f"cannot read {source}: {reason}", param_hint="'--data'") from None
    try:
        body = json.loads(text, parse_constant=_not_json, parse_float=_finite)
    except RecursionError:
        body, depth = None, MAX_JSON_DEPTH + 1
    except ValueError as exc:
        raise click.BadParameter(
            f"invalid JSON in {source}: {exc}", param_hint="'--data'"
        ) from None
    else:
        depth = _depth(body)
    if depth > MAX_JSON_DEPTH:
        raise click.BadParameter(
            f"invalid JSON in {source}: nested deeper than {MAX_JSON_DEPTH} levels",
            param_hint="'--data'",
        )
    return body


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
    path = parse_path(path)
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
