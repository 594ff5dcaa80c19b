"""What a person sees in an 80-column terminal (tmux): tables that fit, whole IDs, and no
progress lines left behind."""

from __future__ import annotations

import re
from pathlib import Path

from pinkit.emulator import Emulator

from .conftest import Screen, Terminal, tiny_mp4

LONG = "A rather long pin title that goes on and on about soup and bread"
ID = re.compile(r"\b\d{16}\b")


def long_pins(emulator: Emulator, board_id: str, count: int = 3) -> list[str]:
    ids = []
    with emulator.client() as client:
        for i in range(count):
            pin = client.pins.create(
                board_id, {"source_type": "image_url", "url": f"https://example.com/{i}.jpg"},
                title=LONG, description="words " * 40, link="https://example.com/a/long/path/r",
            )  # fmt: skip
            assert pin.id is not None
            ids.append(pin.id)
    return ids


def table_rows(screen: Screen) -> list[str]:
    return [line for line in screen.lines if line.startswith("│")]


def progress_lines(screen: Screen) -> list[str]:
    """Lines of a progress display: a bar or a spinner, outside any table."""
    return [
        line
        for line in screen.lines
        if ("━" in line or "0/?" in line) and not line.startswith(("┏", "┃", "┡", "│", "└"))
    ]


def assert_fits(screen: Screen, width: int = 80) -> None:
    assert all(len(line) <= width for line in screen.lines), screen.text
    top = [line for line in screen.lines if line.startswith("┏")]
    assert top, screen.text
    assert len(top[0]) <= width


def test_board_pins_table_keeps_ids_whole_at_80_columns(
    terminal: Terminal, emulator: Emulator, token_env: dict[str, str], board_id: str
) -> None:
    ids = long_pins(emulator, board_id)
    screen = terminal.run("boards", "pins", board_id, env=token_env)
    assert screen.code == 0, screen.text
    assert_fits(screen)
    rows = table_rows(screen)
    assert len(rows) == len(ids)  # one line per pin: nothing folds onto a second line
    for pin_id, row in zip(ids, rows, strict=True):
        assert pin_id in row and board_id in row
        assert "A rather long" in row and "…" in row  # the title is cut, not wrapped


def test_pins_list_table_at_80_columns(
    terminal: Terminal, emulator: Emulator, token_env: dict[str, str], board_id: str
) -> None:
    ids = long_pins(emulator, board_id, 2)
    screen = terminal.run("pins", "list", env=token_env)
    assert screen.code == 0, screen.text
    assert_fits(screen)
    shown = {m for row in table_rows(screen) for m in ID.findall(row)}
    assert set(ids) <= shown
    assert "2 pins" in screen.lines


def test_publish_dry_run_plan_at_80_columns(
    terminal: Terminal, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    path = tmp_path / "spring.csv"
    path.write_text(
        "board,section,title,image_url\n"
        f"{board_id},1000000000000123,{LONG},https://example.com/a/very/long/path/flowers.jpg\n"
        f"{board_id},,Short,https://example.com/b.jpg\n",
        encoding="utf-8",
    )
    screen = terminal.run("pins", "publish", str(path), "--dry-run", env=token_env)
    assert screen.code == 0, screen.text
    assert_fits(screen)
    rows = table_rows(screen)
    assert len(rows) == 2
    assert board_id in rows[0] and "1000000000000123" in rows[0]
    assert board_id in rows[1]


def test_api_paginate_table_shows_a_few_columns(
    terminal: Terminal, emulator: Emulator, token_env: dict[str, str], board_id: str
) -> None:
    ids = long_pins(emulator, board_id, 2)
    screen = terminal.run(
        "api", "GET", f"/boards/{board_id}/pins", "--paginate", "--format", "table", env=token_env
    )
    assert screen.code == 0, screen.text
    assert_fits(screen)
    header = next(line for line in screen.lines if line.startswith("┃"))
    names = [cell.strip() for cell in header.strip("┃").split("┃")]
    assert names[:2] == ["id", "title"]
    assert len(names) <= 6
    rows = table_rows(screen)
    assert len(rows) == 2
    assert all(pin_id in row for pin_id, row in zip(ids, rows, strict=True))
    assert any("--format json" in line for line in screen.lines)  # where the rest is


def test_no_progress_line_is_left_after_a_video_pin(
    terminal: Terminal, emulator: Emulator, token_env: dict[str, str], board_id: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    emulator.configure_media(processing_seconds=1.5)
    video = tmp_path / "clip.mp4"
    video.write_bytes(tiny_mp4())
    screen = terminal.run(
        "pins", "create", "--board", board_id, "--video", str(video), "--title", "Clip",
        "--format", "ndjson", env=token_env,
    )  # fmt: skip
    assert screen.code == 0, screen.text
    assert '"title": "Clip"' in screen.text
    assert "processing" not in screen.text and "uploading" not in screen.text, screen.text
    assert progress_lines(screen) == []


def test_no_progress_line_is_left_after_publishing_videos(
    terminal: Terminal, emulator: Emulator, token_env: dict[str, str], board_id: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    emulator.configure_media(processing_seconds=1)
    (tmp_path / "clip.mp4").write_bytes(tiny_mp4())
    path = tmp_path / "videos.csv"
    path.write_text(f"board,title,video\n{board_id},V1,clip.mp4\n{board_id},V2,clip.mp4\n")
    screen = terminal.run("pins", "publish", str(path), env=token_env)
    assert screen.code == 0, screen.text
    assert "processing" not in screen.text and "uploading" not in screen.text, screen.text
    assert progress_lines(screen) == []
    rows = table_rows(screen)
    assert len(rows) == 2 and all("created" in row for row in rows)
