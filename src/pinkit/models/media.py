from __future__ import annotations

from typing import Literal

from ._base import PinterestModel

MediaStatus = Literal["registered", "processing", "succeeded", "failed"]


class MediaUpload(PinterestModel):
    """A registered upload: POST the file to ``upload_url`` with ``upload_parameters``."""

    media_id: str
    media_type: str | None = None
    upload_url: str | None = None
    upload_parameters: dict[str, str] | None = None


class Media(PinterestModel):
    media_id: str
    media_type: str | None = None
    status: MediaStatus | str | None = None
