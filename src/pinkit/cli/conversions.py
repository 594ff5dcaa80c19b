"""``pinkit conversions``: send a file of conversion events (resumably), send again what did
not arrive, and check a file (and Pinterest's Event Quality Score) for what costs matches.

The file formats and columns are in ``_conversions_io``. ``send`` and ``replay`` share one run:
a progress bar (transient, on a terminal), the summary, the rejects file with the input line of
each reject, and the checkpoint rules:

* the checkpoint of ``FILE`` is ``FILE.checkpoint`` beside it (``--checkpoint`` to choose); stdin
  has none and cannot be resumed (``--resume`` or ``--checkpoint`` with ``-``: exit 2);
* an existing checkpoint is never ignored: without ``--resume`` it is bad input (exit 2,
  saying to pass ``--resume`` or remove it), so a file is never sent twice by accident;
  ``--resume`` without a checkpoint starts from the first event;
* a fresh run does not append to an existing rejects file (exit 2: remove it or pick another),
  so the file and the summary always tell the same story.

Exit codes: 0 every event delivered, 1 some not (invalid, refused or undeliverable: the summary
says how many and where the rejects are), 2 bad input.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._common import GROUP_SETTINGS, BadInput, plural
from ._conversions_io import EventFile, LineRejects, read_rejects
from ._options import global_options
from ._session import Session, session
from .ads import _account, ad_account_option

if TYPE_CHECKING:
    from ..conversions import BulkSummary

__all__ = ["conversions"]

TEST_BANNER = "TEST MODE (nothing recorded)"
#: Events read between two updates of the progress bar.
PROGRESS_STEP = 500


@click.group(context_settings=GROUP_SETTINGS)
@global_options()
def conversions() -> None:
    """Conversion events: send a CSV or JSONL file (resumable), replay rejects, check a file.

    \b
    Examples:
      pinkit conversions send orders.csv                 send, hashing raw PII on the fly
      pinkit conversions send orders.csv --test          checked by Pinterest, not recorded
      pinkit conversions send orders.csv --resume        go on after a stop or a crash
      pinkit conversions replay orders.csv.rejects.jsonl send again what did not arrive
      pinkit conversions doctor orders.csv --ad-account 549755885175
    """


def _send_options(func: Any) -> Any:
    options = [
        ad_account_option,
        click.option(
            "--test", is_flag=True, help="Test mode: Pinterest checks the events, records none."
        ),
        click.option(
            "--rejects",
            "rejects_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Where the events that did not arrive go (JSONL; default: beside the input).",
        ),
        click.option(
            "--checkpoint",
            "checkpoint_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="The checkpoint to resume from (default: the input's name + .checkpoint).",
        ),
        click.option("--resume", is_flag=True, help="Go on from the checkpoint of an earlier run."),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 32),
            default=4,
            show_default=True,
            help="Requests in flight.",
        ),
        click.option(
            "--batch-size",
            type=click.IntRange(1, 1000),
            help="Events per request (default: 1,000; 20 in test mode).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@conversions.command()
@click.argument("file", metavar="FILE")
@_send_options
@global_options()
@click.pass_context
def send(
    ctx: click.Context,
    file: str,
    ad_account: str | None,
    test: bool,
    rejects_path: Path | None,
    checkpoint_path: Path | None,
    resume: bool,
    concurrency: int,
    batch_size: int | None,
) -> None:
    """Send a file of conversion events (.csv, .jsonl, or - for stdin).

    Raw PII (e-mail, phone, names, ...) is normalised and hashed on the fly; SHA-256 digests
    are sent as they are. Every event that does not arrive goes to the rejects file with
    its line, kind (invalid, refused, undeliverable) and reason: nothing is dropped.

    \b
    CSV columns (header row, any order, any case; empty cells are left out):
      event fields     event_name, action_source, event_time (Unix seconds or ISO 8601
                       with a zone), event_id, event_source_url, opt_out, partner_name,
                       app_id, app_name, app_version, device_*, os_version, wifi, language
      user_data        em, ph, ge, db, ln, fn, ct, st, zp, country, external_id,
                       hashed_maids (several values: a|b), client_ip_address,
                       client_user_agent, click_id, partner_id
      custom_data      value, currency, order_id, content_ids (a|b), content_name,
                       content_category, content_brand, num_items, search_string,
                       opt_out_type, np, contents (JSON), predicted_ltv, ...
    JSONL: one event per line in the API's shape (user_data, custom_data nested).

    The rejects file defaults to FILE.rejects.jsonl and the checkpoint to FILE.checkpoint,
    beside FILE (stdin: ./stdin.rejects.jsonl, no checkpoint). After a stop (Ctrl-C, a
    crash, kill -9), run it again with --resume: it goes on where it stopped, sending no
    event twice under a new id. An existing checkpoint without --resume is an error.

    Exit code 0 when every event was delivered, 1 when some were not, 2 on bad input.
    """
    source = EventFile(file)
    if source.stdin and resume:
        raise BadInput("--resume needs a file: stdin cannot be read again from where it stopped")
    if source.stdin and checkpoint_path is not None:
        raise BadInput("--checkpoint needs a file: stdin cannot be resumed")
    if source.path is not None:
        rejects = rejects_path or source.path.with_name(source.path.name + ".rejects.jsonl")
        checkpoint = checkpoint_path or source.path.with_name(source.path.name + ".checkpoint")
        if source.path.resolve() in (rejects.resolve(), checkpoint.resolve()):
            raise BadInput("the rejects file and the checkpoint must not be the input itself")
    else:
        rejects = rejects_path or Path("stdin.rejects.jsonl")
        checkpoint = None
    _run(ctx, source.label, source.count_lines(), source.items(), source.line_of, ad_account, test,
         rejects, checkpoint, resume, concurrency, batch_size)  # fmt: skip


@conversions.command()
@click.argument("rejects_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--include-refused",
    is_flag=True,
    help="Also send the events Pinterest refused (after fixing what it said).",
)
@_send_options
@global_options()
@click.pass_context
def replay(
    ctx: click.Context,
    rejects_file: Path,
    include_refused: bool,
    ad_account: str | None,
    test: bool,
    rejects_path: Path | None,
    checkpoint_path: Path | None,
    resume: bool,
    concurrency: int,
    batch_size: int | None,
) -> None:
    """Send again the undeliverable events of a rejects file, with the same event ids.

    Pinterest deduplicates online events by their ids, so an event that did arrive after
    all is not counted twice; offline events are never deduplicated (check them first).
    --include-refused adds the events Pinterest refused; invalid ones are never sent (fix
    them in the input and send them with `send`). What does not arrive this time goes to
    the replay's own rejects file (default: REJECTS_FILE with .replay before .jsonl).

    Exit code 0 when every replayed event was delivered, 1 when some were not, 2 on bad
    input.
    """
    kinds = {"undeliverable", "refused"} if include_refused else {"undeliverable"}
    counts = {"invalid": 0, "refused": 0, "undeliverable": 0}
    offline = 0
    for _line, reject in read_rejects(rejects_file):  # checked whole before anything is sent
        counts[reject["kind"]] += 1
        event = reject["event"]
        if reject["kind"] in kinds and isinstance(event, dict):
            offline += event.get("action_source") == "offline"
    stem = rejects_file.name.removesuffix(".jsonl")
    rejects = rejects_path or rejects_file.with_name(stem + ".replay.jsonl")
    checkpoint = checkpoint_path or rejects_file.with_name(stem + ".replay.checkpoint")
    if rejects_file.resolve() in (rejects.resolve(), checkpoint.resolve()):
        raise BadInput("the replay's rejects file must not be the file it replays")
    out = session(ctx).output
    skipped = [f"{counts['invalid']} invalid (never replayed: fix them and use send)"]
    if not include_refused and counts["refused"]:
        skipped.append(f"{counts['refused']} refused (--include-refused sends them)")
    chosen = sum(counts[k] for k in kinds)
    out.info(
        f"replaying {plural(chosen, 'event')} of {rejects_file}; skipped: {', '.join(skipped)}"
    )
    if offline:
        out.warn(
            f"warning: {plural(offline, 'offline event')} among them: Pinterest never "
            "deduplicates offline events, so any that did arrive will count twice"
        )
    lines: list[int] = []

    def items() -> Iterator[tuple[int, Any]]:
        for line, reject in read_rejects(rejects_file):
            if reject["kind"] in kinds:
                lines.append(line)
                yield line, reject["event"]

    _run(ctx, str(rejects_file), chosen, items(), lines.__getitem__, ad_account, test, rejects,
         checkpoint, resume, concurrency, batch_size)  # fmt: skip


def _run(
    ctx: click.Context,
    label: str,
    total: int | None,
    items: Iterator[tuple[int, Any]],
    line_of: Any,
    ad_account: str | None,
    test: bool,
    rejects: Path,
    checkpoint: Path | None,
    resume: bool,
    concurrency: int,
    batch_size: int | None,
) -> None:
    run = session(ctx)
    out = run.output
    account = _account(run, ad_account)
    resuming = checkpoint is not None and checkpoint.exists()
    if resuming and not resume:
        raise BadInput(
            f"checkpoint {checkpoint} exists (an earlier run of this input): pass --resume to "
            "go on where it stopped, or remove it to send everything again"
        )
    if not resuming and rejects.exists() and rejects.stat().st_size > 0:
        raise BadInput(
            f"rejects file {rejects} exists (an earlier run): remove it or choose another "
            "with --rejects"
        )
    if resume and not resuming:
        out.info(f"no checkpoint at {checkpoint}: starting from the first event")
    client = run.client()
    sink = LineRejects(rejects, line_of)
    mode = f"{TEST_BANNER}: " if test else ""
    with out.progress(f"{mode}sending {label}", total=total, unit="events") as bar:

        def events() -> Iterator[Any]:
            read = 0
            for _line, event in items:
                yield event
                read += 1
                if read % PROGRESS_STEP == 0:
                    bar.update(read)
            bar.update(read)

        try:
            with _summary_said_it():
                summary = client.conversions.send_bulk(
                    account,
                    events(),
                    test=test,
                    rejects=sink,
                    checkpoint=checkpoint,
                    concurrency=concurrency,
                    batch_size=batch_size,
                )
        except KeyboardInterrupt:
            sink.close()
            if checkpoint is not None:
                out.error(
                    f"error: stopped; run the same command with --resume to go on ({checkpoint})"
                )
            raise
    _report(run, summary, rejects, checkpoint)
    if summary.total_rejected:
        ctx.exit(1)


@contextlib.contextmanager
def _summary_said_it() -> Iterator[None]:
    """Without the library's warning that events were not delivered: the summary says it,
    with the counts and where the rejects are."""

    def drop(record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("conversions: %d of %d events not delivered")

    logger = logging.getLogger("pinkit")
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


def _report(run: Session, summary: BulkSummary, rejects: Path, checkpoint: Path | None) -> None:
    out = run.output
    record: dict[str, Any] = {}
    if summary.test:
        record["mode"] = TEST_BANNER
    record.update(
        received=summary.received,
        processed=summary.processed,
        rejected=summary.total_rejected,
        invalid=summary.rejected.get("invalid", 0),
        refused=summary.rejected.get("refused", 0),
        undeliverable=summary.rejected.get("undeliverable", 0),
        retried=summary.retried,
        rejects_file=str(rejects) if summary.total_rejected else "",
        checkpoint=str(checkpoint or ""),
        resumed_at=summary.resumed_at,
        elapsed_s=round(summary.elapsed_s, 3),
        events_per_s=round(summary.events_per_s),
        warnings=dict(summary.warnings),
        hashing={k: dict(v) for k, v in summary.hashing.items()},
    )
    if out.format == "table":  # the warnings and hashing counts are on stderr
        record = {k: v for k, v in record.items() if not isinstance(v, dict)}
    out.emit(record)
    mode = f"{TEST_BANNER}: " if summary.test else ""
    kinds = ", ".join(f"{n} {k}" for k, n in summary.rejected.items() if n)
    line = (
        f"{mode}{summary.received} events read, {summary.processed} processed, "
        f"{summary.total_rejected} rejected"
        + (f" ({kinds}; in {rejects})" if summary.total_rejected else "")
        + f", {summary.retried} requests retried, in {summary.elapsed_s:.1f}s"
    )
    for text, count in summary.warnings.items():
        out.warn(f"warning ({count}x): {text}")
    if summary.total_rejected:
        out.warn(line)
    else:
        out.info(line)


# -- doctor ---------------------------------------------------------------------------------------
@conversions.command()
@click.argument("file", metavar="[FILE]", required=False)
@ad_account_option
@click.option(
    "--lookback",
    type=click.Choice(["1d", "14d"]),
    default="14d",
    show_default=True,
    help="Pinterest's Event Quality Score over the last day or 14 days (with --ad-account).",
)
@global_options()
@click.pass_context
def doctor(ctx: click.Context, file: str | None, ad_account: str | None, lookback: str) -> None:
    """Check a file of events (.csv, .jsonl, -) for what Pinterest refuses or cannot match.

    \b
    Checks: event_time in milliseconds, too old or in the future; missing external_id and
    click_id; user agents Pinterest does not count (bots, "Other", fewer than two of
    OS, browser and device family); 0.0.0.0 addresses; values that cannot be normalised or
    look hashed with MD5/SHA-1; money values that are not plain decimals; a field hashed
    in some events and raw in others; duplicate event ids; anything else that would be
    refused. Each finding says how many events and which lines (never a value).

    With --ad-account (or the default ad account, when no FILE is given) it also reads
    Pinterest's Event Quality Score and shows its coverage per parameter and event type
    beside the file's own.

    Exit code 0 when nothing is found, 1 when something is, 2 on bad input.
    """
    from ..conversions._doctor import EventDoctor

    run = session(ctx)
    out = run.output
    if (
        file is None
        and ad_account is None
        and not (run.profile.ad_account_id or run.using_emulator)
    ):
        raise BadInput("give a FILE to check, or --ad-account ID for Pinterest's quality score")
    found: list[dict[str, Any]] = []
    checker = None
    if file is not None:
        source = EventFile(file)
        clock_now = _now(run)
        checker = EventDoctor(clock_now)
        with out.progress(f"checking {source.label}", total=source.count_lines()) as bar:
            for count, (line, event) in enumerate(source.items(), 1):
                checker.add(line, event)
                if count % PROGRESS_STEP == 0:
                    bar.update(count)
        found = [f.as_dict() for f in checker.findings()]
        out.info(
            f"{source.label}: {plural(checker.events, 'event')}, {plural(len(found), 'finding')}"
        )
    coverage: list[dict[str, Any]] = []
    scores: list[Any] = []
    if ad_account is not None or file is None:
        account = _account(run, ad_account)
        scores = run.client().conversions.quality(account, lookback_period=lookback)
        coverage = _coverage_rows(scores, checker.coverage() if checker else None, lookback)
        for score in scores:
            where = f"{score.source_platform}/{score.ingestion_source}"
            if score.overall_status not in (None, "GOOD"):
                found.append(
                    {"check": "pinterest_quality", "events": None, "lines": [],
                     "message": f"Pinterest rates {where} {score.overall_status} ({lookback})"}
                )  # fmt: skip
            for component, per_type in (score.quality_components or {}).items():
                for event_type, details in per_type.items():
                    for issue in details.issues or []:
                        found.append(
                            {"check": "pinterest_issue", "events": None, "lines": [],
                             "message": f"{where} {component} {event_type}: "
                             f"{issue.reason or issue.name or issue.id}"}
                        )  # fmt: skip
        if not scores:
            out.info(f"Pinterest has no Event Quality Score for ad account {account} ({lookback})")
    _emit_doctor(run, found, coverage, file is not None)
    if found:
        ctx.exit(1)


def _now(run: Session) -> float:
    """The clock events are dated against: the emulator's with --emulator (its clock may have
    moved), else this machine's."""
    if run.using_emulator:
        return float(run.emulator.clock.now())
    import time

    return time.time()


def _coverage_rows(
    scores: list[Any], local: dict[str, dict[str, float]] | None, lookback: str
) -> list[dict[str, Any]]:
    pinterest: dict[tuple[str, str], float | None] = {}
    for score in scores:
        for component, per_type in (score.quality_components or {}).items():
            for event_type, details in per_type.items():
                key = (component, event_type)
                if details.coverage is not None:
                    pinterest[key] = max(pinterest.get(key) or 0.0, details.coverage)
                else:
                    pinterest.setdefault(key, None)
    keys = set(pinterest)
    if local is not None:
        keys |= {(c, t) for c, per_type in local.items() for t in per_type}
    rows = []
    for component, event_type in sorted(keys):
        row: dict[str, Any] = {
            "parameter": component,
            "event_type": event_type,
            f"pinterest_{lookback}": pinterest.get((component, event_type)),
        }
        if local is not None:
            row["file"] = local.get(component, {}).get(event_type)
        rows.append(row)
    return rows


def _emit_doctor(
    run: Session, found: list[dict[str, Any]], coverage: list[dict[str, Any]], checked: bool
) -> None:
    out = run.output
    if out.format == "table":
        if found:
            rows = [{**f, "lines": ", ".join(map(str, f["lines"]))} for f in found]
            out.stream(rows, columns=("check", "events", "lines", "message"))
        elif checked:
            out.info("no problems found")
        if coverage:
            out.stream(coverage)
        return
    out.emit({"findings": found, "coverage": coverage} if coverage else found)
