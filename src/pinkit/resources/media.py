"""Media: register an upload, send the file, wait until Pinterest has processed it.

The upload goes to ``upload_url`` (S3 in production) as multipart form data with every
``upload_parameters`` field first and the file last, streamed from disk with a known length
(S3 refuses chunked bodies), and without the Pinterest ``Authorization`` header.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

import httpx2

from .._base import backoff, connection_error, status_error
from .._flow import Flow, Send, Sleep
from .._resource import Call, M, PageCall, Resource, endpoint, paginated, workflow
from .._validate import check_id
from ..errors import InvalidInputError, MediaProcessingError
from ..media_sources import VideoFile
from ..models import Media, MediaUpload

if TYPE_CHECKING:
    from .._clock import Clock

__all__ = ["MediaAPI", "ProgressCallback"]

DEFAULT_MEDIA_TIMEOUT_S = 600.0
ProgressCallback = Callable[[int, int], None]
"""Called as ``on_progress(bytes_sent, total_bytes)`` while a file uploads."""


class _ProgressReader:
    """A file wrapper that reports how much of it has been read (sent)."""

    def __init__(self, fh: IO[bytes], total: int, on_progress: ProgressCallback | None) -> None:
        self._fh = fh
        self._total = total
        self._on_progress = on_progress
        self.name = fh.name

    def fileno(self) -> int:
        return self._fh.fileno()  # lets httpx2 send a Content-Length

    def tell(self) -> int:
        return self._fh.tell()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._fh.seek(offset, whence)

    def read(self, size: int = -1) -> bytes:
        chunk = self._fh.read(size)
        if self._on_progress is not None and (chunk or self._fh.tell() == self._total):
            self._on_progress(self._fh.tell(), self._total)
        return chunk


def register_call(media_type: str = "video") -> Call[MediaUpload]:
    return Call("POST", "/media", json={"media_type": media_type}, parse=MediaUpload.model_validate)


def get_call(media_id: str) -> Call[Media]:
    return Call("GET", f"/media/{check_id('media_id', media_id)}", parse=Media.model_validate)


def upload_file_flow(
    upload: MediaUpload,
    video: VideoFile,
    on_progress: ProgressCallback | None,
    retries: int,
    clock: Clock,
) -> Flow[None]:
    """POST the file to the upload URL; retried on 5xx and network errors (same key)."""
    if not upload.upload_url:
        raise InvalidInputError(f"media {upload.media_id} has no upload_url")
    attempt = 0
    while True:
        response: httpx2.Response | None = None
        with video.path.open("rb") as fh:
            reader: Any = _ProgressReader(fh, video.size, on_progress)
            request = httpx2.Request(
                "POST",
                upload.upload_url,
                data=dict(upload.upload_parameters or {}),
                files={"file": (video.path.name, reader, video.content_type)},
            )
            try:
                response = yield Send(request)
            except httpx2.TransportError as exc:
                if attempt >= retries:
                    raise connection_error(exc, request) from None
        if response is not None:
            if response.status_code < 300:
                return
            if response.status_code < 500 or attempt >= retries:
                raise status_error(response, clock=clock)
        yield Sleep(backoff(attempt))
        attempt += 1


def wait_flow(resource: Resource[Any], media_id: str, timeout: float) -> Flow[Media]:
    """Poll the media's status with backoff (1 s doubling to 10 s) until it is final; the
    deadline and the waits are on the client's clock."""
    clock = resource._client.clock
    deadline = clock.now() + timeout
    delay = 1.0
    while True:
        media = yield from resource._call(get_call(media_id))
        if media.status == "succeeded":
            return media
        if media.status == "failed":
            raise MediaProcessingError(f"Pinterest could not process media {media_id}", media)
        remaining = deadline - clock.now()
        if remaining <= 0:
            raise MediaProcessingError(
                f"media {media_id} still {media.status!r} after {timeout:.0f}s", media
            )
        yield Sleep(min(delay, remaining))
        delay = min(delay * 2, 10.0)


def upload_flow(
    resource: Resource[Any], path: str | os.PathLike[str], on_progress: ProgressCallback | None
) -> Flow[MediaUpload]:
    video = VideoFile.check(path)
    registered = yield from resource._call(register_call())
    client = resource._client
    yield from upload_file_flow(
        registered, video, on_progress, client.retry.max_retries, client.clock
    )
    return registered


class MediaAPI(Resource[M]):
    """Video uploads for pins."""

    @endpoint
    def register(self, media_type: str = "video") -> Call[MediaUpload]:
        """Register an upload: the answer says where and how to send the file."""
        return register_call(media_type)

    @endpoint
    def get(self, media_id: str) -> Call[Media]:
        """The upload's processing status (``registered``, ``processing``, ``succeeded`` or
        ``failed``); ``wait`` polls this for you."""
        return get_call(media_id)

    @paginated
    def list(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> PageCall[Media]:
        """Every media upload of the user, with its processing status."""
        return PageCall("/media", None, page_size, max_items, item=Media)

    @workflow
    def upload(
        self, path: str | os.PathLike[str], *, on_progress: ProgressCallback | None = None
    ) -> Flow[MediaUpload]:
        """Check the video, register it and stream it to the upload URL; returns the
        registration (``media_id``). Processing then continues on Pinterest's side."""
        return upload_flow(self, path, on_progress)

    @workflow
    def wait(self, media_id: str, *, timeout: float = DEFAULT_MEDIA_TIMEOUT_S) -> Flow[Media]:
        """Poll until the media has ``succeeded``; ``MediaProcessingError`` on ``failed`` or
        when ``timeout`` seconds pass."""
        return wait_flow(self, media_id, timeout)
