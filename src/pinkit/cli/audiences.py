"""``pinkit audiences``: the ad account's audiences, and Actalike (lookalike) audiences made
from them. The ad account is ``--ad-account``, else ``PINTEREST_AD_ACCOUNT_ID``, else the
profile's ``ad_account_id``."""

from __future__ import annotations

import click

from ._common import GROUP_SETTINGS, check_ids, list_options, plural
from ._options import global_options
from ._session import session
from .ads import _account, ad_account_option
from .customer_lists import oauth_hint

__all__ = ["audiences"]

COLUMNS = ("id", "name", "audience_type", "status", "size")


@click.group(context_settings=GROUP_SETTINGS)
@global_options()
def audiences() -> None:
    """Audiences: list them, and make Actalikes (lookalikes) of customer-list audiences.

    \b
    Examples:
      pinkit audiences list
      pinkit audiences create-from-list 1234 --name "Customers"
      pinkit audiences create-actalike --name "LAL 5% US" --seed 5678 --country US --percentage 5

    An Actalike's --country is US, CA or GB and its --percentage a whole number from 1 to 10
    (the share of that country's Pinterest users); both are checked before anything is sent.
    """


@audiences.command("list")
@click.option(
    "--ownership",
    type=click.Choice(("OWNED", "RECEIVED"), case_sensitive=False),
    help="OWNED (default) or RECEIVED (shared with the account).",
)
@click.option("--order", type=click.Choice(("ASCENDING", "DESCENDING"), case_sensitive=False))
@list_options
@ad_account_option
@global_options()
@click.pass_context
def list_command(
    ctx: click.Context,
    ownership: str | None,
    order: str | None,
    max_items: int | None,
    page_size: int | None,
    ad_account: str | None,
) -> None:
    """List the ad account's audiences (every page)."""
    run = session(ctx)
    account = _account(run, ad_account)
    with oauth_hint("audiences", "audiences/list", "ads:read"):
        items = run.client().audiences.list(
            account,
            order=order.upper() if order else None,
            ownership_type=ownership.upper() if ownership else None,
            page_size=page_size,
            max_items=max_items,
        )
        count = run.output.stream((a.to_dict() for a in items), columns=COLUMNS)
    run.output.info(plural(count, "audience"))


@audiences.command("get")
@click.argument("audience_id", metavar="ID")
@ad_account_option
@global_options()
@click.pass_context
def get_command(ctx: click.Context, audience_id: str, ad_account: str | None) -> None:
    """Show one audience: its rule, status and size."""
    run = session(ctx)
    account = _account(run, ad_account)
    with oauth_hint("audiences", "audiences/get", "ads:read"):
        found = run.client().audiences.get(account, audience_id)
    run.output.emit(found.to_dict())


@audiences.command("create-from-list")
@click.argument("customer_list_id", metavar="CUSTOMER_LIST_ID")
@click.option("--name", required=True, help="The audience's name.")
@click.option("--description", help="A description.")
@ad_account_option
@global_options()
@click.pass_context
def create_from_list(
    ctx: click.Context,
    customer_list_id: str,
    name: str,
    description: str | None,
    ad_account: str | None,
) -> None:
    """Make a CUSTOMER_LIST audience of a customer list (its matched Pinterest users)."""
    run = session(ctx)
    account = _account(run, ad_account)
    with oauth_hint("audiences", "audiences/create", "ads:write"):
        made = run.client().audiences.create_from_customer_list(
            account, name, customer_list_id, description=description
        )
    run.output.emit(made.to_dict())
    run.output.info(f"created audience {made.id} ({made.status})")


@audiences.command("create-actalike")
@click.option("--name", required=True, help="The audience's name.")
@click.option(
    "--seed",
    "seeds",
    multiple=True,
    required=True,
    metavar="AUDIENCE_ID",
    help="A seed audience of the account (repeat for several).",
)
@click.option("--country", required=True, help="US, CA or GB.")
@click.option(
    "--percentage",
    required=True,
    type=int,
    help="1 to 10: the share of the country's Pinterest users the audience reaches.",
)
@click.option("--description", help="A description.")
@ad_account_option
@global_options()
@click.pass_context
def create_actalike(
    ctx: click.Context,
    name: str,
    seeds: tuple[str, ...],
    country: str,
    percentage: int,
    description: str | None,
    ad_account: str | None,
) -> None:
    """Make an ACTALIKE audience: Pinterest users like those of the seed audiences."""
    run = session(ctx)
    account = _account(run, ad_account)
    with oauth_hint("audiences", "audiences/create", "ads:write"):
        made = run.client().audiences.create_actalike(
            account,
            name,
            list(seeds),
            country=country,
            percentage=percentage,
            description=description,
        )
    run.output.emit(made.to_dict())
    run.output.info(f"created Actalike audience {made.id} ({made.status})")


check_ids(audiences)
