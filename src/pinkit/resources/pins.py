from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from .._flow import Flow
from .._resource import Call, M, PageCall, Resource, endpoint, no_content, paginated, workflow
from .._validate import check_fields, check_id, check_seconds, drop_none
from ..errors import InvalidInputError
from ..media_sources import MediaSource, VideoID, media_source_dict
from ..models import Pin
from .media import DEFAULT_MEDIA_TIMEOUT_S, ProgressCallback, upload_flow, wait_flow

PIN_FIELDS = ("title", "description", "link", "alt_text", "board_section_id", "dominant_color")


def create_call(board_id: str, media_source: MediaSource, fields: dict[str, Any]) -> Call[Pin]:
    source = media_source_dict(media_source)
    body = check_fields("pins/create", {"board_id": board_id, **fields, "media_source": source})
    return Call("POST", "/pins", json=body, parse=Pin.model_validate)


class PinsAPI(Resource[M]):
    """Pins: create (image, carousel, video), read, update, delete, save."""

    @paginated
    def list(
        self,
        *,
        pin_filter: str | None = None,
        include_protected_pins: bool | None = None,
        pin_type: str | None = None,
        creative_types: Sequence[str] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> PageCall[Pin]:
        """Every pin of the user; the filters are the API's (``pin_filter``, ``pin_type``,
        ``creative_types``, ``include_protected_pins``)."""
        params = drop_none(
            {
                "pin_filter": pin_filter,
                "include_protected_pins": include_protected_pins,
                "pin_type": pin_type,
                "creative_types": list(creative_types) if creative_types else None,
            }
        )
        return PageCall("/pins", params, page_size, max_items, item=Pin)

    @endpoint
    def get(self, pin_id: str, *, pin_metrics: bool | None = None) -> Call[Pin]:
        """One pin; ``pin_metrics=True`` includes its metrics."""
        return Call(
            "GET",
            f"/pins/{check_id('pin_id', pin_id)}",
            params=drop_none({"pin_metrics": pin_metrics}),
            parse=Pin.model_validate,
        )

    @endpoint
    def create(
        self,
        board_id: str,
        media_source: MediaSource,
        *,
        title: str | None = None,
        description: str | None = None,
        link: str | None = None,
        alt_text: str | None = None,
        board_section_id: str | None = None,
        dominant_color: str | None = None,
        parent_pin_id: str | None = None,
    ) -> Call[Pin]:
        """Create a pin on ``board_id``. ``media_source`` is ``ImageURL``, ``ImageBase64``,
        ``ImageURLs`` (carousel), ``VideoID`` or a dict. Never retried once it may have
        reached Pinterest, so a failure cannot leave a duplicate pin."""
        fields = {
            "title": title,
            "description": description,
            "link": link,
            "alt_text": alt_text,
            "board_section_id": board_section_id,
            "dominant_color": dominant_color,
            "parent_pin_id": parent_pin_id,
        }
        return create_call(board_id, media_source, fields)

    @endpoint
    def update(self, pin_id: str, /, **fields: Any) -> Call[Pin]:
        """Change ``title``, ``description``, ``link``, ``alt_text``, or move the pin with
        ``board_id`` / ``board_section_id``."""
        body = check_fields("pins/update", fields)
        if not body:
            raise InvalidInputError("nothing to update: give at least one field")
        return Call(
            "PATCH", f"/pins/{check_id('pin_id', pin_id)}", json=body, parse=Pin.model_validate
        )

    @endpoint
    def delete(self, pin_id: str) -> Call[None]:
        """Delete one of the user's pins."""
        return Call("DELETE", f"/pins/{check_id('pin_id', pin_id)}", parse=no_content)

    @endpoint
    def save(self, pin_id: str, board_id: str, *, board_section_id: str | None = None) -> Call[Pin]:
        """Save a pin (yours or another user's public one) to one of your boards."""
        body = check_fields(
            "pins/save", {"board_id": board_id, "board_section_id": board_section_id}
        )
        return Call(
            "POST", f"/pins/{check_id('pin_id', pin_id)}/save", json=body, parse=Pin.model_validate
        )

    @workflow
    def create_video(
        self,
        board_id: str,
        video_path: str | os.PathLike[str],
        *,
        cover_image_url: str | None = None,
        cover_image_key_frame_time: int | None = None,
        title: str | None = None,
        description: str | None = None,
        link: str | None = None,
        alt_text: str | None = None,
        board_section_id: str | None = None,
        on_progress: ProgressCallback | None = None,
        timeout: float = DEFAULT_MEDIA_TIMEOUT_S,
    ) -> Flow[Pin]:
        """Upload a video and create a pin from it: register, stream the file, wait until
        Pinterest has processed it (``timeout`` seconds at most), create the pin.

        The cover is ``cover_image_url`` or the frame at ``cover_image_key_frame_time``
        seconds (the first frame when neither is given). Everything is checked before the
        upload starts: the file (type, size), the texts and the IDs.
        """
        if cover_image_url is None and cover_image_key_frame_time is None:
            cover_image_key_frame_time = 0
        fields = check_fields(
            "pins/create",
            {
                "title": title,
                "description": description,
                "link": link,
                "alt_text": alt_text,
                "board_section_id": board_section_id,
            },
        )
        check_id("board_id", board_id)
        timeout = check_seconds("timeout", timeout)
        cover = VideoID("0", cover_image_url, cover_image_key_frame_time)  # checks the cover
        return self._create_video(board_id, video_path, cover, fields, on_progress, timeout)

    def _create_video(
        self,
        board_id: str,
        video_path: str | os.PathLike[str],
        cover: VideoID,
        fields: dict[str, Any],
        on_progress: ProgressCallback | None,
        timeout: float,
    ) -> Flow[Pin]:
        upload = yield from upload_flow(self, video_path, on_progress)
        yield from wait_flow(self, upload.media_id, timeout)
        source = VideoID(upload.media_id, cover.cover_image_url, cover.cover_image_key_frame_time)
        pin = yield from self._call(create_call(board_id, source, fields))
        return pin
