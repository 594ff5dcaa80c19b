"""``pinkit demo``: a short tour of the toolkit against an in-process emulator.

Nothing leaves the machine: the emulator runs inside this process and every request goes
through an in-memory transport, so the tour works offline and without Pinterest credentials.
With a ``state_path`` the tour's state is kept in that file, for the CLI to look at afterwards.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from ._batch import DryRun
from ._redact import mask
from ._tokens import MemoryTokenStore, TokenSet
from .errors import InvalidInputError
from .media_sources import ImageURL, ImageURLs
from .resources.ads import PromotedPin

REDIRECT_URI = "http://127.0.0.1:8085/callback"
# The ISO media header of an MP4 file: enough for the upload checks of client and emulator.
_TINY_MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
DAY = 86_400

if TYPE_CHECKING:
    from .emulator import Emulator


def run(console: Console, state_path: str | Path | None = None) -> None:
    """The tour, on a fresh emulator kept in ``state_path`` (None: in memory). An existing
    file at ``state_path`` is used as it is: the caller makes sure it is fresh."""
    from .emulator import Emulator

    emulator = Emulator(state_path=state_path)
    try:
        _tour(console, emulator)
    finally:
        emulator.close()
    if state_path is None:
        console.print("[green]Tour complete.[/] Next: pinkit --help")
        return
    state = escape(str(state_path))
    console.print(f"[green]Tour complete.[/] What it made is kept in {state}. Next:")
    console.print(f"  pinkit --emulator-state {state} boards list")
    console.print(f"  pinkit --emulator-state {state} pins list")
    console.print(f"  pinkit emulator serve --state {state}   (over HTTP)")


def _tour(console: Console, emulator: Emulator) -> None:
    step = _Steps(console)

    step("OAuth: authorization-code flow with state")
    app = emulator.register_app(REDIRECT_URI)
    scopes = ["user_accounts:read", "boards:read", "boards:write", "pins:read", "pins:write"]
    url, state = app.authorization_url(scopes)
    console.print(f"  consent URL: [cyan]{url.split('?')[0]}[/]?client_id={app.client_id}&…")
    redirect = urlsplit(emulator.authorize(url))
    query = parse_qs(redirect.query)
    if query.get("state") != [state]:
        raise RuntimeError("state mismatch in the OAuth redirect")
    token = app.exchange_code(query["code"][0])
    console.print(f"  approved; state checked; access token {mask(token.access_token)}")
    console.print(f"  refresh token {mask(token.refresh_token)}, scopes {', '.join(token.scopes)}")

    store = MemoryTokenStore(token)
    refreshed: list[TokenSet] = []
    with emulator.client(
        access_token=None, oauth_app=app, token_store=store, on_token_refresh=refreshed.append
    ) as client:
        step("user_account.get(): a typed model")
        account = client.user_account.get()
        console.print(
            f"  @{account.username} (id {account.id}, {account.account_type}), "
            f"{account.follower_count} followers"
        )

        step("Refresh: 31 days later the access token has expired")
        emulator.clock.advance(31 * DAY)
        account = client.user_account.get()
        new = store.load()
        assert new is not None
        console.print("  the API answered 401; the client refreshed once and retried")
        console.print(
            f"  rotated refresh token saved: {mask(token.refresh_token)} → "
            f"{mask(new.refresh_token)} (callback called {len(refreshed)} time)"
        )

        step("A raw paginated call: GET /user_account/followers, 10 per page")
        followers = list(client.paginate("/user_account/followers", page_size=10))
        pages = sum(1 for r in emulator.requests if r.operation_id == "followers/list")
        table = Table("#", "username", "type")
        for i, follower in enumerate(followers[:5], 1):
            table.add_row(str(i), follower.get("username", ""), follower.get("type", ""))
        console.print(table)
        console.print(f"  {len(followers)} followers in {pages} pages (first 5 shown)")

        step("Boards, sections and pins")
        board = client.boards.create("Spring ideas", description="For the garden")
        assert board.id
        section = client.boards.sections.create(board.id, "Tulips")
        client.pins.create(
            board.id,
            ImageURL("https://example.com/tulips.jpg"),
            title="Tulip bed",
            alt_text="Red tulips in a raised bed",
            board_section_id=section.id,
        )
        client.pins.create(
            board.id,
            ImageURLs(["https://example.com/a.jpg", "https://example.com/b.jpg"]),
            title="Before and after",
        )
        try:
            client.pins.create(board.id, ImageURL("https://example.com/x.jpg"), title="x" * 120)
        except InvalidInputError as exc:
            console.print(f"  bad input is refused before any request: [yellow]{exc}[/]")

        step("A video pin: upload (streamed), wait for processing, create")
        emulator.configure_media(processing_seconds=1)
        with tempfile.TemporaryDirectory() as tmp:
            video = Path(tmp) / "garden.mp4"
            video.write_bytes(_TINY_MP4 + bytes(2_000_000))
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("  uploading garden.mp4", total=video.stat().st_size)
                pin = client.pins.create_video(
                    board.id,
                    video,
                    title="Garden tour",
                    cover_image_key_frame_time=1,
                    on_progress=lambda sent, total: progress.update(task, completed=sent),
                )
        console.print(f"  video pin {pin.id} created ({pin.creative_type})")
        table = Table("pin", "title", "type", "section")
        for p in client.boards.list_pins(board.id):
            table.add_row(
                p.id or "", p.title or "", p.creative_type or "", p.board_section_id or ""
            )
        console.print(table)

    _promote_a_pin(console, emulator, step)

    step("Audiences: a customer list from a CSV file, and an Actalike of it")
    audience_step(console, emulator, Path("pinkit-demo"))

    step("Conversions: 10,000 events, some bad on purpose, then the doctor's view")
    conversions_step(console, emulator, Path("pinkit-demo"))

    step("An ads report: 200 days in two reports, exported to CSV with a PNG chart")
    report_step(console, emulator, Path("pinkit-demo"))

    step("Requests the emulator saw")
    summary = Table("method", "path", "operation", "status")
    for record in emulator.requests:
        summary.add_row(record.method, record.path, record.operation_id or "", str(record.status))
    console.print(summary)


def _promote_a_pin(console: Console, emulator: Any, step: _Steps) -> None:
    """A pin promoted in one call: campaign, ad group (with the budget) and ad, the budget
    given and shown in the ad account's currency."""
    from .money import format_amount

    step("Ads: promote a pin with a daily budget of 20.00")
    with emulator.client(ad_account_id=emulator.default_ad_account_id) as client:
        account = client.ad_accounts.get()
        board = client.boards.create("Shop the look")
        assert board.id
        pin = client.pins.create(board.id, ImageURL("https://example.com/boots.jpg"), title="Boots")
        assert pin.id
        plan = client.ads.promote_pin(pin_id=pin.id, daily_budget="20.00", dry_run=True)
        assert isinstance(plan, DryRun)
        console.print(f"  dry run first: {len(plan.requests)} requests planned, none sent")
        promoted = client.ads.promote_pin(pin_id=pin.id, daily_budget="20.00")
        assert isinstance(promoted, PromotedPin)
    group = promoted.ad_group
    currency = account.currency or "USD"
    table = Table("", "id", "detail")
    table.add_row("campaign", promoted.campaign.id or "", promoted.campaign.objective_type or "")
    budget = format_amount(group.budget_in_micro_currency or 0, currency)
    bid = format_amount(group.bid_in_micro_currency or 0, currency)
    table.add_row("ad group", group.id or "", f"{budget} a day, bid {bid} (the bid floor)")
    table.add_row("ad", promoted.ad.id or "", f"pin {pin.id}, review {promoted.ad.review_status}")
    console.print(table)
    micros = group.budget_in_micro_currency or 0
    console.print(f"  20.00 of the account's {currency}, sent exactly as {micros:,} micro-units")


def audience_step(console: Console, emulator: Any, out_dir: Path) -> None:
    """A CSV of 5,000 customers (one address not usable) written to ``out_dir``/customers.csv,
    uploaded as a customer list (hashed, in requests of 1,900), matched on the emulator clock,
    then an audience of it and a 5% US Actalike of that audience."""
    from .customer_lists import UploadProgress

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "customers.csv"
    rows = [f"Customer {i},Customer.{i}@Example.com" for i in range(5_000)]
    rows[42] = "Customer 42,customer42-at-example.com"
    path.write_text("name,email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    console.print(f"  wrote {path} (5,000 rows)")
    with emulator.client(ad_account_id=emulator.default_ad_account_id) as client:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("  uploading", total=None)

            def shown(p: UploadProgress) -> None:
                progress.update(task, completed=p.sent, total=p.total)

            upload = client.customer_lists.create(
                name="Customers",
                records=path,
                column="email",
                on_bad="skip",
                on_progress=shown,
            )
        for bad in upload.bad:
            console.print(f"  [yellow]row {bad.line} not sent: {bad.reason}[/]")
        made = upload.customer_list
        console.print(
            f"  {upload.sent:,} addresses lowercased and SHA-256 hashed, "
            f"sent in {upload.requests} requests of up to 1,900"
        )
        assert made.id
        ready = client.customer_lists.wait_until_ready(customer_list_id=made.id)
        audience = client.audiences.create_from_customer_list(
            name="Customers", customer_list_id=made.id
        )
        assert audience.id
        lookalike = client.audiences.create_actalike(
            name="Lookalike 5% US", seed_ids=[audience.id], country="US", percentage=5
        )
    console.print(f"  list {ready.id}: PROCESSING, then {ready.status} on the emulator clock")
    table = Table("audience", "id", "type", "status", "size")
    for shown_audience in (audience, lookalike):
        size = "" if shown_audience.size is None else f"{shown_audience.size:,}"
        table.add_row(
            shown_audience.name or "",
            shown_audience.id or "",
            shown_audience.audience_type or "",
            shown_audience.status or "",
            size,
        )
    console.print(table)


def conversions_step(console: Console, emulator: Any, out_dir: Path) -> None:
    """10,000 events streamed with ``send_bulk`` (raw PII hashed on the fly), 1 in 100 of them
    bad on purpose: what did not arrive lands in ``out_dir``/conversions.rejects.jsonl, with
    the reason; then the summary, and what the doctor finds in the same events."""
    from .conversions._doctor import EventDoctor

    now = int(emulator.clock.now())
    agent = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile Safari/604.1"
    )

    def event(i: int) -> dict[str, Any]:
        bad = i % 100 == 42
        return {
            "event_name": "checkout",
            "action_source": "web",
            "event_time": (now - 120) * (1000 if bad and i % 200 == 42 else 1),  # ms: bad
            "event_id": f"demo-order-{i}",
            "user_data": {
                "em": f"shopper{i}.example.com"
                if bad and i % 200 != 42
                else f"Shopper{i}@Example.com",
                "client_ip_address": "203.0.113.50",
                "client_user_agent": agent,
                "external_id": f"customer-{i % 3000}",
            },
            "custom_data": {"currency": "USD", "value": "24.00", "order_id": f"demo-order-{i}"},
        }

    out_dir.mkdir(parents=True, exist_ok=True)
    rejects = out_dir / "conversions.rejects.jsonl"
    rejects.unlink(missing_ok=True)
    quiet = logging.Filter("pinkit.none")  # the summary below says what the log would
    logging.getLogger("pinkit").addFilter(quiet)
    try:
        with (
            emulator.client(ad_account_id=emulator.default_ad_account_id) as client,
            Progress(console=console, transient=True) as progress,
        ):
            task = progress.add_task("  sending 10,000 events", total=10_000)

            def events() -> Any:
                for i in range(10_000):
                    if i % 500 == 0:
                        progress.update(task, completed=i)
                    yield event(i)

            summary = client.conversions.send_bulk(None, events(), rejects=rejects)
    finally:
        logging.getLogger("pinkit").removeFilter(quiet)
    for text in str(summary).splitlines():
        console.print(f"  {escape(text)}")
    first = json.loads(rejects.read_text().splitlines()[0])
    where = escape(str(rejects))
    console.print(f"  rejects in {where}, e.g. event {first['index']}: {escape(first['reason'])}")
    doctor = EventDoctor(now)
    for i in range(10_000):
        doctor.add(i + 1, event(i))
    table = Table("check", "events", "lines (first)")
    for finding in doctor.findings():
        table.add_row(
            escape(finding.message), str(finding.events), ", ".join(map(str, finding.lines[:3]))
        )
    console.print(table)


def report_step(console: Console, emulator: Any, out_dir: Path) -> None:
    """Campaigns with 200 days of history, one report run over all of it (split into windows
    by the planner, polled on the emulator clock), written to ``out_dir``/report.csv and
    drawn to ``out_dir``/report.png."""
    import datetime as dt

    out_dir.mkdir(parents=True, exist_ok=True)
    with emulator.client() as client:
        account = emulator.default_ad_account_id
        start = int(emulator.clock.now()) - 200 * DAY
        board = client.request("POST", "/boards", json={"name": "Ads"})["id"]
        source = {"source_type": "image_url", "url": "https://example.com/ad.jpg"}
        pin = client.request("POST", "/pins", json={"board_id": board, "media_source": source})
        for name, budget in (("Spring sale", 30_000_000), ("Always on", 12_000_000)):
            campaign = client.request(
                "POST",
                f"/ad_accounts/{account}/campaigns",
                json=[
                    {
                        "ad_account_id": account,
                        "name": name,
                        "objective_type": "AWARENESS",
                        "start_time": start,
                        "daily_spend_cap": budget * 2,
                    }
                ],
            )["items"][0]["data"]
            group = client.request(
                "POST",
                f"/ad_accounts/{account}/ad_groups",
                json=[
                    {
                        "campaign_id": campaign["id"],
                        "name": name,
                        "billable_event": "IMPRESSION",
                        "budget_in_micro_currency": budget,
                        "bid_in_micro_currency": 3_000_000,
                        "start_time": start,
                    }
                ],
            )["items"][0]["data"]
            client.request(
                "POST",
                f"/ad_accounts/{account}/ads",
                json=[
                    {"ad_group_id": group["id"], "creative_type": "REGULAR", "pin_id": pin["id"]}
                ],
            )
        today = dt.datetime.fromtimestamp(emulator.clock.now(), dt.timezone.utc).date()
        with console.status("  running the report…") as status:
            report = client.reports.run(
                account,
                level="CAMPAIGN",
                columns=["SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION", "CTR"],
                start_date=today - dt.timedelta(days=199),
                end_date=today,
                on_progress=lambda p: status.update(
                    f"  window {p.window.index}/{p.window.count} ({p.window}): {p.status}"
                ),
            )
    windows = ", ".join(str(w) for w in report.windows)
    console.print(f"  {len(report)} rows from {len(report.windows)} reports ({windows})")
    first = report[0]
    console.print(
        f"  SPEND_IN_MICRO_DOLLAR {first['SPEND_IN_MICRO_DOLLAR']:,} (micro-units) = "
        f"{first['SPEND_IN_ACCOUNT_CURRENCY']} {first['CURRENCY']} (SPEND_IN_ACCOUNT_CURRENCY)"
    )
    csv_path = out_dir / "report.csv"
    report.to_csv(csv_path)
    console.print(f"  wrote {csv_path}")
    console.print(report.terminal_chart(["SPEND_IN_MICRO_DOLLAR"], width=50), markup=False)
    png_path = out_dir / "report.png"
    try:
        report.chart(png_path)
    except InvalidInputError as exc:  # matplotlib missing: pinkit[charts]
        console.print(f"  [yellow]{exc}[/]")
    else:
        console.print(f"  wrote {png_path}")


class _Steps:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.n = 0

    def __call__(self, title: str) -> None:
        self.n += 1
        self.console.print(f"\n[bold]{self.n}. {title}[/]")
