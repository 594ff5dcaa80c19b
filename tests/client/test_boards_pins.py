"""Boards, sections, pins and media through the client, against the emulator."""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import pinkit
from pinkit.emulator import Emulator


def png_bytes() -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def mp4_file(tmp_path: Path, name: str = "clip.mp4", size: int = 4096) -> Path:
    path = tmp_path / name
    box = struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2"
    path.write_bytes(box + b"\x00" * (size - len(box)))
    return path


@pytest.fixture
def emulator(inproc_emulator: Emulator) -> Emulator:
    return inproc_emulator  # in-process: no sockets


@pytest.fixture
def client(emulator: Emulator) -> Iterator[pinkit.Client]:
    with emulator.client() as client:
        yield client


def _count(emulator: Emulator, operation_id: str) -> int:
    return sum(1 for r in emulator.requests if r.operation_id == operation_id)


def test_board_round_trip(client: pinkit.Client) -> None:
    board = client.boards.create("Recipes", description="Weeknight dinners", privacy="secret")
    assert isinstance(board, pinkit.Board)
    assert board.id and board.name == "Recipes" and board.privacy == "SECRET"
    assert client.boards.get(board.id).description == "Weeknight dinners"
    updated = client.boards.update(board.id, name="Dinners", privacy="PUBLIC")
    assert (updated.name, updated.privacy) == ("Dinners", "PUBLIC")
    assert board.id in {b.id for b in client.boards.list()}
    assert board.id not in {b.id for b in client.boards.list(privacy="SECRET")}
    client.boards.delete(board.id)
    with pytest.raises(pinkit.NotFoundError):
        client.boards.get(board.id)


def test_sections(client: pinkit.Client) -> None:
    board = client.boards.create("Travel")
    assert board.id
    section = client.boards.sections.create(board.id, "Japan")
    assert section.id and section.name == "Japan"
    renamed = client.boards.sections.update(board.id, section.id, "Kyoto")
    assert renamed.name == "Kyoto"
    assert [s.name for s in client.boards.sections.list(board.id)] == ["Kyoto"]
    pin = client.pins.create(
        board.id, pinkit.ImageURL("https://example.com/a.jpg"), board_section_id=section.id
    )
    assert [p.id for p in client.boards.sections.list_pins(board.id, section.id)] == [pin.id]
    client.boards.sections.delete(board.id, section.id)
    assert list(client.boards.sections.list(board.id)) == []


@pytest.mark.parametrize(
    "source",
    [
        pinkit.ImageURL("https://example.com/photo.jpg"),
        pinkit.ImageBase64.from_bytes(png_bytes()),
        pinkit.ImageURLs(["https://example.com/1.jpg", "https://example.com/2.jpg"]),
        {"source_type": "image_url", "url": "https://example.com/dict.jpg"},
    ],
)
def test_pin_create_from_each_source(client: pinkit.Client, source: Any) -> None:
    board = client.boards.create("Ideas")
    assert board.id
    pin = client.pins.create(
        board.id, source, title="A title", description="Words", link="https://example.com/"
    )
    assert isinstance(pin, pinkit.Pin)
    assert pin.id and pin.board_id == board.id and pin.title == "A title"
    assert client.pins.get(pin.id).link == "https://example.com/"
    assert client.boards.get(board.id).pin_count == 1


def test_pin_update_move_save_delete(emulator: Emulator, client: pinkit.Client) -> None:
    first, second = client.boards.create("First"), client.boards.create("Second")
    assert first.id and second.id
    section = client.boards.sections.create(second.id, "Part")
    pin = client.pins.create(first.id, pinkit.ImageURL("https://example.com/a.png"))
    assert pin.id
    moved = client.pins.update(pin.id, board_id=second.id, board_section_id=section.id, title="T")
    assert (moved.board_id, moved.board_section_id, moved.title) == (second.id, section.id, "T")
    assert client.boards.get(first.id).pin_count == 0
    assert client.boards.get(second.id).pin_count == 1
    saved = client.pins.save(pin.id, first.id)
    assert saved.id and saved.id != pin.id and saved.board_id == first.id
    client.pins.delete(pin.id)
    with pytest.raises(pinkit.NotFoundError) as exc:
        client.pins.get(pin.id)
    assert exc.value.code == 50


def test_pins_paginate(emulator: Emulator, client: pinkit.Client) -> None:
    board_id = emulator.seed_pins(600)
    pins = list(client.boards.list_pins(board_id))
    assert len(pins) == 600 and len({p.id for p in pins}) == 600
    assert _count(emulator, "boards/list_pins") == 3  # 250 + 250 + 100
    assert len(list(client.pins.list(max_items=7))) == 7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "x" * 101}, "title is 101 characters"),
        ({"description": "x" * 801}, "description"),
        ({"alt_text": "x" * 501}, "alt_text"),
        ({"link": "not a url"}, "http"),
        ({"board_section_id": "abc"}, "board_section_id"),
    ],
)
def test_bad_pin_input_fails_before_any_request(
    emulator: Emulator, client: pinkit.Client, kwargs: dict[str, Any], message: str
) -> None:
    before = len(emulator.requests)
    with pytest.raises(pinkit.InvalidInputError, match=message):
        client.pins.create("123", pinkit.ImageURL("https://example.com/a.jpg"), **kwargs)
    assert len(emulator.requests) == before


def test_bad_media_sources() -> None:
    with pytest.raises(pinkit.InvalidInputError):
        pinkit.ImageURL("ftp://example.com/a.jpg")
    with pytest.raises(pinkit.InvalidInputError, match="JPEG nor PNG"):
        pinkit.ImageBase64.from_bytes(b"GIF89a....")
    with pytest.raises(pinkit.InvalidInputError, match="base64"):
        pinkit.ImageBase64("not base64!!", "image/png")
    with pytest.raises(pinkit.InvalidInputError, match="2 to 5"):
        pinkit.ImageURLs(["https://example.com/1.jpg"])
    with pytest.raises(pinkit.InvalidInputError, match="exactly one cover"):
        pinkit.VideoID("123")
    with pytest.raises(pinkit.InvalidInputError, match="board_id"):
        pinkit.Client("t").boards.get("../users")


def test_create_is_not_retried_after_it_may_have_been_processed(
    emulator: Emulator, client: pinkit.Client
) -> None:
    board = client.boards.create("Once")
    assert board.id
    emulator.inject_fault(500, operation="pins/create", after_processing=True)
    with pytest.raises(pinkit.InternalServerError):
        client.pins.create(board.id, pinkit.ImageURL("https://example.com/a.jpg"))
    assert _count(emulator, "pins/create") == 1
    assert len(list(client.boards.list_pins(board.id))) == 1  # processed once, never twice


def test_create_video(emulator: Emulator, client: pinkit.Client, tmp_path: Path) -> None:
    emulator.configure_media(processing_seconds=0)
    board = client.boards.create("Videos")
    assert board.id
    progress: list[tuple[int, int]] = []
    video = mp4_file(tmp_path, size=300_000)
    pin = client.pins.create_video(
        board.id,
        video,
        title="Clip",
        cover_image_key_frame_time=2,
        on_progress=lambda *a: progress.append(a),
    )
    assert pin.id and pin.board_id == board.id and pin.title == "Clip"
    assert progress and progress[-1] == (300_000, 300_000)
    assert [p for p, _ in progress] == sorted(p for p, _ in progress)
    body = next(r for r in emulator.requests if r.operation_id == "pins/create").body
    assert b'"source_type":"video_id"' in body.replace(b" ", b"")
    media = list(client.media.list())
    assert [m.status for m in media] == ["succeeded"]


def test_video_processing_failure_creates_no_pin(
    emulator: Emulator, client: pinkit.Client, tmp_path: Path
) -> None:
    emulator.configure_media(processing_seconds=0, outcome="failed")
    board = client.boards.create("Videos")
    assert board.id
    with pytest.raises(pinkit.MediaProcessingError) as exc:
        client.pins.create_video(board.id, mp4_file(tmp_path))
    assert exc.value.status == "failed" and exc.value.media_id
    assert _count(emulator, "pins/create") == 0


def test_video_deadline(emulator: Emulator, client: pinkit.Client, tmp_path: Path) -> None:
    emulator.configure_media(processing_seconds=3600)
    upload = client.media.upload(mp4_file(tmp_path))
    with pytest.raises(pinkit.MediaProcessingError, match="after 0s") as exc:
        client.media.wait(upload.media_id, timeout=0.01)
    assert exc.value.status == "processing"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("clip.avi", b"\x00\x00\x00\x18ftypisom", "not '.avi'"),
        ("clip.mp4", b"", "bytes"),
        ("clip.mov", b"RIFF....AVI LIST", "ftyp"),
    ],
)
def test_bad_video_files_fail_before_any_request(
    emulator: Emulator,
    client: pinkit.Client,
    tmp_path: Path,
    name: str,
    content: bytes,
    message: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = len(emulator.requests)
    with pytest.raises(pinkit.InvalidInputError, match=message):
        client.pins.create_video("123", path)
    with pytest.raises(pinkit.InvalidInputError, match="cannot read"):
        client.media.upload(tmp_path / "missing.mp4")
    assert len(emulator.requests) == before


@pytest.mark.anyio
async def test_async_boards_pins_and_video(emulator: Emulator, tmp_path: Path) -> None:
    emulator.configure_media(processing_seconds=0)
    async with emulator.async_client() as client:
        board = await client.boards.create("Async")
        assert board.id
        image = pinkit.ImageBase64("".join(base64.b64encode(png_bytes()).decode()), "image/png")
        pin = await client.pins.create(board.id, image, title="async")
        pins = [p async for p in client.boards.list_pins(board.id)]
        assert [p.id for p in pins] == [pin.id]
        video_pin = await client.pins.create_video(board.id, mp4_file(tmp_path))
        assert video_pin.board_id == board.id
        await client.pins.delete(pin.id)
        assert [b.id async for b in client.boards.list()] == [board.id]
