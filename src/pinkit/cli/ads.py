"""``pinkit ads``: ad accounts, campaigns, ad groups and ads, and ``promote`` (a pin promoted in
one command).

Money on the command line is in units of the ad account's currency (``--daily-budget 20.00``),
converted exactly; output shows amounts with their currency (``USD 20.00``), and only
``--format json`` shows Pinterest's integer micros. The ad account is ``--ad-account``, else
``PINTEREST_AD_ACCOUNT_ID``, else the profile's ``ad_account_id`` (with ``--emulator``: the
emulator's own account).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import _ads_io as io
from ._common import GROUP_SETTINGS, ID, BadInput, list_options, plural
from ._options import global_options
from ._session import Session, session

if TYPE_CHECKING:
    from .._batch import BatchResult, DryRun
    from .._client import Client
    from ..resources.ads import PromotedPin

__all__ = ["ads"]

F = TypeVar("F", bound=Callable[..., Any])
NO_ACCOUNT = (
    "no ad account: give --ad-account ID, set PINTEREST_AD_ACCOUNT_ID, or set ad_account_id "
    "in the profile"
)


def ad_account_option(func: F) -> F:
    return click.option(
        "--ad-account",
        "ad_account",
        metavar="ID",
        type=ID,
        help="Ad account (default: $PINTEREST_AD_ACCOUNT_ID, the profile's ad_account_id).",
    )(func)


def _account(run: Session, given: str | None) -> str:
    account = given or run.profile.ad_account_id
    if account is None and run.using_emulator:
        account = run.emulator.default_ad_account_id
    if not account:
        raise BadInput(NO_ACCOUNT)
    return account


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


class _Context:
    """One ``pinkit ads`` command: the session, its client, the ad account and (read once,
    when needed) the account's currency."""

    def __init__(self, ctx: click.Context, ad_account: str | None) -> None:
        self.run = session(ctx)
        self.account = _account(self.run, ad_account)
        self._client: Client | None = None
        self._currency: str | None = None

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = self.run.client()
        return self._client

    @property
    def raw(self) -> bool:
        """JSON output: Pinterest's fields as they are, micros included."""
        return self.run.output.format == "json"

    @property
    def currency(self) -> str:
        if self._currency is None:
            found = self.client.ad_accounts.get(self.account).currency
            self._currency = (found or "UNK").upper()
        return self._currency

    def shown(self, model: Any) -> dict[str, Any]:
        data = model.to_dict() if hasattr(model, "to_dict") else dict(model)
        return data if self.raw else io.display(data, self.currency)

    def emit(self, model: Any) -> None:
        self.run.output.emit(self.shown(model))

    def emit_plan(self, plan: DryRun) -> None:
        out = self.run.output
        for error in plan.failed:
            out.warn(f"item {error.index + 1}: {error.message} (would not be sent)")
        out.emit([r.to_dict() for r in plan.requests])
        out.warn(f"dry run: {plural(len(plan.requests), 'request')} planned; nothing was sent")


# -- the group ------------------------------------------------------------------------------------
@click.group(context_settings=GROUP_SETTINGS)
@global_options()
def ads() -> None:
    """Ads: ad accounts, campaigns, ad groups, ads, and promoting a pin.

    \b
    Examples:
      pinkit ads accounts list
      pinkit ads campaigns list --status ACTIVE --include-archived
      pinkit ads campaigns create --name "Spring" --objective AWARENESS --daily-spend-cap 50
      pinkit ads ad-groups create --file groups.csv --dry-run
      pinkit ads campaigns pause 1234 5678
      pinkit ads promote 987654321 --daily-budget 20.00 --end 2026-12-31

    Amounts are in the ad account's currency (20.00 is USD 20.00 in a USD account); only
    --format json shows Pinterest's integer micros. Every write takes --dry-run: all local
    checks, the requests printed, nothing sent.
    """


@ads.group("accounts", context_settings=GROUP_SETTINGS)
@global_options()
def accounts() -> None:
    """The ad accounts you own or have a role on."""


@accounts.command("list")
@list_options
@global_options()
@click.pass_context
def list_accounts(ctx: click.Context, max_items: int | None, page_size: int | None) -> None:
    """List your ad accounts (and those shared with you)."""
    run = session(ctx)
    items = run.client().ad_accounts.list(page_size=page_size, max_items=max_items)
    count = run.output.stream(
        (a.to_dict() for a in items), columns=("id", "name", "currency", "country", "permissions")
    )
    run.output.info(plural(count, "ad account"))


@accounts.command("get")
@click.argument("ad_account_id", required=False)
@global_options()
@click.pass_context
def get_account(ctx: click.Context, ad_account_id: str | None) -> None:
    """Show one ad account (default: the one --ad-account or the profile gives)."""
    run = session(ctx)
    account = _account(run, ad_account_id)
    run.output.emit(run.client().ad_accounts.get(account).to_dict())


# -- campaigns, ad groups, ads ------------------------------------------------------------------
@dataclass(frozen=True)
class FieldOption:
    """A create/update option and the item field it sets: ``text``, ``money`` (units of the
    account's currency) or ``time`` (ISO 8601)."""

    option: str
    field: str
    kind: str = "text"
    help: str = ""


@dataclass(frozen=True)
class Kind:
    command: str
    resource: str
    noun: str
    area: str
    id_filters: tuple[tuple[str, str], ...]
    fields: tuple[FieldOption, ...]
    columns: tuple[str, ...]

    def api(self, client: Client) -> Any:
        return getattr(client, self.resource)


STATUS = FieldOption("--status", "status", help="ACTIVE (default), PAUSED or DRAFT.")
SCHEDULE = (
    FieldOption("--start", "start_time", "time", "Start: ISO 8601 date or time (UTC)."),
    FieldOption("--end", "end_time", "time", "End: ISO 8601 date or time (UTC)."),
)
KINDS = (
    Kind(
        "campaigns",
        "campaigns",
        "campaign",
        "campaigns",
        (("--id", "campaign_ids"),),
        (
            FieldOption("--name", "name", help="Campaign name."),
            FieldOption("--objective", "objective_type", help="AWARENESS, CONSIDERATION..."),
            STATUS,
            FieldOption("--daily-spend-cap", "daily_spend_cap", "money", "Daily cap (20.00)."),
            FieldOption("--lifetime-spend-cap", "lifetime_spend_cap", "money", "Lifetime cap."),
            *SCHEDULE,
        ),
        ("id", "name", "status", "objective_type", "daily_spend_cap", "lifetime_spend_cap"),
    ),
    Kind(
        "ad-groups",
        "ad_groups",
        "ad group",
        "ad_groups",
        (("--id", "ad_group_ids"), ("--campaign", "campaign_ids")),
        (
            FieldOption("--campaign", "campaign_id", help="The campaign (create)."),
            FieldOption("--name", "name", help="Ad group name."),
            FieldOption("--billable-event", "billable_event", help="IMPRESSION, CLICKTHROUGH..."),
            FieldOption("--budget", "budget_in_micro_currency", "money", "Budget (20.00)."),
            FieldOption("--budget-type", "budget_type", help="DAILY (default) or LIFETIME."),
            FieldOption("--bid", "bid_in_micro_currency", "money", "Bid (0.50)."),
            STATUS,
            *SCHEDULE,
        ),
        ("id", "name", "status", "campaign_id", "budget", "budget_type", "bid", "billable_event"),
    ),
    Kind(
        "ads",
        "ads",
        "ad",
        "ads",
        (("--id", "ad_ids"), ("--campaign", "campaign_ids"), ("--ad-group", "ad_group_ids")),
        (
            FieldOption("--ad-group", "ad_group_id", help="The ad group (create)."),
            FieldOption("--pin", "pin_id", help="The pin to promote (create)."),
            FieldOption("--creative-type", "creative_type", help="REGULAR (default), VIDEO..."),
            FieldOption("--name", "name", help="Ad name."),
            FieldOption("--destination-url", "destination_url", help="Where a click goes."),
            STATUS,
        ),
        ("id", "name", "status", "review_status", "pin_id", "ad_group_id", "creative_type"),
    ),
)


def _item_from_options(cli: _Context, kind: Kind, values: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for spec in kind.fields:
        raw = values.get(spec.field)
        if raw is None:
            continue
        if spec.kind == "money":
            item[spec.field] = io.money_option(spec.option, raw, cli.currency)
        elif spec.kind == "time":
            item[spec.field] = io.parse_time(spec.option, raw)
        else:
            item[spec.field] = raw
    return item


def _report(
    cli: _Context, kind: Kind, result: BatchResult[Any], rows: Sequence[int], verb: str
) -> None:
    """A line for every input row; exit 1 if any failed."""
    from .._batch import ItemError

    out = cli.run.output
    records: list[dict[str, Any]] = []
    for row, entry in zip(rows, result.results, strict=True):
        if isinstance(entry, ItemError):
            item = entry.item if isinstance(entry.item, dict) else {}
            records.append(
                {
                    "row": row,
                    "result": "failed",
                    "id": item.get("id", ""),
                    "name": item.get("name", ""),
                    "message": entry.message,
                }
            )
        else:
            records.append(
                {
                    "row": row,
                    "result": verb,
                    "id": entry.id,
                    "name": entry.name or "",
                    "message": "",
                }
                if not cli.raw
                else {"row": row, "result": verb, **entry.to_dict()}
            )
    out.stream(records, columns=("row", "result", "id", "name", "message"))
    failed = len(result.failed)
    out.warn(f"{len(result.succeeded)} {verb}, {failed} failed")
    if failed:
        click.get_current_context().exit(1)


def _file_items(cli: _Context, kind: Kind, path: Path, update: bool) -> tuple[list[Any], list[int]]:
    """The file's items, every row checked first (the file's format, then every local check
    of the client): any problem is listed and nothing is sent (exit 2)."""
    operation_id = f"{kind.area}/{'update' if update else 'create'}"
    currency = cli.currency if _mentions_money(path) else None
    items, rows, problems = io.read_items(path, operation_id, currency)
    messages = [str(p) for p in problems]
    bad_rows = {p.row for p in problems}
    checkable = [(row, item) for row, item in zip(rows, items, strict=True) if row not in bad_rows]
    if checkable:
        api = kind.api(cli.client)
        write = api.update if update else api.create
        plan = write(cli.account, [item for _, item in checkable], dry_run=True)
        messages += [f"row {checkable[e.index][0]}: {e.message}" for e in plan.failed]
    if messages:
        for message in messages:
            cli.run.output.error(f"error: {message}")
        raise BadInput(f"{plural(len(messages), 'problem')} in {path}; nothing was sent")
    return items, rows


def _mentions_money(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    return any(name in text for name in io.MONEY_FIELDS)


def _add_commands(group: click.Group, kind: Kind) -> None:
    noun = kind.noun

    @group.command("list")
    @click.option("--status", "statuses", multiple=True, help="Only these statuses (repeat).")
    @click.option("--include-archived", is_flag=True, help="ARCHIVED ones too.")
    @click.option("--order", help="ASCENDING or DESCENDING (by id).")
    @list_options
    @ad_account_option
    @global_options()
    @click.pass_context
    def list_command(
        ctx: click.Context,
        /,
        statuses: tuple[str, ...],
        include_archived: bool,
        order: str | None,
        max_items: int | None,
        page_size: int | None,
        ad_account: str | None,
        **ids: tuple[str, ...],
    ) -> None:
        cli = _Context(ctx, ad_account)
        filters: dict[str, Any] = {name: list(values) for name, values in ids.items() if values}
        if statuses:
            filters["entity_statuses"] = [s.upper() for s in statuses]
        if order:
            filters["order"] = order.upper()
        items = kind.api(cli.client).list(
            cli.account,
            include_archived=include_archived,
            page_size=page_size,
            max_items=max_items,
            **filters,
        )
        if not cli.raw:
            cli.currency  # noqa: B018 (read before the stream starts)
        count = cli.run.output.stream((cli.shown(e) for e in items), columns=kind.columns)
        cli.run.output.info(plural(count, noun))

    list_command.__doc__ = (
        f"List the ad account's {kind.command.replace('-', ' ')} (every page; ARCHIVED ones "
        "only with --include-archived or --status ARCHIVED)."
    )
    for option, name in kind.id_filters:
        list_command = click.option(option, name, multiple=True, metavar="ID", help="Repeat.")(
            list_command
        )

    @group.command("get")
    @click.argument("entity_id", metavar="ID")
    @ad_account_option
    @global_options()
    @click.pass_context
    def get_command(ctx: click.Context, entity_id: str, ad_account: str | None) -> None:
        cli = _Context(ctx, ad_account)
        api = kind.api(cli.client)
        cli.emit(api.get(cli.account, entity_id))

    get_command.__doc__ = f"Show one {noun}."

    def write_command(update: bool) -> Callable[..., None]:
        def command(
            ctx: click.Context,
            file: Path | None,
            dry_run: bool,
            ad_account: str | None,
            entity_id: str | None = None,
            **values: Any,
        ) -> None:
            cli = _Context(ctx, ad_account)
            api = kind.api(cli.client)
            given = {k: v for k, v in values.items() if v is not None}
            if file is not None:
                if given or entity_id:
                    raise click.UsageError("give either --file or the options, not both")
                items, rows = _file_items(cli, kind, file, update)
                if dry_run:
                    cli.emit_plan(
                        (api.update if update else api.create)(cli.account, items, dry_run=True)
                    )
                    return
                result = (api.update if update else api.create)(cli.account, items)
                _report(cli, kind, result, rows, "updated" if update else "created")
                return
            item = _item_from_options(cli, kind, given)
            if update:
                if not item:
                    raise click.UsageError("nothing to update: give an option or --file")
                item = {"id": entity_id, **item}
            write = api.update_one if update else api.create_one
            if dry_run:
                cli.emit_plan(write(cli.account, item, dry_run=True))
                return
            cli.emit(write(cli.account, item))

        command.__name__ = "update" if update else "create"
        decorated: Any = command
        decorated = click.pass_context(decorated)
        decorated = global_options()(decorated)
        decorated = ad_account_option(decorated)
        decorated = click.option(
            "--dry-run", is_flag=True, help="Check and print the requests; send nothing."
        )(decorated)
        decorated = click.option(
            "--file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Many from a .csv or .json file (the API's field names).",
        )(decorated)
        for spec in reversed(kind.fields):
            if update and spec.field in ("campaign_id", "ad_group_id", "pin_id"):
                continue
            decorated = click.option(spec.option, spec.field, help=spec.help)(decorated)
        if update:
            decorated = click.argument("entity_id", metavar="ID", required=False)(decorated)
        what = kind.command.replace("-", " ")
        decorated.__doc__ = (
            f"Change a {noun} (ID and options) or many (--file, with an id column)."
            if update
            else f"Create a {noun} from the options, or many {what} from --file."
        ) + (
            "\n\n    Amounts are in the ad account's currency (20.00); in a file write them with"
            " it ('USD 20.00'), or as integer micros in JSON. Every file row is checked first:"
            " if any is bad, nothing is sent (exit 2). Each row gets a result; exit 1 if any"
            " failed."
        )
        return group.command("update" if update else "create")(decorated)

    write_command(False)
    write_command(True)

    for verb, status in (("pause", "PAUSED"), ("activate", "ACTIVE"), ("archive", "ARCHIVED")):

        def status_command(verb: str = verb, status: str = status) -> None:
            @group.command(verb)
            @click.argument("ids", nargs=-1, required=True, metavar="ID...")
            @click.option("--dry-run", is_flag=True, help="Print the request; send nothing.")
            @ad_account_option
            @global_options()
            @click.pass_context
            def command(
                ctx: click.Context, ids: tuple[str, ...], dry_run: bool, ad_account: str | None
            ) -> None:
                cli = _Context(ctx, ad_account)
                change = getattr(kind.api(cli.client), verb)
                if dry_run:
                    cli.emit_plan(change(cli.account, list(ids), dry_run=True))
                    return
                result = change(cli.account, list(ids))
                _report(cli, kind, result, range(1, len(ids) + 1), f"set {status}")

            command.__doc__ = f"Set one {noun} or many to {status}." + (
                " Final: archived ones cannot be activated again." if status == "ARCHIVED" else ""
            )

        status_command()


for _kind in KINDS:
    _group = click.Group(
        _kind.command,
        context_settings=GROUP_SETTINGS,
        help=f"The ad account's {_kind.command.replace('-', ' ')}: list, get, create, update, "
        "pause, activate, archive.",
    )
    _add_commands(_group, _kind)
    ads.add_command(_group)


# -- promote --------------------------------------------------------------------------------------
@ads.command()
@click.argument("pin_id")
@click.option("--daily-budget", metavar="AMOUNT", help="Daily budget, in the account's currency.")
@click.option("--lifetime-budget", metavar="AMOUNT", help="Lifetime budget (needs --end).")
@click.option("--bid", metavar="AMOUNT", help="Bid (default: Pinterest's bid floor).")
@click.option("--objective", default="AWARENESS", show_default=True, help="Campaign objective.")
@click.option("--start", help="Start: ISO 8601 date or time (UTC unless it has a zone).")
@click.option("--end", help="End: ISO 8601 date or time (UTC unless it has a zone).")
@click.option("--status", default="ACTIVE", show_default=True, help="ACTIVE or PAUSED.")
@click.option("--name", help="Name of the campaign, ad group and ad.")
@click.option("--destination-url", help="Where a click on the ad goes.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask (needed when stdin is no terminal).")
@click.option("--dry-run", is_flag=True, help="Print the requests; send nothing.")
@ad_account_option
@global_options()
@click.pass_context
def promote(
    ctx: click.Context,
    pin_id: str,
    daily_budget: str | None,
    lifetime_budget: str | None,
    bid: str | None,
    objective: str,
    start: str | None,
    end: str | None,
    status: str,
    name: str | None,
    destination_url: str | None,
    yes: bool,
    dry_run: bool,
    ad_account: str | None,
) -> None:
    """Promote PIN_ID: a campaign, an ad group with the budget, and an ad, in one go.

    \b
    Example:
      pinkit ads promote 987654321 --daily-budget 20.00 --start 2026-12-01 --end 2026-12-31

    On a terminal it shows what it is about to make (budget in the account's currency, dates
    in UTC) and asks first; otherwise it needs --yes. If a step fails, what was made is
    archived and the error says so.
    """
    cli = _Context(ctx, ad_account)
    out = cli.run.output
    kwargs: dict[str, Any] = {
        "objective_type": objective.upper(),
        "status": status.upper(),
        "name": name,
        "destination_url": destination_url,
        "start_time": io.parse_time("--start", start) if start else None,
        "end_time": io.parse_time("--end", end) if end else None,
    }
    amounts = {"daily_budget": daily_budget, "lifetime_budget": lifetime_budget, "bid": bid}
    ads_api = cli.client.ads

    def send(*, dry: bool, currency: str | None = None) -> Any:
        return ads_api.promote_pin(
            cli.account,
            pin_id,
            daily_budget=daily_budget,
            lifetime_budget=lifetime_budget,
            bid=bid,
            currency=currency,
            dry_run=dry,
            **kwargs,
        )

    if dry_run:
        cli.emit_plan(send(dry=True))
        return
    if (daily_budget is None) == (lifetime_budget is None):
        raise BadInput("give one budget: --daily-budget or --lifetime-budget")
    if not yes and not _stdin_is_terminal():
        raise BadInput("pinkit ads promote spends money: give --yes to go ahead without a terminal")
    currency = cli.currency
    summary = _promote_summary(cli, pin_id, amounts, kwargs, currency)
    if yes:
        out.info(summary)
    else:
        out.warn(summary)
        if not click.confirm("Create it and start spending?", default=False, err=True):
            out.warn("Nothing was created.")
            ctx.exit(1)
    promoted: PromotedPin = send(dry=False, currency=currency)
    if cli.raw:
        out.emit(
            {
                "campaign": promoted.campaign.to_dict(),
                "ad_group": promoted.ad_group.to_dict(),
                "ad": promoted.ad.to_dict(),
                "currency": promoted.currency,
            }
        )
        return
    group = promoted.ad_group
    out.emit(
        io.display(
            {
                "campaign_id": promoted.campaign.id,
                "ad_group_id": group.id,
                "ad_id": promoted.ad.id,
                "pin_id": promoted.ad.pin_id,
                "budget_in_micro_currency": group.budget_in_micro_currency,
                "budget_type": group.budget_type,
                "bid_in_micro_currency": group.bid_in_micro_currency,
                "status": promoted.ad.status,
                "review_status": promoted.ad.review_status,
                "start_time": group.start_time,
                "end_time": group.end_time,
            },
            currency,
        )
    )


def _promote_summary(
    cli: _Context, pin_id: str, amounts: dict[str, Any], kwargs: dict[str, Any], currency: str
) -> str:
    from ..money import format_amount

    daily = amounts["daily_budget"] is not None
    budget = amounts["daily_budget"] if daily else amounts["lifetime_budget"]
    micros = io.money_option("--daily-budget" if daily else "--lifetime-budget", budget, currency)
    budget_text = format_amount(micros, currency) + (" a day" if daily else " in all")
    bid = amounts["bid"]
    bid_text = (
        format_amount(io.money_option("--bid", bid, currency), currency)
        if bid is not None
        else "Pinterest's bid floor, where the objective needs a bid"
    )
    start = io.show_time(kwargs["start_time"]) if kwargs["start_time"] else "now"
    end = io.show_time(kwargs["end_time"]) if kwargs["end_time"] else "no end date"
    return (
        f"About to promote pin {pin_id} from ad account {cli.account} ({currency}):\n"
        f"  campaign  {kwargs['name'] or f'Promoted pin {pin_id}'} "
        f"({kwargs['objective_type']}, {kwargs['status']})\n"
        f"  budget    {budget_text}\n"
        f"  bid       {bid_text}\n"
        f"  runs      from {start} to {end}"
    )
