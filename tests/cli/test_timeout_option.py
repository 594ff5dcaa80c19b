"""``--timeout`` takes a finite number of seconds: ``nan`` or ``inf`` would wait forever, so
they are bad input (exit 2) before anything is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from pinkit.emulator import Emulator

from .conftest import CLI, tiny_mp4


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "-1"])
def test_media_wait(cli: CLI, emulator: Emulator, token_env: dict[str, str], value: str) -> None:
    result = cli("media", "wait", "123", "--timeout", value, env=token_env)
    assert result.code == 2, result.all
    assert "--timeout" in result.err
    assert emulator.requests == []


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_pins_create_video(
    cli: CLI, emulator: Emulator, token_env: dict[str, str], tmp_path: Path, value: str
) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(tiny_mp4())
    args = ["pins", "create", "--board", "1", "--video", str(video), "--timeout", value]
    result = cli(*args, env=token_env)
    assert result.code == 2, result.all
    assert "--timeout" in result.err
    assert emulator.requests == []


def test_a_finite_timeout_is_taken(cli: CLI, emulator: Emulator, token_env: dict[str, str]) -> None:
    with emulator.client() as client:
        media_id = client.media.register().media_id
    result = cli("media", "wait", media_id, "--timeout", "0", env=token_env)
    assert result.code == 1, result.all  # not ready after 0 s: an API-side outcome, not bad input
