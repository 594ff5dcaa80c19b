"""Chapter 2: a board with a section, an image pin in it, and a video pin: the video uploaded
with a progress bar, processed, then pinned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from ..errors import InvalidInputError
from ..media_sources import ImageURL
from ._tour import Tour

if TYPE_CHECKING:
    from .._client import Client
    from ..models import Pin

__all__ = ["make_pins"]

#: The ISO media header of an MP4 file, what the upload checks of client and emulator read;
#: zeros make up the rest of the video.
MP4_HEADER = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
VIDEO_BYTES = 8_000_000


def make_pins(tour: Tour, client: Client) -> Pin:
    """The board, its section and both pins; the image pin, for the ads chapter to promote."""
    tour.chapter("pins", "A board with a section, an image pin and a video pin")
    board = client.boards.create("Spring ideas", description="For the garden")
    assert board.id
    section = client.boards.sections.create(board.id, "Tulips")
    image = client.pins.create(
        board.id,
        ImageURL("https://example.com/tulips.jpg"),
        title="Tulip bed",
        alt_text="Red tulips in a raised bed",
        board_section_id=section.id,
    )
    tour.say("board 'Spring ideas' with the section 'Tulips', and an image pin in it")
    try:
        client.pins.create(board.id, ImageURL("https://example.com/x.jpg"), title="x" * 120)
    except InvalidInputError as exc:
        tour.say(f"refused before sending: [yellow]{escape(str(exc))}[/]")

    video = tour.out / "garden.mp4"
    video.write_bytes(MP4_HEADER + bytes(VIDEO_BYTES - len(MP4_HEADER)))
    tour.wrote(video, "the video of the video pin")
    with tour.progress("uploading garden.mp4", VIDEO_BYTES, data=True) as moved:
        pin = client.pins.create_video(
            board.id,
            video,
            title="Garden tour",
            cover_image_key_frame_time=1,
            on_progress=lambda sent, _total: moved(sent),
        )
    tour.say(f"video pin {pin.id}: uploaded, processed by Pinterest, pinned")

    table = Table("pin", "title", "type", "section")
    for each in client.boards.list_pins(board.id):
        section_name = "Tulips" if each.board_section_id == section.id else ""
        table.add_row(each.id or "", each.title or "", each.creative_type or "", section_name)
    tour.show(table)
    return image
