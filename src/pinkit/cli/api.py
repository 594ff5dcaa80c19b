"""``pinkit api METHOD PATH``: any operation of the API, raw."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import APIStatusError
from ._common import parse_fields
from ._options import global_options
from ._session import Session, session

if TYPE_CHECKING:
    import httpx2

__all__ = ["api", "parse_data", "parse_headers", "parse_params", "parse_path"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an RFC 9110 token
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")  # visible ASCII, spaces, tabs: no CR or LF
#: Headers pinkit sets itself, and what sets them.
RESERVED = {
    "authorization": "the login's token (--profile, PINTEREST_ACCESS_TOKEN)",
    "proxy-authorization": "the proxy settings",
    "host": "the base URL (--base-url)",
    "content-length": "the body (--data)",
    "transfer-encoding": "the body (--data)",
}


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


def parse_headers(pairs: tuple[str, ...]) -> dict[str, str]:
    """``Key: value`` pairs (gh's ``-H``); a repeated name joins its values with ``, ``.
    Refused (exit 2): the headers pinkit sets (Authorization, Host, framing), names that are
    not header names, and values with CR, LF or other control characters."""
    headers: dict[str, str] = {}
    names: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition(":")
        name, value = name.strip(), value.strip(" \t")
        if not sep or not name:
            raise click.BadParameter(f"expected KEY:VALUE, got {pair!r}", param_hint="'-H'")
        if not _HEADER_NAME.fullmatch(name):
            raise click.BadParameter(f"{name!r} is not a header name", param_hint="'-H'")
        if name.lower() in RESERVED:
            raise click.BadParameter(
                f"{name} is set by pinkit from {RESERVED[name.lower()]}; it cannot be given",
                param_hint="'-H'",
            )
        if not _HEADER_VALUE.fullmatch(value):
            raise click.BadParameter(
                f"the value of {name} must be printable ASCII, without CR or LF",
                param_hint="'-H'",
            )
        key = names.setdefault(name.lower(), name)
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _takes_bookmark(method: str, path: str) -> bool | None:
    """Whether the spec's operation for ``method path`` is a bookmark-paginated list (None:
    the path is not in the spec)."""
    from .._constraints import param
    from .._operations import find

    operation = find(method, path)
    if operation is None:
        return None
    try:
        param(operation.id, "bookmark")
    except LookupError:
        return False
    return True


def _show_response(run: Session) -> Any:
    """``-i``: each answer's status line and headers on stderr (secret ones redacted)."""
    from .._redact import redact_headers

    def show(response: httpx2.Response) -> None:
        status = f"{response.http_version} {response.status_code} {response.reason_phrase}"
        _show(run, status.strip(), redact_headers(response.headers))

    return show


def _show(run: Session, status: str, headers: Mapping[str, str]) -> None:
    lines = [status, *(f"{name}: {value}" for name, value in headers.items()), ""]
    run.output.meta("\n".join(lines))


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
    "-H",
    "--header",
    "headers",
    multiple=True,
    metavar="KEY:VALUE",
    help="Request header; repeatable (not Authorization: that is the login's token).",
)
@click.option(
    "-i",
    "--include",
    is_flag=True,
    help="Print each response's status line and headers on stderr.",
)
@click.option(
    "--paginate",
    is_flag=True,
    help="Follow bookmarks and output every item (ndjson and csv stream page by page).",
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
@click.option(
    "--fields",
    "fields_given",
    multiple=True,
    metavar="A,B.C",
    help="Only these fields of each item, in this order, in every format (dot paths).",
)
@global_options()
@click.pass_context
def api(
    ctx: click.Context,
    method: str,
    path: str,
    params: tuple[str, ...],
    data: str | None,
    headers: tuple[str, ...],
    include: bool,
    paginate: bool,
    page_size: int | None,
    max_items: int | None,
    fields_given: tuple[str, ...],
) -> None:
    """Call any API operation: METHOD PATH relative to the base URL.

    \b
    Examples:
      pinkit api GET /user_account
      pinkit api GET /user_account/followers --paginate --format ndjson
      pinkit api GET /boards -p privacy=PUBLIC -p page_size=10
      pinkit api GET /boards --paginate --fields id,name,owner.username --format csv
      pinkit api POST /boards --data '{"name": "Recipes"}'
      pinkit api POST /pins --data @pin.json
      pinkit api GET /user_account -i -H 'Accept-Language: fr'
    """
    method = method.upper()
    path = parse_path(path)
    query = parse_params(params)
    extra = parse_headers(headers)
    fields = parse_fields(fields_given)
    body = parse_data(data)
    if paginate and method != "GET":
        raise click.UsageError("--paginate only works with GET")
    if paginate and _takes_bookmark(method, path) is False:
        raise click.UsageError(
            f"--paginate: GET {path.split('?')[0]} is not a paginated list (the API gives it "
            "no bookmark); leave --paginate out"
        )
    if (page_size or max_items is not None) and not paginate:
        raise click.UsageError("--page-size and --limit need --paginate")

    run = session(ctx)
    client = run.client()
    hook = _show_response(run) if include else None
    try:
        if paginate:
            pager = client.paginate(
                path, params=query, page_size=page_size, max_items=max_items,
                headers=extra, on_response=hook,
            )  # fmt: skip
            count = run.output.stream_pages(pager.pages(), fields=fields, check_fields=True)
            run.output.info(f"{count} item{'s' if count != 1 else ''}")
            return
        result = client.request(
            method, path, params=query or None, json=body, headers=extra, on_response=hook
        )
    except APIStatusError as exc:
        if include:
            from http import HTTPStatus

            try:
                phrase = HTTPStatus(exc.status_code).phrase
            except ValueError:
                phrase = ""
            _show(run, f"HTTP {exc.status_code} {phrase}".strip(), exc.headers)
        raise
    run.output.emit(result, fields=fields, check_fields=True)
