"""Typed ``media_source`` values for ``client.pins.create`` (plain dicts work too).

Each helper checks its input when built, so a bad image or URL is reported before any request.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ._validate import check_id, check_url
from .errors import InvalidInputError

__all__ = [
    "MAX_VIDEO_BYTES",
    "VIDEO_TYPES",
    "ImageBase64",
    "ImageURL",
    "ImageURLs",
    "MediaSource",
    "VideoFile",
    "VideoID",
    "media_source_dict",
]

ImageType = Literal["image/jpeg", "image/png"]
VIDEO_TYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".m4v": "video/x-m4v"}
MAX_VIDEO_BYTES = 2 * 1024**3  # Pinterest's limit for video pins: 2 GB
_MAGIC: dict[bytes, ImageType] = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def sniff_image(data: bytes) -> ImageType:
    """The content type of JPEG or PNG bytes, or ``InvalidInputError``."""
    for magic, content_type in _MAGIC.items():
        if data.startswith(magic):
            return content_type
    raise InvalidInputError("image data is neither JPEG nor PNG")


@dataclass(frozen=True)
class ImageURL:
    """An image Pinterest fetches from a public URL."""

    url: str
    is_standard: bool | None = None

    def __post_init__(self) -> None:
        check_url("image url", self.url)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source_type": "image_url", "url": self.url}
        if self.is_standard is not None:
            data["is_standard"] = self.is_standard
        return data


@dataclass(frozen=True)
class ImageBase64:
    """An image sent inline. ``ImageBase64.from_file(path)`` reads and checks a JPEG/PNG."""

    data: str
    content_type: ImageType

    def __post_init__(self) -> None:
        try:
            raw = base64.b64decode(self.data, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInputError("image data is not valid base64") from None
        if sniff_image(raw) != self.content_type:
            raise InvalidInputError(f"image data is not {self.content_type}")

    @classmethod
    def from_bytes(cls, data: bytes) -> ImageBase64:
        return cls(base64.b64encode(data).decode("ascii"), sniff_image(data))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> ImageBase64:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InvalidInputError(f"cannot read image {path}: {exc.strerror}") from None
        return cls.from_bytes(data)

    def to_dict(self) -> dict[str, Any]:
        return {"source_type": "image_base64", "content_type": self.content_type, "data": self.data}


@dataclass(frozen=True)
class ImageURLs:
    """A carousel of 2 to 5 images by URL (each a URL or ``{"url", "title", ...}``)."""

    items: Sequence[str | Mapping[str, Any]]
    index: int | None = None

    def __post_init__(self) -> None:
        from ._constraints import field  # the table loads on first use, not on `import pinkit`

        spec = field("pins/create", "media_source[source_type=multiple_image_urls].items")
        low, high = spec.min_items or 0, spec.max_items or len(self.items)
        if not low <= len(self.items) <= high:
            raise InvalidInputError(f"a carousel has {low} to {high} images, got {len(self.items)}")
        for item in self.items:
            check_url("carousel image url", item if isinstance(item, str) else item.get("url", ""))

    def to_dict(self) -> dict[str, Any]:
        items = [{"url": i} if isinstance(i, str) else dict(i) for i in self.items]
        data: dict[str, Any] = {"source_type": "multiple_image_urls", "items": items}
        if self.index is not None:
            data["index"] = self.index
        return data


@dataclass(frozen=True)
class VideoID:
    """A video uploaded with ``client.media.upload``; needs a cover (URL, image or key frame)."""

    media_id: str
    cover_image_url: str | None = None
    cover_image_key_frame_time: int | None = None
    cover_image: ImageBase64 | None = None

    def __post_init__(self) -> None:
        check_id("media_id", self.media_id)
        covers = [self.cover_image_url, self.cover_image_key_frame_time, self.cover_image]
        if sum(c is not None for c in covers) != 1:
            raise InvalidInputError(
                "a video pin needs exactly one cover: cover_image_url, "
                "cover_image_key_frame_time or cover_image"
            )
        if self.cover_image_url is not None:
            check_url("cover_image_url", self.cover_image_url)
        frame = self.cover_image_key_frame_time
        if frame is not None:
            from ._constraints import field

            path = "media_source[source_type=video_id].cover_image_key_frame_time"
            least = field("pins/create", path).minimum
            if least is not None and frame < least:
                raise InvalidInputError(f"cover_image_key_frame_time must be >= {least} seconds")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source_type": "video_id", "media_id": self.media_id}
        if self.cover_image_url is not None:
            data["cover_image_url"] = self.cover_image_url
        if self.cover_image_key_frame_time is not None:
            data["cover_image_key_frame_time"] = self.cover_image_key_frame_time
        if self.cover_image is not None:
            data["cover_image_data"] = self.cover_image.data
            data["cover_image_content_type"] = self.cover_image.content_type
        return data


@dataclass(frozen=True)
class VideoFile:
    """A local video checked against Pinterest's limits before anything is sent."""

    path: Path
    size: int
    content_type: str

    @classmethod
    def check(cls, path: str | os.PathLike[str]) -> VideoFile:
        p = Path(path).expanduser()
        content_type = VIDEO_TYPES.get(p.suffix.lower())
        if content_type is None:
            raise InvalidInputError(
                f"{p.name}: video pins take {', '.join(VIDEO_TYPES)} files, not {p.suffix!r}"
            )
        try:
            size = p.stat().st_size
            with p.open("rb") as fh:
                head = fh.read(12)
        except OSError as exc:
            raise InvalidInputError(f"cannot read video {p}: {exc.strerror}") from None
        if size == 0 or size > MAX_VIDEO_BYTES:
            raise InvalidInputError(f"{p.name}: {size} bytes; videos must be 1 byte to 2 GB")
        if head[4:8] != b"ftyp":
            raise InvalidInputError(f"{p.name}: not an MP4/MOV video (no 'ftyp' header)")
        return cls(p, size, content_type)


MediaSource = ImageURL | ImageBase64 | ImageURLs | VideoID | Mapping[str, Any]


def media_source_dict(source: MediaSource) -> dict[str, Any]:
    if isinstance(source, Mapping):
        if "source_type" not in source:
            raise InvalidInputError("a media_source dict needs a 'source_type'")
        return dict(source)
    if isinstance(source, (ImageURL, ImageBase64, ImageURLs, VideoID)):
        return source.to_dict()
    raise InvalidInputError(f"unsupported media_source: {type(source).__name__}")
