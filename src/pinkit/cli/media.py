"""``pinkit media``: video uploads (register, send, wait for processing)."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .._validate import check_id
from ._common import (
    GROUP_SETTINGS,
    check_ids,
    emit_model,
    fields_option,
    list_options,
    stream_models,
)
from ._options import global_options
from ._session import Session, session

if TYPE_CHECKING:
    from .._client import Client
    from ..models import Media, MediaUpload

__all__ = ["DEFAULT_TIMEOUT_S", "Seconds", "media", "upload_video", "wait_for_media"]

DEFAULT_TIMEOUT_S = 600.0


class Seconds(click.FloatRange):
    """Seconds from 0 up: a finite number (``nan`` or ``inf`` would wait forever)."""

    name = "seconds"

    def __init__(self) -> None:
        super().__init__(min=0)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds.", param, ctx)
        return seconds


def upload_video(
    run: Session, client: Client, path: str | os.PathLike[str], *, label: str | None = None
) -> MediaUpload:
    """Register and send a video, with a byte progress bar on a terminal."""
    name = label or Path(path).name
    with run.output.progress(f"uploading {name}", unit="bytes") as bar:

        def on_progress(sent: int, total: int) -> None:
            bar.update(sent, total=total)

        return client.media.upload(path, on_progress=on_progress)


def wait_for_media(run: Session, client: Client, media_id: str, timeout: float) -> Media:
    """Wait until Pinterest has processed the media (a spinner on a terminal)."""
    with run.output.progress(f"processing media {media_id}"):
        return client.media.wait(media_id, timeout=timeout)


def _public(upload: MediaUpload) -> dict[str, Any]:
    # upload_url / upload_parameters are a short-lived signed upload form: used, not shown.
    data = upload.to_dict()
    data.pop("upload_url", None)
    data.pop("upload_parameters", None)
    return data


@click.group(context_settings=GROUP_SETTINGS)
@global_options()
def media() -> None:
    """Video uploads for video pins.

    \b
    Examples:
      pinkit media upload clip.mp4 --wait     upload, then wait until it is processed
      pinkit media wait 12345                 wait for an upload's processing
      pinkit pins create --board 1234 --video clip.mp4   (does all of it and creates the pin)
    """


@media.command("list")
@list_options
@fields_option("upload")
@global_options()
@click.pass_context
def list_media(
    ctx: click.Context, max_items: int | None, page_size: int | None, fields: tuple[str, ...] | None
) -> None:
    """List your media uploads and their status."""
    run = session(ctx)
    items = run.client().media.list(page_size=page_size, max_items=max_items)
    stream_models(run, items, "upload", fields)


@media.command()
@click.argument("media_id")
@fields_option("upload")
@global_options()
@click.pass_context
def get(ctx: click.Context, media_id: str, fields: tuple[str, ...] | None) -> None:
    """Show one media upload and its processing status."""
    run = session(ctx)
    emit_model(run, run.client().media.get(media_id), fields)


@media.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--wait", "wait_", is_flag=True, help="Wait until Pinterest has processed it.")
@click.option(
    "--timeout",
    type=Seconds(),
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    help="Seconds to wait with --wait.",
)
@global_options()
@click.pass_context
def upload(ctx: click.Context, file: Path, wait_: bool, timeout: float) -> None:
    """Upload a video (MP4/MOV, up to 2 GB) and print its media id.

    Use the id with `pinkit media wait` and in a pin's media source; `pinkit pins create
    --video FILE` does the whole thing in one go.
    """
    run = session(ctx)
    client = run.client()
    registered = upload_video(run, client, file)
    run.output.info(f"Uploaded {file.name}: media {registered.media_id}")
    if wait_:
        emit_model(run, wait_for_media(run, client, registered.media_id, timeout))
    else:
        run.output.emit(_public(registered))


@media.command()
@click.argument("media_id")
@click.option(
    "--timeout",
    type=Seconds(),
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    help="Give up after this many seconds (exit 1).",
)
@global_options()
@click.pass_context
def wait(ctx: click.Context, media_id: str, timeout: float) -> None:
    """Wait until an upload is processed; exit 1 if it failed or is not ready in time."""
    run = session(ctx)
    check_id("media_id", media_id)
    emit_model(run, wait_for_media(run, run.client(), media_id, timeout))


check_ids(media)  # every *_id argument and option: digits, named as typed in messages
