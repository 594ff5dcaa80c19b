"""``pinkit pins``: pins (image and video), and bulk publishing from a CSV file."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .._validate import check_fields, check_id
from ..media_sources import ImageBase64, ImageURL, MediaSource, VideoFile
from . import _publish as pub
from ._common import (
    GROUP_SETTINGS,
    BadInput,
    check_ids,
    emit_model,
    fields_option,
    list_options,
    named_as_typed,
    plural,
    stream_models,
)
from ._confirm import confirm, yes_option
from ._exits import login_invalid
from ._options import global_options
from ._session import Session, session
from .media import DEFAULT_TIMEOUT_S, Seconds, upload_video, wait_for_media

if TYPE_CHECKING:
    from .._client import Client
    from ..models import Pin

__all__ = ["pins"]


@click.group(context_settings=GROUP_SETTINGS)
@global_options()
def pins() -> None:
    """Pins: list, get, create (image or video), update or move, delete, save, and publish
    many at once from a CSV file.

    \b
    Examples:
      pinkit pins create --board 1234 --image-url https://example.com/a.jpg --title "Soup"
      pinkit pins create --board 1234 --video clip.mp4 --cover-frame 3
      pinkit pins update 5678 --board 4321          move a pin to another board
      pinkit pins publish spring.csv                bulk publish (resumable)
    """


@pins.command("list")
@list_options
@fields_option("pin")
@global_options()
@click.pass_context
def list_pins(
    ctx: click.Context, max_items: int | None, page_size: int | None, fields: tuple[str, ...] | None
) -> None:
    """List your pins (every page; --limit to stop early)."""
    run = session(ctx)
    items = run.client().pins.list(page_size=page_size, max_items=max_items)
    stream_models(run, items, "pin", fields)


@pins.command()
@click.argument("pin_id")
@click.option("--metrics", is_flag=True, help="Include the pin's metrics.")
@fields_option("pin")
@global_options()
@click.pass_context
def get(ctx: click.Context, pin_id: str, metrics: bool, fields: tuple[str, ...] | None) -> None:
    """Show one pin."""
    run = session(ctx)
    pin = run.client().pins.get(pin_id, pin_metrics=True if metrics else None)
    emit_model(run, pin, fields)


def _text_options(func: Any) -> Any:
    for decl, help_text in reversed(
        (
            ("--title", "Title (up to 100 characters)."),
            ("--description", "Description (up to 800 characters)."),
            ("--link", "Destination link (http or https)."),
            ("--alt-text", "Alt text for screen readers (up to 500 characters)."),
        )
    ):
        func = click.option(decl, metavar="TEXT", help=help_text)(func)
    return func


def create_video_pin(
    run: Session,
    client: Client,
    board_id: str,
    video: Path,
    source: Any,
    fields: dict[str, Any],
    timeout: float,
) -> Pin:
    """Upload (progress bar), wait for processing (spinner), create the pin."""
    upload = upload_video(run, client, video)
    wait_for_media(run, client, upload.media_id, timeout)
    media_source = pub.video_source(
        upload.media_id, source.cover_image_url, source.cover_image_key_frame_time
    )
    return client.pins.create(board_id, media_source, **fields)


@pins.command()
@click.option("--board", "board_id", metavar="ID", required=True, help="Board to pin to.")
@click.option("--section", "section_id", metavar="ID", help="Section of that board.")
@click.option("--image-url", metavar="URL", help="Image Pinterest fetches from a public URL.")
@click.option(
    "--image",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Local JPEG or PNG image (sent inline).",
)
@click.option(
    "--video",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Local MP4/MOV video: uploaded (progress bar), processed, then pinned.",
)
@_text_options
@click.option("--cover-image-url", metavar="URL", help="Video cover image URL.")
@click.option(
    "--cover-frame",
    metavar="SECONDS",
    type=click.IntRange(min=0),
    help="Video cover: the frame at this second (default: the first frame).",
)
@click.option(
    "--timeout",
    type=Seconds(),
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    help="Seconds to wait for video processing.",
)
@global_options()
@click.pass_context
def create(
    ctx: click.Context,
    board_id: str,
    section_id: str | None,
    image_url: str | None,
    image: Path | None,
    video: Path | None,
    title: str | None,
    description: str | None,
    link: str | None,
    alt_text: str | None,
    cover_image_url: str | None,
    cover_frame: int | None,
    timeout: float,
) -> None:
    """Create a pin from an image URL, a local image or a local video.

    Give exactly one of --image-url, --image, --video. Everything (IDs, lengths, the file) is
    checked before anything is sent.
    """
    media = [name for name, value in (("--image-url", image_url), ("--image", image),
             ("--video", video)) if value is not None]  # fmt: skip
    if len(media) != 1:
        raise click.UsageError(
            "give exactly one of --image-url, --image, --video"
            + (f" (got {', '.join(media)})" if media else "")
        )
    if video is None and (cover_image_url is not None or cover_frame is not None):
        raise click.UsageError("--cover-image-url and --cover-frame only go with --video")
    if cover_image_url is not None and cover_frame is not None:
        raise click.UsageError("give --cover-image-url or --cover-frame, not both")
    with named_as_typed(CREATE_OPTIONS):
        fields = check_fields(
            "pins/create",
            {
                "title": title,
                "description": description,
                "link": link,
                "alt_text": alt_text,
                "board_section_id": section_id,
            },
        )
        source: MediaSource
        if image_url is not None:
            source = ImageURL(image_url)
        elif image is not None:
            source = ImageBase64.from_file(image)
        else:
            assert video is not None
            VideoFile.check(video)
            source = pub.video_source("0", cover_image_url, cover_frame)  # checks the cover

    run = session(ctx)
    client = run.client()
    if video is not None:
        pin = create_video_pin(run, client, board_id, video, source, fields, timeout)
    else:
        pin = client.pins.create(board_id, source, **fields)
    emit_model(run, pin)


#: The client's names for what ``pins create`` takes, and the options the user typed.
CREATE_OPTIONS = {
    "title": "--title",
    "description": "--description",
    "link": "--link",
    "alt_text": "--alt-text",
    "board_section_id": "--section",
    "image url": "--image-url",
    "cover_image_url": "--cover-image-url",
    "cover_image_key_frame_time": "--cover-frame",
}


@pins.command()
@click.argument("pin_id")
@_text_options
@click.option("--board", "board_id", metavar="ID", help="Move the pin to this board.")
@click.option("--section", "section_id", metavar="ID", help="Move the pin to this section.")
@global_options()
@click.pass_context
def update(
    ctx: click.Context,
    pin_id: str,
    title: str | None,
    description: str | None,
    link: str | None,
    alt_text: str | None,
    board_id: str | None,
    section_id: str | None,
) -> None:
    """Change a pin's texts or link, or move it (--board, --section)."""
    fields = {
        "title": title,
        "description": description,
        "link": link,
        "alt_text": alt_text,
        "board_id": board_id,
        "board_section_id": section_id,
    }
    fields = {k: v for k, v in fields.items() if v is not None}
    if not fields:
        raise click.UsageError(
            "nothing to update: give --title, --description, --link, --alt-text, --board "
            "or --section"
        )
    run = session(ctx)
    emit_model(run, run.client().pins.update(pin_id, **fields))


@pins.command()
@click.argument("pin_id")
@yes_option
@global_options()
@click.pass_context
def delete(ctx: click.Context, pin_id: str, yes: bool) -> None:
    """Delete a pin."""
    confirm(f"delete pin {check_id('pin_id', pin_id)}", yes=yes)
    run = session(ctx)
    run.client().pins.delete(pin_id)
    run.output.done(f"Deleted pin {pin_id}.")


@pins.command()
@click.argument("pin_id")
@click.option("--board", "board_id", metavar="ID", required=True, help="Board to save it to.")
@click.option("--section", "section_id", metavar="ID", help="Section of that board.")
@global_options()
@click.pass_context
def save(ctx: click.Context, pin_id: str, board_id: str, section_id: str | None) -> None:
    """Save a pin (yours or someone's public pin) to one of your boards."""
    check_id("board_id", board_id)
    run = session(ctx)
    emit_model(run, run.client().pins.save(pin_id, board_id, board_section_id=section_id))


# -- publish -------------------------------------------------------------------------------------
@pins.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--results",
    "results_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Results file to write and resume from (default: FILE.results.csv beside FILE).",
)
@click.option("--dry-run", is_flag=True, help="Validate every row and show the plan; send nothing.")
@click.option(
    "--retry-unknown",
    is_flag=True,
    help="Send again the rows whose outcome is unknown (risks a duplicate pin).",
)
@click.option(
    "--timeout",
    type=Seconds(),
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    help="Seconds to wait for each video's processing.",
)
@global_options()
@click.pass_context
def publish(
    ctx: click.Context,
    file: Path,
    results_path: Path | None,
    dry_run: bool,
    retry_unknown: bool,
    timeout: float,
) -> None:
    """Create many pins from a CSV file, resumably.

    \b
    Columns (header row, any order; only board and one media column are required):
      board, section          board id and optional section id (digits)
      title, description, link, alt_text
      image_url | image | video   exactly one per row; image (JPEG/PNG) and video (MP4/MOV)
                                  are paths relative to the CSV's folder
      cover_image_url | cover_frame   optional video cover (URL, or the frame at N seconds)

    Every row is checked first; if any is bad, all problems are listed (row, column, reason),
    nothing is sent, and the exit code is 2. Then pins are created one by one and each outcome
    is appended to the results file (row, key, status, pin_id, message, time) as it happens.

    Run it again with the same results file to resume: rows already created are skipped,
    failed rows are retried. A row whose create request may have reached Pinterest without an
    answer (timeout, lost connection, 5xx, interruption) is 'unknown': the re-run looks for it
    on its board (same texts and section) and records it as created, or sends it when it is
    not there. Rows with no text to recognise them by are held until --retry-unknown (check
    the board first: a retry may duplicate the pin).

    Exit code 0 when every row is created, 1 when some failed or are unknown.
    """
    results = pub.ResultsFile(results_path or file.with_name(file.name + ".results.csv"))
    if results.path.resolve() == file.resolve():
        raise BadInput("the results file must not be the CSV file itself")
    run = session(ctx)
    out = run.output

    rows, problems = pub.read_rows(file)
    if problems:
        for problem in problems:
            out.error(f"error: {problem}")
        bad_rows = {p.row for p in problems}
        where = plural(len(bad_rows), "bad row") if all(n > 1 for n in bad_rows) else str(file)
        raise BadInput(f"{plural(len(problems), 'problem')} in {where}; nothing was sent")
    with contextlib.nullcontext() if dry_run else results.open():
        # Read the records under the lock: two runs on one results file never both send a row.
        _publish_rows(ctx, run, rows, results, dry_run, retry_unknown, timeout)


def _publish_rows(
    ctx: click.Context,
    run: Session,
    rows: list[pub.Row],
    results: pub.ResultsFile,
    dry_run: bool,
    retry_unknown: bool,
    timeout: float,
) -> None:
    out = run.output
    previous = pub.match_records(rows, results.read())
    if results.torn is not None:
        out.warn(
            f"warning: {results.path}: the last line is incomplete (a run stopped while writing "
            f"it) and is ignored: {results.torn[:80]!r}"
        )
    _warn_identical(run, rows)

    to_send: list[pub.Row] = []
    report: list[dict[str, Any]] = []
    held: list[tuple[pub.Row, pub.Record]] = []
    for row in rows:
        record = previous.get(row.number)
        if record is not None and record.status == "created":
            report.append({**row.summary(), "status": "skipped", "pin_id": record.pin_id,
                           "message": "created by an earlier run"})  # fmt: skip
        elif record is not None and record.status == "unknown" and not retry_unknown:
            held.append((row, record))
            report.append({**row.summary(), "status": "unknown", "pin_id": "",
                           "message": record.message})  # fmt: skip
        else:
            to_send.append(row)

    if held and not dry_run:
        held = _reconcile(run, results, held, previous, report, to_send)
    skipped = sum(1 for r in report if r["status"] == "skipped")
    if dry_run:
        plan = [*({**r, "action": "skip" if r["status"] == "skipped" else "hold"} for r in report),
                *({**row.summary(), "action": "create"} for row in to_send)]  # fmt: skip
        plan.sort(key=lambda item: int(item["row"]))
        for item in plan:
            item.pop("status", None)
            item.pop("pin_id", None)
            item.pop("message", None)
        out.stream(plan, columns=("row", "action", "board", "section", "title", "media"))
        out.warn(
            f"dry run: {plural(len(rows), 'valid row')}; would create {len(to_send)}, "
            f"skip {skipped} already created, hold {len(held)} unknown; nothing was sent"
        )
        return

    created, failed, unknown, stop = _send(run, results, to_send, timeout, report)
    not_sent = len(to_send) - created - failed - unknown
    for row, record in held:
        out.warn(
            f"row {row.number}: outcome unknown from an earlier run ({record.message}); "
            "not sent again"
        )
    unknown += len(held)
    summary = (
        f"{created} created, {skipped} skipped, {failed} failed"
        + (f", {unknown} unknown" if unknown else "")
        + (f", {not_sent} not sent" if not_sent else "")
        + f" (results: {results.path})"
    )
    out.stream(
        sorted(report, key=lambda item: int(item["row"])),
        columns=("row", "status", "pin_id", "title", "message"),
    )
    out.warn(summary)
    if stop is not None:
        out.error(f"error: stopped: {pub.stop_reason(stop)}; run the same command again to resume")
    if unknown:
        out.warn(
            "rows with an unknown outcome may or may not have been created: check the board, "
            "then re-run with --retry-unknown to create the missing ones (a retry may duplicate)"
        )
    if stop is not None and (isinstance(stop, KeyboardInterrupt) or login_invalid(stop)):
        raise stop  # exit 130 (Ctrl-C), 143 (SIGTERM) or 4 (log in again), as any command
    if failed or unknown or stop is not None:
        ctx.exit(1)


def _reconcile(
    run: Session,
    results: pub.ResultsFile,
    held: list[tuple[pub.Row, pub.Record]],
    previous: dict[int, pub.Record],
    report: list[dict[str, Any]],
    to_send: list[pub.Row],
) -> list[tuple[pub.Row, pub.Record]]:
    """Settle rows whose outcome is unknown by looking at their boards: a pin with the row's
    texts and section means the row was created (recorded, skipped); none means the create
    never took effect (sent again). Rows with no text to recognise them by stay held."""
    recognisable = [(row, record) for row, record in held if row.texts]
    if not recognisable:
        return held
    client = run.client()
    taken = {r.pin_id for r in previous.values() if r.status == "created" and r.pin_id}
    boards = {row.board for row, _ in recognisable}
    pins = {board: [p.to_dict() for p in client.boards.list_pins(board)] for board in boards}
    found = pub.find_published([row for row, _ in recognisable], pins, taken)
    still_held = [(row, record) for row, record in held if not row.texts]
    for row, _record in recognisable:
        report[:] = [r for r in report if r["row"] != row.number]
        pin_id = found.get(row.number)
        if pin_id is None:
            to_send.append(row)
            continue
        message = "found on the board after an unknown outcome"
        results.write(pub.Record(row.number, row.key, "created", pin_id, message, pub.now()))
        report.append({**row.summary(), "status": "skipped", "pin_id": pin_id, "message": message})
    to_send.sort(key=lambda row: row.number)
    return still_held


def _warn_identical(run: Session, rows: list[pub.Row]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        if row.key in seen:
            run.output.warn(
                f"warning: row {row.number} is identical to row {seen[row.key]}; "
                "both will be published"
            )
        else:
            seen[row.key] = row.number


def _send(
    run: Session,
    results: pub.ResultsFile,
    rows: list[pub.Row],
    timeout: float,
    report: list[dict[str, Any]],
) -> tuple[int, int, int, BaseException | None]:
    """Create the rows' pins one by one; the counts, and what stopped the run early (an
    interruption, or an error every later row would hit too), if anything did."""
    created = failed = unknown = 0
    if not rows:
        return 0, 0, 0, None
    out = run.output
    client = run.client()
    with out.progress("publishing pins", total=len(rows)) as bar:

        def record(row: pub.Row, status: str, pin_id: str = "", message: str = "") -> None:
            results.write(pub.Record(row.number, row.key, status, pin_id, message, pub.now()))
            report.append({**row.summary(), "status": status, "pin_id": pin_id,
                           "message": message})  # fmt: skip

        for row in rows:
            sending = False  # True once the create request may have reached Pinterest
            try:
                bar.update(description=f"row {row.number}")
                media_id = None
                if row.media_column == "video":
                    assert row.media_path is not None
                    media_id = upload_video(run, client, row.media_path).media_id
                    wait_for_media(run, client, media_id, timeout)
                source = row.media_source(media_id)
                sending = True
                # Recorded before sending: if this process dies mid-request, a re-run holds
                # the row instead of creating it twice. The outcome below supersedes it.
                results.write(
                    pub.Record(row.number, row.key, "unknown", "",
                               "the run stopped while the pin was being created", pub.now())
                )  # fmt: skip
                pin = client.pins.create(row.board, source, **row.fields)
            except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM
                if sending:
                    unknown += 1
                    record(row, "unknown", message="interrupted while the pin was being created")
                else:  # counted as not sent; recorded as failed, so a re-run sends it
                    record(row, "failed", message="interrupted before the pin was created")
                return created, failed, unknown, exc
            except Exception as exc:
                message = pub.one_line(str(exc)) or type(exc).__name__
                if sending and pub.outcome_unknown(exc):
                    unknown += 1
                    record(row, "unknown", message=message)
                    out.warn(f"row {row.number}: outcome unknown: {message}")
                else:
                    failed += 1
                    record(row, "failed", message=message)
                    out.warn(f"row {row.number}: failed: {message}")
                if pub.stop_reason(exc) is not None:
                    return created, failed, unknown, exc
            else:
                created += 1
                record(row, "created", pin_id=pin.id or "")
            bar.advance()
    return created, failed, unknown, None


check_ids(pins)  # every *_id argument and option: digits, named as typed in messages
