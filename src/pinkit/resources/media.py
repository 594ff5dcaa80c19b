"""Media: register an upload, send the file, wait until Pinterest has processed it.

The upload goes to ``upload_url`` (S3 in production) as multipart form data with every
``upload_parameters`` field first and the file last, streamed from disk with a known length
(S3 refuses chunked bodies), and without the Pinterest ``Authorization`` header. The async
client opens and reads the file in worker threads, never on its event loop.
"""

from __future__ import annotations

import functools
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import anyio.to_thread
import httpx2

from .._base import backoff, connection_error, status_error
from .._flow import Blocking, Flow, Send, Sleep
from .._resource import Call, M, PageCall, Resource, endpoint, paginated, workflow
from .._validate import check_id, check_seconds
from ..errors import InvalidInputError, MediaProcessingError
from ..media_sources import VideoFile
from ..models import Media, MediaUpload

if TYPE_CHECKING:
    from .._clock import Clock

__all__ = ["MediaAPI", "ProgressCallback"]

DEFAULT_MEDIA_TIMEOUT_S = 600.0
# How much of the body one worker-thread hop reads for the async client.
ASYNC_READ_BYTES = 1024 * 1024
ProgressCallback = Callable[[int, int], None]
"""Called as ``on_progress(bytes_sent, total_bytes)`` while a file uploads."""


class _ProgressReader:
    """A file wrapper that counts how much of it has been read (sent)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.name = fh.name
        self.position = 0

    def fileno(self) -> int:
        return self._fh.fileno()  # lets httpx2 send a Content-Length

    def tell(self) -> int:
        return self._fh.tell()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self.position = self._fh.seek(offset, whence)
        return self.position

    def read(self, size: int = -1) -> bytes:
        chunk = self._fh.read(size)
        self.position += len(chunk)
        return chunk


class _UploadBody(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """An upload's multipart body, streamed from the open file with its Content-Length kept.

    The sync client reads it inline; the async client reads it chunk by chunk in a worker
    thread, so a large file never blocks the event loop (nor sits in memory). Progress is
    reported from the thread that sends.
    """

    def __init__(
        self,
        multipart: httpx2.SyncByteStream,
        reader: _ProgressReader,
        total: int,
        on_progress: ProgressCallback | None,
    ) -> None:
        self._multipart = multipart
        self._reader = reader
        self._total = total
        self._on_progress = on_progress
        self._reported = -1

    def _report(self) -> None:
        position = self._reader.position
        if self._on_progress is not None and position != self._reported:
            self._reported = position
            self._on_progress(position, self._total)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._multipart:
            self._report()
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = iter(self._multipart)
        while batch := await anyio.to_thread.run_sync(_next_chunks, chunks):
            self._report()
            for chunk in batch:
                yield chunk


def _next_chunks(chunks: Iterator[bytes]) -> list[bytes]:
    """The next chunks of ``chunks``, about ``ASYNC_READ_BYTES`` of them; [] at the end."""
    batch: list[bytes] = []
    size = 0
    for chunk in chunks:
        batch.append(chunk)
        size += len(chunk)
        if size >= ASYNC_READ_BYTES:
            break
    return batch


def _open_video(path: Path) -> IO[bytes]:
    return path.open("rb")


def _upload_request(
    upload: MediaUpload, video: VideoFile, on_progress: ProgressCallback | None
) -> tuple[httpx2.Request, IO[bytes]]:
    """Open the video and build its upload request (blocking: a ``Blocking`` step)."""
    assert upload.upload_url
    fh = _open_video(video.path)
    try:
        reader: Any = _ProgressReader(fh)
        request = httpx2.Request(
            "POST",
            upload.upload_url,
            data=dict(upload.upload_parameters or {}),
            files={"file": (video.path.name, reader, video.content_type)},
        )
        assert isinstance(request.stream, httpx2.SyncByteStream)
        request.stream = _UploadBody(request.stream, reader, video.size, on_progress)
    except BaseException:
        fh.close()
        raise
    return request, fh


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
    timeout: float | None = None,
) -> Flow[None]:
    """POST the file to the upload URL; retried on 5xx and network errors (same key). Each
    attempt may take ``timeout`` seconds in all (None: no overall limit)."""
    if not upload.upload_url:
        raise InvalidInputError(f"media {upload.media_id} has no upload_url")
    attempt = 0
    while True:
        response: httpx2.Response | None = None
        opened: tuple[httpx2.Request, IO[bytes]] = yield Blocking(
            functools.partial(_upload_request, upload, video, on_progress)
        )
        request, fh = opened
        try:
            response = yield Send(request, timeout)
        except httpx2.TransportError as exc:
            if attempt >= retries:
                raise connection_error(exc, request) from None
        finally:
            fh.close()
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
    video: VideoFile = yield Blocking(functools.partial(VideoFile.check, path))
    registered = yield from resource._call(register_call())
    client = resource._client
    yield from upload_file_flow(
        registered,
        video,
        on_progress,
        client.retry.max_retries,
        client.clock,
        client.transfer_timeout,
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
        return wait_flow(self, check_id("media_id", media_id), check_seconds("timeout", timeout))
