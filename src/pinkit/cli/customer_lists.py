"""``pinkit customer-lists``: customer lists from files of e-mail addresses, device ids or
partner ids (one a line, or a CSV column), hashed as the list type requires, uploaded in
requests of 1,900 with a progress bar, and kept in step with ``sync`` and its ledger.

Every record of the file is checked before anything is sent: a bad record is listed (its line
and why) and nothing is sent (exit 2), unless ``--skip-bad`` sends the others. The ad account
is ``--ad-account``, else ``PINTEREST_AD_ACCOUNT_ID``, else the profile's ``ad_account_id``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._common import GROUP_SETTINGS, BadInput, check_ids, list_options, plural
from ._options import global_options
from ._session import Session, session
from .ads import _account, ad_account_option

if TYPE_CHECKING:
    from .._client import Client
    from ..customer_lists import BadRecord, SyncResult, UploadResult
    from ._output import ProgressBar

__all__ = ["customer_lists", "oauth_hint"]

F = TypeVar("F", bound=Callable[..., Any])
COLUMNS = ("id", "name", "status", "num_uploaded_user_records", "num_removed_user_records")
LOGIN_HINT = "log in with `pinkit auth login` (or give an OAuth access token)"


@contextmanager
def oauth_hint(what: str, operation_id: str, scope: str) -> Iterator[None]:
    """A conversion access token's refusal, said plainly: ``what`` needs an OAuth login."""
    from ..customer_lists._results import needs_oauth
    from ..errors import PinterestError

    try:
        yield
    except PinterestError as exc:
        explained = needs_oauth(exc, what, operation_id, scope, LOGIN_HINT)
        if explained is exc:
            raise
        raise explained from None


def _records_options(func: F) -> F:
    func = click.option(
        "--skip-bad",
        is_flag=True,
        help="Send the good records even if some are bad (they are listed; exit 0).",
    )(func)
    func = click.option(
        "--chunk-size",
        type=click.IntRange(min=1),
        default=1_900,
        show_default=True,
        help="Records per request (Pinterest takes 1,900).",
    )(func)
    func = click.option(
        "--column",
        metavar="NAME",
        help="FILE is a CSV file (with a header row): the records are this column.",
    )(func)
    func = click.option(
        "--list-type",
        default="EMAIL",
        show_default=True,
        help="EMAIL, IDFA, MAID, LR_ID, DLX_ID or HASHED_PINNER_ID (add, remove and sync: "
        "the list's own; Pinterest does not say which it is).",
    )(func)
    return func


FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))


class _Run:
    """One command: the session, the client, the ad account, the file's records."""

    def __init__(self, ctx: click.Context, ad_account: str | None) -> None:
        self.run: Session = session(ctx)
        self.account = _account(self.run, ad_account)
        self._client: Client | None = None

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = self.run.client()
        return self._client

    @contextmanager
    def upload(
        self, label: str, operation_id: str, file: Path, column: str | None
    ) -> Iterator[ProgressBar]:
        """A progress bar while records are sent; bad records listed (exit 2, or warnings
        with ``--skip-bad``)."""
        from ..customer_lists import BadRecordsError

        try:
            with (
                oauth_hint("customer lists", operation_id, "ads:write"),
                self.run.output.progress(label) as bar,
            ):
                yield bar
        except BadRecordsError as exc:
            for bad in exc.bad:
                self.run.output.error(f"error: {_where(bad, file, column)}: {bad.reason}")
            raise BadInput(
                f"{plural(len(exc.bad), 'bad record')} in {file}; nothing was sent "
                "(--skip-bad sends the others)"
            ) from None

    def warn_bad(self, bad: list[BadRecord], file: Path, column: str | None) -> None:
        for record in bad:
            self.run.output.warn(
                f"warning: {_where(record, file, column)}: {record.reason} (not sent)"
            )


def _where(bad: BadRecord, file: Path, column: str | None) -> str:
    # A CSV file's rows as a spreadsheet numbers them (the header is row 1).
    return f"{file.name} {'row' if column is not None else 'line'} {bad.line}"


def _progress(bar: ProgressBar, verb: str) -> Callable[[Any], None]:
    def update(progress: Any) -> None:
        bar.update(progress.sent, total=progress.total, description=f"{verb} records")

    return update


def _upload_summary(result: UploadResult) -> dict[str, Any]:
    made = result.customer_list
    return {
        "customer_list_id": made.id,
        "name": made.name,
        "status": made.status,
        "operation": result.operation,
        "sent": result.sent,
        "requests": result.requests,
        "bad": len(result.bad),
        "duplicates": result.duplicates,
        "blank": result.blank,
    }


@click.group("customer-lists", context_settings=GROUP_SETTINGS)
@global_options()
def customer_lists() -> None:
    """Customer lists: upload e-mail addresses or device ids (hashed first), keep them in sync.

    \b
    Examples:
      pinkit customer-lists create customers.txt --name "Customers"
      pinkit customer-lists create crm.csv --column email --name "CRM"
      pinkit customer-lists add 1234 more.txt
      pinkit customer-lists remove 1234 unsubscribed.txt
      pinkit customer-lists sync 1234 customers.txt --ledger customers.ledger

    FILE holds one record a line, or (with --column) is a CSV file. E-mail addresses are
    lowercased and device ids cased as Pinterest asks (IDFA upper, MAID lower), then sent as
    SHA-256 digests; digests are sent as they are, LR_ID and DLX_ID partner ids as given.
    Every record is checked first: a bad one is listed and nothing is sent (exit 2).
    """


@customer_lists.command("list")
@click.option("--order", type=click.Choice(("ASCENDING", "DESCENDING"), case_sensitive=False))
@list_options
@ad_account_option
@global_options()
@click.pass_context
def list_command(
    ctx: click.Context,
    order: str | None,
    max_items: int | None,
    page_size: int | None,
    ad_account: str | None,
) -> None:
    """List the ad account's customer lists (every page)."""
    cli = _Run(ctx, ad_account)
    with oauth_hint("customer lists", "customer_lists/list", "ads:read"):
        items = cli.client.customer_lists.list(
            cli.account,
            order=order.upper() if order else None,
            page_size=page_size,
            max_items=max_items,
        )
        count = cli.run.output.stream((c.to_dict() for c in items), columns=COLUMNS)
    cli.run.output.info(plural(count, "customer list"))


@customer_lists.command("get")
@click.argument("customer_list_id", metavar="ID")
@ad_account_option
@global_options()
@click.pass_context
def get_command(ctx: click.Context, customer_list_id: str, ad_account: str | None) -> None:
    """Show one customer list: its status (PROCESSING, READY, TOO_SMALL) and counts."""
    cli = _Run(ctx, ad_account)
    with oauth_hint("customer lists", "customer_lists/get", "ads:read"):
        found = cli.client.customer_lists.get(cli.account, customer_list_id)
    cli.run.output.emit(found.to_dict())


@customer_lists.command("create")
@FILE
@click.option("--name", required=True, help="The list's name.")
@_records_options
@ad_account_option
@global_options()
@click.pass_context
def create_command(
    ctx: click.Context,
    file: Path,
    name: str,
    list_type: str,
    column: str | None,
    chunk_size: int,
    skip_bad: bool,
    ad_account: str | None,
) -> None:
    """Make a customer list of FILE's records (matching then takes Pinterest a while)."""
    cli = _Run(ctx, ad_account)
    with cli.upload(f"uploading {file.name}", "customer_lists/create", file, column) as bar:
        result = cli.client.customer_lists.create(
            cli.account,
            name,
            file,
            list_type=list_type.upper(),
            column=column,
            chunk_size=chunk_size,
            on_bad="skip" if skip_bad else "stop",
            on_progress=_progress(bar, "sending"),
        )
    cli.warn_bad(result.bad, file, column)
    cli.run.output.emit(_upload_summary(result))
    made = result.customer_list
    cli.run.output.info(
        f"created customer list {made.id} ({made.status}): "
        f"{plural(result.sent, 'record')} in {plural(result.requests, 'request')}"
    )


def _change_command(operation: str) -> click.Command:
    verb = "add" if operation == "ADD" else "remove"

    @click.argument("customer_list_id", metavar="ID")
    @FILE
    @_records_options
    @ad_account_option
    @global_options()
    @click.pass_context
    def command(
        ctx: click.Context,
        customer_list_id: str,
        file: Path,
        list_type: str,
        column: str | None,
        chunk_size: int,
        skip_bad: bool,
        ad_account: str | None,
    ) -> None:
        cli = _Run(ctx, ad_account)
        change = getattr(cli.client.customer_lists, verb)
        label = f"{'adding' if operation == 'ADD' else 'removing'} {file.name}"
        with cli.upload(label, "customer_lists/update", file, column) as bar:
            result: UploadResult = change(
                cli.account,
                customer_list_id,
                file,
                list_type=list_type.upper(),
                column=column,
                chunk_size=chunk_size,
                on_bad="skip" if skip_bad else "stop",
                on_progress=_progress(bar, "sending"),
            )
        cli.warn_bad(result.bad, file, column)
        cli.run.output.emit(_upload_summary(result))
        cli.run.output.info(
            f"{'added' if operation == 'ADD' else 'removed'} {plural(result.sent, 'record')} "
            f"({operation}) in {plural(result.requests, 'request')}"
        )

    command.__doc__ = (
        f"{verb.capitalize()} FILE's records {'to' if operation == 'ADD' else 'from'} "
        "customer list ID."
    )
    return customer_lists.command(verb)(command)


_change_command("ADD")
_change_command("REMOVE")


@customer_lists.command("sync")
@click.argument("customer_list_id", metavar="ID")
@FILE
@click.option(
    "--ledger",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The list's ledger: what earlier syncs sent (made on first use; digests only).",
)
@click.option(
    "--allow-empty", is_flag=True, help="Let an empty FILE remove every member of the list."
)
@_records_options
@ad_account_option
@global_options()
@click.pass_context
def sync_command(
    ctx: click.Context,
    customer_list_id: str,
    file: Path,
    ledger: Path,
    allow_empty: bool,
    list_type: str,
    column: str | None,
    chunk_size: int,
    skip_bad: bool,
    ad_account: str | None,
) -> None:
    """Make customer list ID hold exactly FILE's records: ADD the new, REMOVE the gone.

    What was sent is kept in the --ledger file (Pinterest never shows a list's members), so
    a second run on the same file sends nothing. The first sync of a list sends every record.
    """
    cli = _Run(ctx, ad_account)
    with cli.upload(f"syncing {file.name}", "customer_lists/update", file, column) as bar:
        result: SyncResult = cli.client.customer_lists.sync(
            cli.account,
            customer_list_id,
            file,
            ledger=ledger,
            list_type=list_type.upper(),
            column=column,
            chunk_size=chunk_size,
            on_bad="skip" if skip_bad else "stop",
            on_progress=_progress(bar, "syncing"),
            allow_empty=allow_empty,
        )
    cli.warn_bad(result.bad, file, column)
    made = result.customer_list
    cli.run.output.emit(
        {
            "customer_list_id": customer_list_id,
            "status": None if made is None else made.status,
            "added": result.added,
            "removed": result.removed,
            "unchanged": result.unchanged,
            "requests": result.requests,
            "bad": len(result.bad),
            "duplicates": result.duplicates,
            "blank": result.blank,
        }
    )
    if result.requests == 0:
        cli.run.output.info(f"in step already: {plural(result.unchanged, 'record')}; nothing sent")
    else:
        cli.run.output.info(
            f"added {result.added}, removed {result.removed}, unchanged {result.unchanged}, "
            f"in {plural(result.requests, 'request')}"
        )


@customer_lists.command("wait")
@click.argument("customer_list_id", metavar="ID")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=86_400,
    show_default=True,
    help="Give up after this many seconds (exit 1).",
)
@ad_account_option
@global_options()
@click.pass_context
def wait_command(
    ctx: click.Context, customer_list_id: str, timeout: float, ad_account: str | None
) -> None:
    """Wait until Pinterest has matched customer list ID: READY, or TOO_SMALL (fewer than 100
    matched users)."""
    cli = _Run(ctx, ad_account)
    with (
        oauth_hint("customer lists", "customer_lists/get", "ads:read"),
        cli.run.output.progress(f"matching customer list {customer_list_id}"),
    ):
        found = cli.client.customer_lists.wait_until_ready(
            cli.account, customer_list_id, timeout=timeout
        )
    cli.run.output.emit(found.to_dict())
    if found.status == "TOO_SMALL":
        cli.run.output.warn("the list matched fewer than 100 Pinterest users: too small to target")


check_ids(customer_lists)
