"""``pinkit pins publish``: validate everything first, publish, resume without duplicates."""

from __future__ import annotations

import csv
import io
import json
import signal
import time
from pathlib import Path

import pytest

from pinkit.cli._publish import Record, match_records, read_rows
from pinkit.emulator import Emulator

from .conftest import CLI, no_traceback, one_line, pin_count, tiny_mp4, tiny_png

HEADER = "board,section,title,description,link,alt_text,image_url,image,video\n"


def write_csv(folder: Path, lines: list[str], header: str = HEADER) -> Path:
    path = folder / "pins.csv"
    path.write_text(header + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def url_rows(board_id: str, count: int) -> list[str]:
    return [f"{board_id},,Pin {i},,,,https://example.com/{i}.jpg,," for i in range(count)]


def results(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def latest(path: Path) -> list[dict[str, str]]:
    """The last record of each row (a row may be recorded as in flight, then its outcome)."""
    by_row = {record["row"]: record for record in results(path)}
    return [by_row[row] for row in sorted(by_row, key=int)]


def created_titles(emulator: Emulator, board_id: str) -> list[str]:
    with emulator.client() as client:
        return sorted(pin.title or "" for pin in client.boards.list_pins(board_id))


def test_every_bad_row_is_reported_and_nothing_is_sent(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "fake.png").write_text("not an image")
    (tmp_path / "ok.png").write_bytes(tiny_png())
    path = write_csv(
        tmp_path,
        [
            "123,,Fine,,,,https://example.com/a.jpg,,",  # row 2: good
            "abc,,Bad board,,,,https://example.com/a.jpg,,",  # row 3
            "123,x9,Bad section,,,,https://example.com/a.jpg,,",  # row 4
            f"123,,{'t' * 101},,,,https://example.com/a.jpg,,",  # row 5: title too long
            "123,,Two media,,,,https://example.com/a.jpg,ok.png,",  # row 6
            "123,,No media,,,,,,",  # row 7
            "123,,Missing file,,,,,missing.png,",  # row 8
            "123,,Not PNG,,,,,fake.png,",  # row 9
            "123,,Bad link,,notalink,,https://example.com/a.jpg,,",  # row 10
            "123,,Wrong video,,,,,,ok.png",  # row 11
        ],
    )
    emulator.clear_requests()
    result = cli.sub("pins", "publish", str(path), env=token_env)
    assert result.code == 2, result.all
    assert result.out == ""
    assert no_traceback(result.err)
    lines = result.err.strip().splitlines()
    expected = {
        "row 3, board", "row 4, section", "row 5, title", "row 6, media", "row 7, media",
        "row 8, image", "row 9, image", "row 10, link", "row 11, video",
    }  # fmt: skip
    for where in expected:
        assert any(line.startswith(f"error: {where}:") for line in lines), (where, lines)
    assert not any("row 2" in line for line in lines)
    assert lines[-1] == "error: 9 problems in 9 bad rows; nothing was sent"
    assert emulator.requests == []
    assert not (tmp_path / "pins.csv.results.csv").exists()


def test_header_problems(cli: CLI, tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["1,https://example.com/a.jpg,x"], header="board,image_url,notes\n")
    result = cli("pins", "publish", str(path))
    assert result.code == 2
    assert "row 1, notes: unknown column" in result.err
    no_board = write_csv(tmp_path, ["https://example.com/a.jpg"], header="image_url\n")
    assert "row 1, board: missing required column" in cli("pins", "publish", str(no_board)).err


def test_clean_publish_of_every_media_kind(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    emulator.configure_media(processing_seconds=0)
    with emulator.client() as client:
        section = client.boards.sections.create(board_id, "Pasta")
    media = tmp_path / "media"
    media.mkdir()
    (media / "dot.png").write_bytes(tiny_png())
    (media / "clip.mp4").write_bytes(tiny_mp4())
    path = write_csv(
        tmp_path,
        [
            f"{board_id},{section.id},From URL,Nice,https://example.com/r,Alt,"
            "https://example.com/a.jpg,,",
            f"{board_id},,From file,,,,,media/dot.png,",
            f"{board_id},,From video,,,,,,media/clip.mp4",
        ],
    )
    result = cli.sub("pins", "publish", str(path), env=token_env)
    assert result.code == 0, result.err
    assert "3 created, 0 skipped, 0 failed" in result.err
    assert created_titles(emulator, board_id) == ["From URL", "From file", "From video"]
    report = json.loads(result.out)
    assert [r["status"] for r in report] == ["created"] * 3

    records = latest(tmp_path / "pins.csv.results.csv")
    assert [r["row"] for r in records] == ["2", "3", "4"]
    assert {r["status"] for r in records} == {"created"}
    assert all(r["pin_id"].isdigit() and len(r["key"]) == 16 for r in records)
    with emulator.client() as client:
        in_section = list(client.boards.sections.list_pins(board_id, section.id or ""))
    assert [p.title for p in in_section] == ["From URL"]

    again = cli("pins", "publish", str(path), env=token_env)
    assert again.code == 0
    assert "0 created, 3 skipped, 0 failed" in again.err
    assert pin_count(emulator, board_id) == 3


def test_dry_run_sends_nothing(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, url_rows(board_id, 3))
    emulator.clear_requests()
    result = cli("pins", "publish", str(path), "--dry-run", "--format", "ndjson", env=token_env)
    assert result.code == 0, result.err
    plan = [json.loads(line) for line in result.out.splitlines()]
    assert [p["action"] for p in plan] == ["create"] * 3
    assert "would create 3" in result.err
    assert emulator.requests == []
    assert not (tmp_path / "pins.csv.results.csv").exists()


def test_a_failed_row_is_retried_on_the_next_run(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, url_rows(board_id, 3))
    results_path = tmp_path / "out" / "results.csv"
    emulator.inject_fault(400, operation="pins/create")
    first = cli("pins", "publish", str(path), "--results", str(results_path), env=token_env)
    assert first.code == 1
    assert "2 created, 0 skipped, 1 failed" in first.err
    assert "row 2: failed: [400" in first.err
    assert pin_count(emulator, board_id) == 2

    second = cli("pins", "publish", str(path), "--results", str(results_path), env=token_env)
    assert second.code == 0, second.err
    assert "1 created, 2 skipped, 0 failed" in second.err
    assert created_titles(emulator, board_id) == ["Pin 0", "Pin 1", "Pin 2"]


def test_resume_after_the_process_is_killed(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    """Kill -9 mid-run (blocked on a rate limit after 3 pins), resume: each row exactly once."""
    path = write_csv(tmp_path, url_rows(board_id, 6))
    results_path = tmp_path / "pins.csv.results.csv"
    emulator.clock.advance(120)  # a fresh rate-limit window for the writes below
    emulator.set_rate_limit("org_write", 3, window_s=30)
    proc = cli.popen("pins", "publish", str(path), env=token_env)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            statuses = [r["status"] for r in latest(results_path)] if results_path.exists() else []
            if statuses == ["created"] * 3 + ["unknown"]:
                break  # the 4th create is on its way, held up by the rate limit
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        assert proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert pin_count(emulator, board_id) == 3

    emulator.set_rate_limit("org_write", 100, window_s=60)
    emulator.clock.advance(120)
    resumed = cli.sub("pins", "publish", str(path), env=token_env)
    assert resumed.code == 0, resumed.err
    assert "3 created, 3 skipped, 0 failed" in resumed.err
    assert created_titles(emulator, board_id) == [f"Pin {i}" for i in range(6)]


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_records_the_row_in_flight_and_prints_the_summary(
    cli: CLI,
    emulator: Emulator,
    token_env: dict[str, str],
    board_id: str,
    tmp_path: Path,
    sig: signal.Signals,
    code: int,
) -> None:
    path = write_csv(tmp_path, url_rows(board_id, 4))
    results_path = tmp_path / "pins.csv.results.csv"
    emulator.clock.advance(120)
    emulator.set_rate_limit("org_write", 2, window_s=30)
    proc = cli.popen("pins", "publish", str(path), env=token_env)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (
        results_path.exists()
        and [r["status"] for r in latest(results_path)] == ["created", "created", "unknown"]
    ):
        time.sleep(0.05)  # until the 3rd create is in flight (recorded just before sending)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == code, err
    assert no_traceback(err)
    records = latest(results_path)
    assert [r["status"] for r in records] == ["created", "created", "unknown"]
    assert "interrupted" in records[2]["message"]
    # What was done, as at the end of any run: the report, the summary, how to resume.
    assert [r["status"] for r in json.loads(out)] == ["created", "created", "unknown"]
    assert "2 created, 0 skipped, 0 failed, 1 unknown, 1 not sent" in err
    reason = "terminated (SIGTERM)" if sig == signal.SIGTERM else "interrupted"
    assert f"error: stopped: {reason}; run the same command again to resume" in err

    # The row in flight was still waiting for the rate limit: it is not on the board, so the
    # re-run finds it missing and creates it; nothing is duplicated.
    emulator.set_rate_limit("org_write", 100, window_s=60)
    emulator.clock.advance(120)
    resumed = cli("pins", "publish", str(path), env=token_env)
    assert resumed.code == 0, resumed.err
    assert "2 created, 2 skipped, 0 failed" in resumed.err
    assert created_titles(emulator, board_id) == [f"Pin {i}" for i in range(4)]


def test_a_rejected_token_stops_the_run_with_exit_4(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, url_rows(board_id, 3))
    emulator.inject_fault(401, operation="pins/create")
    result = cli("pins", "publish", str(path), env=token_env)
    assert result.code == 4, result.err
    assert "0 created, 0 skipped, 1 failed, 2 not sent" in result.err
    assert "error: stopped: authentication failed" in result.err
    assert result.err.rstrip().endswith(
        "the token in PINTEREST_ACCESS_TOKEN is not valid: set a valid one, or unset it and "
        "run `pinkit auth login`"
    )
    assert pin_count(emulator, board_id) == 0


def test_unknown_outcome_is_settled_by_looking_at_the_board(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    """The pin is created but the answer is a 500: recorded as unknown, never blindly sent
    again; the re-run finds it on the board and records it as created."""
    path = write_csv(tmp_path, url_rows(board_id, 3))
    emulator.inject_fault(500, operation="pins/create", after_processing=True)
    first = cli("pins", "publish", str(path), env=token_env)
    assert first.code == 1
    assert "2 created, 0 skipped, 0 failed, 1 unknown" in first.err
    assert pin_count(emulator, board_id) == 3  # it did reach Pinterest

    dry = cli("pins", "publish", str(path), "--dry-run", "--format", "ndjson", env=token_env)
    assert [json.loads(line)["action"] for line in dry.out.splitlines()] == [
        "hold",
        "skip",
        "skip",
    ]

    second = cli("pins", "publish", str(path), env=token_env)
    assert second.code == 0, second.err
    assert "0 created, 3 skipped, 0 failed" in second.err
    assert pin_count(emulator, board_id) == 3  # no duplicate
    assert {r["status"] for r in latest(tmp_path / "pins.csv.results.csv")} == {"created"}


def test_an_unrecognisable_unknown_row_is_held(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    """A row with no text cannot be recognised on the board: it stays held until
    --retry-unknown, which sends it again (the documented trade-off: here, a duplicate)."""
    path = write_csv(tmp_path, [f"{board_id},,,,,,https://example.com/bare.jpg,,"])
    emulator.inject_fault(500, operation="pins/create", after_processing=True)
    assert cli("pins", "publish", str(path), env=token_env).code == 1
    second = cli("pins", "publish", str(path), env=token_env)
    assert second.code == 1
    assert "0 created, 0 skipped, 0 failed, 1 unknown" in second.err
    assert "--retry-unknown" in second.err
    assert pin_count(emulator, board_id) == 1

    forced = cli("pins", "publish", str(path), "--retry-unknown", env=token_env)
    assert forced.code == 0
    assert pin_count(emulator, board_id) == 2


def test_a_second_run_on_the_same_results_file_waits_its_turn(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    """Two overlapping runs: the records are read under the lock, so no row is sent twice."""
    path = write_csv(tmp_path, url_rows(board_id, 2))
    emulator.clock.advance(120)
    emulator.set_rate_limit("org_write", 1, window_s=30)
    first = cli.popen("pins", "publish", str(path), env=token_env)
    results_path = tmp_path / "pins.csv.results.csv"
    try:
        deadline = time.monotonic() + 30
        # The first run holds the lock once it has recorded its first row.
        while time.monotonic() < deadline and not (results_path.exists() and latest(results_path)):
            assert first.poll() is None, first.communicate()
            time.sleep(0.02)
        assert first.poll() is None  # now waiting for the rate limit, lock held
        second = cli("pins", "publish", str(path), env=token_env)
        assert second.code == 2, second.err
        assert "in use" in second.err
    finally:
        first.kill()
        first.communicate()
    assert pin_count(emulator, board_id) <= 1


def test_rows_match_by_content_when_rows_move(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [*url_rows("1", 2), "1,,Pin 0,,,,https://example.com/0.jpg,,"])
    rows, problems = read_rows(path)
    assert problems == []
    assert rows[0].key == rows[2].key != rows[1].key  # identical rows share a key
    done = [Record(2, rows[0].key, "created", "11"), Record(4, rows[2].key, "failed")]
    matched = match_records(rows, done)
    assert matched[2].pin_id == "11" and matched[4].status == "failed"
    assert 3 not in matched

    # A row inserted at the top: every row moves down one, and still matches its record.
    moved = write_csv(tmp_path, ["1,,New,,,,https://example.com/n.jpg,,", *url_rows("1", 2)])
    new_rows, _ = read_rows(moved)
    matched = match_records(new_rows, [Record(2, rows[0].key, "created", "11")])
    assert list(matched) == [3]

    # Spacing and column order do not change the key.
    reordered = tmp_path / "reordered.csv"
    reordered.write_text("title,image_url,board\n Pin 0 ,https://example.com/0.jpg,1\n")
    assert read_rows(reordered)[0][0].key == rows[0].key


def test_results_file_in_use_or_not_ours(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, url_rows(board_id, 1))
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    result = cli("pins", "publish", str(path), "--results", str(other), env=token_env)
    assert result.code == 2
    assert "not a pinkit results file" in result.err
    assert io.StringIO(other.read_text()).read() == "a,b\n1,2\n"


def test_rows_that_are_not_csv_hold_a_nul_or_name_an_impossible_file(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], tmp_path: Path
) -> None:
    """Each is a problem of its row, reported with the others; nothing is sent."""
    (tmp_path / "ok.png").write_bytes(tiny_png())
    path = tmp_path / "pins.csv"
    path.write_text(
        "board,title,image_url,image\n"
        "123,Fine,https://example.com/a.jpg,\n"  # row 2: good
        "123,Nul\0here,https://example.com/a.jpg,\n"  # row 3
        "123,,,ok\0.png\n"  # row 4
        f"123,Long,,{'a' * 300}.png\n"  # row 5: a name too long for the file system
        '123,"Stray"quote,https://example.com/a.jpg,\n'  # row 6
        '123,"Unclosed,https://example.com/a.jpg,\n'  # row 7: runs to the end of the file
        "123,Swallowed,https://example.com/b.jpg,\n",
        encoding="utf-8",
    )
    emulator.clear_requests()
    result = cli.sub("pins", "publish", str(path), env=token_env)
    assert result.code == 2, result.all
    assert no_traceback(result.err)
    lines = result.err.strip().splitlines()
    assert "error: row 3, title: contains a NUL byte" in lines
    assert "error: row 4, image: contains a NUL byte" in lines
    assert any(
        line.startswith("error: row 5, image: cannot use aaaa") and "too long" in line
        for line in lines
    ), lines
    assert any(line.startswith("error: row 6: not valid CSV") for line in lines), lines
    assert "error: row 7: not valid CSV: a quote is not closed" in result.err
    assert lines[-1] == "error: 5 problems in 5 bad rows; nothing was sent"
    assert emulator.requests == []


def test_a_row_number_that_is_not_ascii_digits_is_not_a_record(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, url_rows(board_id, 1))
    results_path = tmp_path / "pins.csv.results.csv"
    results_path.write_text(
        "row,key,status,pin_id,message,time\n\u00b2,0123456789abcdef,created,1,,\n"
    )
    emulator.clear_requests()
    result = cli("pins", "publish", str(path), env=token_env)
    assert result.code == 2, result.err
    assert one_line(result.err)
    assert f"{results_path}, line 2: not a results record" in result.err
    assert emulator.requests == []


def test_a_torn_last_line_is_reported_and_the_run_resumes(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], board_id: str, tmp_path: Path
) -> None:
    """A crash mid-append leaves a last line without its newline: the run says so, leaves it
    out and resumes (it used to refuse every later run until the file was edited)."""
    path = write_csv(tmp_path, url_rows(board_id, 3))
    results_path = tmp_path / "pins.csv.results.csv"
    assert cli("pins", "publish", str(path), env=token_env).code == 0
    data = results_path.read_bytes()
    last = data.rstrip(b"\n").rsplit(b"\n", 1)[1]  # row 4's outcome: created
    assert last.startswith(b"4,") and b",created," in last
    torn = data[: len(data) - len(last) // 2 - 1]  # cut in the middle of that line
    results_path.write_bytes(torn)

    dry = cli("pins", "publish", str(path), "--dry-run", "--format", "ndjson", env=token_env)
    assert dry.code == 0, dry.err
    assert "the last line is incomplete" in dry.err
    assert results_path.read_bytes() == torn  # a dry run changes nothing

    resumed = cli("pins", "publish", str(path), env=token_env)
    assert resumed.code == 0, resumed.err
    warning = next(line for line in resumed.err.splitlines() if "incomplete" in line)
    assert warning.startswith(f"warning: {results_path}: the last line is incomplete")
    # Row 4 is "unknown" again (its record before the torn one): found on the board.
    assert "0 created, 3 skipped, 0 failed" in resumed.err
    assert pin_count(emulator, board_id) == 3
    assert results_path.read_bytes().endswith(b"\n")
    assert {r["status"] for r in latest(results_path)} == {"created"}

    again = cli("pins", "publish", str(path), env=token_env)
    assert again.code == 0, again.err
    assert "incomplete" not in again.err
