"""Blocking work leaves the event loop: the async client reads upload files and token stores in
worker threads (``Blocking`` flow steps), while the sync client does it in the calling thread.
The upload stays a streamed body with a Content-Length.
"""

from __future__ import annotations

import io
import struct
import threading
from pathlib import Path
from typing import Any

import httpx2
import pytest

import pinkit
from pinkit.emulator import Emulator
from pinkit.media_sources import VideoFile
from pinkit.resources import media


class RecordingStore(pinkit.MemoryTokenStore):
    """A token store that records which thread loads and saves."""

    def __init__(self, token: pinkit.TokenSet) -> None:
        super().__init__(token)
        self.calls: list[tuple[str, int]] = []

    def load(self) -> pinkit.TokenSet | None:
        self.calls.append(("load", threading.get_ident()))
        return super().load()

    def save(self, token: pinkit.TokenSet) -> None:
        self.calls.append(("save", threading.get_ident()))
        super().save(token)


class RecordingFile(io.FileIO):
    """A video file that records the thread and size of every read."""

    def __init__(self, path: Path, calls: list[tuple[str, int, int]]) -> None:
        super().__init__(path, "rb")
        self.calls = calls
        calls.append(("open", threading.get_ident(), 0))

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.calls.append(("read", threading.get_ident(), -1 if size is None else size))
        return chunk


class RecordingTransport(httpx2.AsyncBaseTransport, httpx2.BaseTransport):
    """Hands requests to the emulator's transport and keeps their headers."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.headers: list[httpx2.Headers] = []

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.headers.append(request.headers.copy())
        response: httpx2.Response = self.inner.handle_request(request)
        return response

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.headers.append(request.headers.copy())
        response: httpx2.Response = await self.inner.handle_async_request(request)
        return response


def mp4_file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "clip.mp4"
    box = struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2"
    path.write_bytes(box + b"\x00" * (size - len(box)))
    return path


@pytest.fixture
def recorded_io(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, int]]:
    """Every open, read and check of a video file the client does, with its thread."""
    calls: list[tuple[str, int, int]] = []
    monkeypatch.setattr(media, "_open_video", lambda path: RecordingFile(path, calls))
    check = VideoFile.check.__func__  # type: ignore[attr-defined]

    def recording_check(cls: type[VideoFile], path: Any) -> VideoFile:
        calls.append(("check", threading.get_ident(), 0))
        video: VideoFile = check(cls, path)
        return video

    monkeypatch.setattr(VideoFile, "check", classmethod(recording_check))
    return calls


SIZE = 300_000


def _upload_headers(transport: RecordingTransport) -> httpx2.Headers:
    (headers,) = [h for h in transport.headers if "multipart" in h.get("content-type", "")]
    return headers


def _assert_streamed(calls: list[tuple[str, int, int]]) -> None:
    reads = [size for kind, _, size in calls if kind == "read"]
    assert reads, "the file was never read"
    assert all(0 < size <= 1024 * 1024 for size in reads), reads  # chunks, never read(-1)


@pytest.mark.anyio
async def test_async_upload_reads_the_file_in_worker_threads(
    inproc_emulator: Emulator, tmp_path: Path, recorded_io: list[tuple[str, int, int]]
) -> None:
    inproc_emulator.configure_media(processing_seconds=0)
    transport = RecordingTransport(inproc_emulator.async_transport())
    http = httpx2.AsyncClient(transport=transport)
    progress: list[tuple[int, int]] = []
    async with inproc_emulator.async_client(http_client=http) as client:
        loop_thread = threading.get_ident()
        board = await client.boards.create("Videos")
        assert board.id
        pin = await client.pins.create_video(
            board.id,
            mp4_file(tmp_path, SIZE),
            on_progress=lambda *a: progress.append((*a, threading.get_ident())),
        )
    await http.aclose()
    assert pin.board_id == board.id
    assert {kind for kind, _, _ in recorded_io} == {"check", "open", "read"}
    assert all(thread != loop_thread for _, thread, _ in recorded_io), recorded_io
    _assert_streamed(recorded_io)
    headers = _upload_headers(transport)
    assert int(headers["content-length"]) > SIZE
    assert "transfer-encoding" not in headers
    assert progress[-1][:2] == (SIZE, SIZE)
    assert {thread for _, _, thread in progress} == {loop_thread}  # callbacks on the loop


def test_sync_upload_reads_the_file_in_the_calling_thread(
    inproc_emulator: Emulator, tmp_path: Path, recorded_io: list[tuple[str, int, int]]
) -> None:
    inproc_emulator.configure_media(processing_seconds=0)
    transport = RecordingTransport(inproc_emulator.transport())
    with inproc_emulator.client(http_client=httpx2.Client(transport=transport)) as client:
        upload = client.media.upload(mp4_file(tmp_path, SIZE))
        assert client.media.wait(upload.media_id).status == "succeeded"
    assert {thread for _, thread, _ in recorded_io} == {threading.get_ident()}
    _assert_streamed(recorded_io)
    headers = _upload_headers(transport)
    assert int(headers["content-length"]) > SIZE
    assert "transfer-encoding" not in headers


@pytest.mark.anyio
async def test_async_token_store_io_runs_in_worker_threads(inproc_emulator: Emulator) -> None:
    emulator = inproc_emulator
    store = RecordingStore(emulator.issue_token(expires_in=3600))
    async with emulator.async_client(
        access_token=None, token_store=store, oauth_app=emulator.default_app
    ) as client:
        assert store.calls == []  # construction does no store I/O on the loop
        loop_thread = threading.get_ident()
        await client.user_account.get()
        emulator.clock.advance(3600)
        await client.user_account.get()  # refreshes first: load, then save the rotation
    assert [kind for kind, _ in store.calls] == ["load", "load", "save"]
    assert all(thread != loop_thread for _, thread in store.calls), store.calls


def test_sync_token_store_io_runs_in_the_calling_thread(inproc_emulator: Emulator) -> None:
    emulator = inproc_emulator
    store = RecordingStore(emulator.issue_token(expires_in=3600))
    with emulator.client(
        access_token=None, token_store=store, oauth_app=emulator.default_app
    ) as client:
        assert client.token is not None  # read when the client is made
        client.user_account.get()
        emulator.clock.advance(3600)
        client.user_account.get()
    assert [kind for kind, _ in store.calls] == ["load", "load", "save"]
    assert {thread for _, thread in store.calls} == {threading.get_ident()}
