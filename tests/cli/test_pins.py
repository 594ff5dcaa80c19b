"""``pinkit pins`` and ``pinkit media``: create (URL, file, video), update/move, delete, save."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pinkit.cli._output import Output
from pinkit.emulator import Emulator

from .conftest import CLI, no_traceback, one_line, pin_count, tiny_mp4, tiny_png


def test_create_from_image_url(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str
) -> None:
    result = cli.sub(
        "pins", "create", "--board", board_id, "--image-url", "https://example.com/soup.jpg",
        "--title", "Soup", "--description", "Warm", "--link", "https://example.com/r",
        "--alt-text", "A bowl of soup", env=token_env,
    )  # fmt: skip
    assert result.code == 0, result.err
    pin = json.loads(result.out)
    assert pin["board_id"] == board_id
    assert (pin["title"], pin["description"], pin["alt_text"]) == ("Soup", "Warm", "A bowl of soup")
    sent = [r for r in emulator.requests if r.operation_id == "pins/create"][-1].json()
    assert sent["media_source"] == {
        "source_type": "image_url",
        "url": "https://example.com/soup.jpg",
    }


def test_create_from_image_file(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    image = tmp_path / "dot.png"
    image.write_bytes(tiny_png())
    result = cli("pins", "create", "--board", board_id, "--image", str(image), env=token_env)
    assert result.code == 0, result.err
    sent = [r for r in emulator.requests if r.operation_id == "pins/create"][-1].json()
    assert sent["media_source"]["source_type"] == "image_base64"
    assert sent["media_source"]["content_type"] == "image/png"
    assert pin_count(emulator, board_id) == 1


def test_create_from_video_file(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    emulator.configure_media(processing_seconds=0)
    video = tmp_path / "clip.mp4"
    video.write_bytes(tiny_mp4())
    result = cli.sub(
        "pins", "create", "--board", board_id, "--video", str(video), "--cover-frame", "2",
        "--title", "Clip", env=token_env,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "━" not in result.err  # no progress bar when not on a terminal
    pin = json.loads(result.out)
    assert pin["title"] == "Clip"
    operations = [r.operation_id for r in emulator.requests]
    assert operations.index("media/create") < operations.index("media/get")
    assert operations.index("media/get") < operations.index("pins/create")
    source = [r for r in emulator.requests if r.operation_id == "pins/create"][-1].json()
    assert source["media_source"]["source_type"] == "video_id"
    assert source["media_source"]["cover_image_key_frame_time"] == 2


def test_update_move_save_delete(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str
) -> None:
    with emulator.client() as client:
        other = client.boards.create("Other board")
        section = client.boards.sections.create(other.id or "", "Pasta")
        pin = client.pins.create(board_id, {"source_type": "image_url", "url": "https://e.x/a.jpg"})
    assert pin.id and other.id and section.id

    retitled = cli("pins", "update", pin.id, "--title", "New title", env=token_env)
    assert retitled.code == 0, retitled.err
    assert json.loads(retitled.out)["title"] == "New title"

    moved = cli(
        "pins", "update", pin.id, "--board", other.id, "--section", section.id, env=token_env
    )
    assert moved.code == 0, moved.err
    assert json.loads(moved.out)["board_id"] == other.id
    assert json.loads(moved.out)["board_section_id"] == section.id
    assert pin_count(emulator, board_id) == 0

    saved = cli("pins", "save", pin.id, "--board", board_id, env=token_env)
    assert saved.code == 0, saved.err
    assert json.loads(saved.out)["board_id"] == board_id
    assert pin_count(emulator, board_id) == 1

    got = cli("pins", "get", pin.id, env=token_env)
    assert json.loads(got.out)["id"] == pin.id

    deleted = cli("pins", "delete", pin.id, "--yes", env=token_env)
    assert deleted.code == 0 and deleted.out == ""
    assert one_line(deleted.err) and pin.id in deleted.err
    assert cli("pins", "get", pin.id, env=token_env).code == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("pins", "create", "--board", "1"), "exactly one of"),
        (
            (
                "pins",
                "create",
                "--board",
                "1",
                "--image-url",
                "https://e.x/a.jpg",
                "--image",
                "a.png",
            ),
            "exactly one of",
        ),
        (
            (
                "pins",
                "create",
                "--board",
                "1",
                "--image-url",
                "https://e.x/a.jpg",
                "--cover-frame",
                "1",
            ),
            "only go with --video",
        ),
        (
            ("pins", "create", "--board", "abc", "--image-url", "https://e.x/a.jpg"),
            "--board must be digits, got 'abc'",
        ),
        (
            ("pins", "create", "--board", "1", "--image-url", "ftp://e.x/a.jpg"),
            "--image-url must be an http(s) URL",
        ),
        (
            (
                "pins",
                "create",
                "--board",
                "1",
                "--image-url",
                "https://e.x/a.jpg",
                "--title",
                "t" * 101,
            ),
            "--title is 101 characters",
        ),
        (("pins", "create", "--board", "1", "--image", "/nonexistent.png"), "cannot read"),
        (("pins", "create", "--board", "1", "--video", "clip.avi"), ".avi"),
        (("pins", "update", "1"), "nothing to update"),
        (("pins", "save", "1"), "--board"),
        (("pins", "delete", "x1"), "PIN_ID must be digits, got 'x1'"),
        (("media", "wait", "abc"), "MEDIA_ID must be digits, got 'abc'"),
    ],
)
def test_bad_input_exits_2_before_any_request(
    cli: CLI,
    emulator: Emulator,
    token_env: dict[str, str],
    args: tuple[str, ...],
    needle: str,
) -> None:
    emulator.clear_requests()
    result = cli(*args, env=token_env)
    assert result.code == 2, result.all
    assert one_line(result.err) and no_traceback(result.err), result.err
    assert needle in result.err
    assert emulator.requests == []


def test_not_an_image_file(cli: CLI, token_env: dict[str, str], tmp_path: Path) -> None:
    fake = tmp_path / "fake.png"
    fake.write_text("hello")
    result = cli("pins", "create", "--board", "1", "--image", str(fake), env=token_env)
    assert result.code == 2
    assert "neither JPEG nor PNG" in result.err


def test_media_upload_and_wait(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], tmp_path: Path
) -> None:
    emulator.configure_media(processing_seconds=0)
    video = tmp_path / "clip.mov"
    video.write_bytes(tiny_mp4())
    uploaded = cli.sub("media", "upload", str(video), env=token_env)
    assert uploaded.code == 0, uploaded.err
    upload = json.loads(uploaded.out)
    assert "upload_parameters" not in upload  # a signed upload form: used, never shown
    media_id = upload["media_id"]

    waited = cli("media", "wait", media_id, "--timeout", "10", env=token_env)
    assert waited.code == 0, waited.err
    assert json.loads(waited.out)["status"] == "succeeded"
    assert json.loads(cli("media", "get", media_id, env=token_env).out)["media_id"] == media_id
    listed = cli("media", "list", "--format", "ndjson", env=token_env)
    assert [json.loads(line)["media_id"] for line in listed.out.splitlines()] == [media_id]

    both = cli("media", "upload", str(video), "--wait", env=token_env)
    assert json.loads(both.out)["status"] == "succeeded"


def test_media_processing_failure_exits_1(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], tmp_path: Path, board_id: str
) -> None:
    emulator.configure_media(processing_seconds=0, outcome="failed")
    video = tmp_path / "clip.mp4"
    video.write_bytes(tiny_mp4())
    result = cli("pins", "create", "--board", board_id, "--video", str(video), env=token_env)
    assert result.code == 1
    assert one_line(result.err) and "could not process" in result.err
    assert pin_count(emulator, board_id) == 0


def test_progress_bar_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Terminal()
    with Output("json", stderr=shown).progress("uploading", unit="bytes") as bar:
        bar.update(50, total=100)
    assert "uploading" in shown.getvalue()

    piped = io.StringIO()
    with Output("json", stderr=piped).progress("uploading", unit="bytes") as bar:
        bar.update(50, total=100)
    assert piped.getvalue() == ""

    quiet = Terminal()
    with Output("json", quiet=True, stderr=quiet).progress("uploading") as bar:
        bar.advance()
    assert quiet.getvalue() == ""
