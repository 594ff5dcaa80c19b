"""Chapter 4: a customer list from a generated CSV file (one address in it unusable), matched
on the emulator clock, an audience of it, and an Actalike of that audience."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from ._tour import Tour

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["BAD_ROW", "CUSTOMERS", "make_audiences"]

CUSTOMERS = 5_000
#: The index of the customer whose address has no @ (line BAD_ROW + 2 of the file).
BAD_ROW = 42


def make_audiences(tour: Tour, client: Client) -> None:
    """customers.csv, the customer list of it once matched, and the two audiences."""
    tour.chapter("audiences", "A customer list from a CSV file, and an Actalike audience")
    path = tour.out / "customers.csv"
    rows = [f"Customer {i},Customer.{i}@Example.com" for i in range(CUSTOMERS)]
    rows[BAD_ROW] = f"Customer {BAD_ROW},customer{BAD_ROW}-at-example.com"
    path.write_text("name,email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    tour.wrote(path, "the customers of the customer list")
    tour.say(f"wrote {escape(str(path))}: {CUSTOMERS:,} customers")

    with tour.progress("uploading customers.csv", None) as moved:
        upload = client.customer_lists.create(
            name="Customers",
            records=path,
            column="email",
            on_bad="skip",
            on_progress=lambda progress: moved(progress.sent, progress.total),
        )
    for bad in upload.bad:
        tour.say(f"[yellow]line {bad.line} not sent: {escape(bad.reason)}[/]")
    tour.say(
        f"{upload.sent:,} addresses lowercased and SHA-256 hashed, sent in {upload.requests} "
        "requests"
    )
    made = upload.customer_list
    assert made.id
    ready = client.customer_lists.wait_until_ready(customer_list_id=made.id)
    tour.say(f"list {ready.id}: {made.status}, then {ready.status} (waited on the emulator clock)")

    audience = client.audiences.create_from_customer_list(
        name="Customers", customer_list_id=made.id
    )
    assert audience.id
    actalike = client.audiences.create_actalike(
        name="Lookalike 5% US", seed_ids=[audience.id], country="US", percentage=5
    )
    table = Table("audience", "id", "type", "status", "size")
    for each in (audience, actalike):
        size = "" if each.size is None else f"{each.size:,}"
        table.add_row(
            each.name or "", each.id or "", each.audience_type or "", each.status or "", size
        )
    tour.show(table)
