from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from .._redact import mask
from ._base import PinterestModel

MediaStatus = Literal["registered", "processing", "succeeded", "failed"]

# The upload's S3 POST policy and its signature: whoever holds them can upload in the user's
# name until they expire, so reprs show them masked like tokens.
SIGNED_UPLOAD_FIELDS = frozenset(
    {"policy", "x-amz-credential", "x-amz-security-token", "x-amz-signature"}
)


class MediaUpload(PinterestModel):
    """A registered upload: POST the file to ``upload_url`` with ``upload_parameters``.

    Its repr and str mask the signed fields (``policy``, ``x-amz-credential``,
    ``x-amz-security-token``, ``x-amz-signature``); the values themselves are intact.
    """

    media_id: str
    media_type: str | None = None
    upload_url: str | None = None
    upload_parameters: dict[str, str] | None = None

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            if name == "upload_parameters" and isinstance(value, dict):
                value = {
                    key: mask(item) if key.lower() in SIGNED_UPLOAD_FIELDS else item
                    for key, item in value.items()
                }
            yield name, value


class Media(PinterestModel):
    media_id: str
    media_type: str | None = None
    status: MediaStatus | str | None = None
