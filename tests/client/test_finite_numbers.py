"""NaN and infinity are no number of seconds: every timeout, deadline and interval refuses
them (``InvalidInputError``, before anything is sent) instead of waiting forever."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

import pinkit
from pinkit._base import retry_after
from pinkit._clock import SYSTEM_CLOCK
from pinkit.emulator import Emulator

NOT_FINITE = [float("nan"), float("inf"), float("-inf")]
BAD = [*NOT_FINITE, -1.0, "10", True]


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize(
    "make",
    [
        lambda v: pinkit.Client("pina_x", timeout=v),
        lambda v: pinkit.AsyncClient("pina_x", timeout=v),
        lambda v: pinkit.Client("pina_x", timeout=httpx2.Timeout(10, read=v)),
        lambda v: pinkit.Client("pina_x", timeout=httpx2.Timeout(10, connect=v)),
        lambda v: pinkit.Client("pina_x", rate_limits={"org_read": (10, v)}),
    ],
    ids=["timeout", "async timeout", "read timeout", "connect timeout", "rate-limit window"],
)
def test_client_settings(make: Callable[[Any], object], value: Any) -> None:
    with pytest.raises(pinkit.InvalidInputError, match="finite number of seconds"):
        make(value)


def test_zero_is_no_client_timeout() -> None:
    with pytest.raises(pinkit.InvalidInputError, match="above 0"):
        pinkit.Client("pina_x", timeout=0)
    with pinkit.Client("pina_x", timeout=httpx2.Timeout(None)) as client:  # None: no limit
        assert client.timeout.read is None


@pytest.mark.parametrize("value", BAD)
def test_media_wait(pinkit_emulator: Emulator, value: Any) -> None:
    with pinkit_emulator.client() as client:
        with pytest.raises(pinkit.InvalidInputError, match="timeout"):
            client.media.wait("1", timeout=value)
    assert pinkit_emulator.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize("value", NOT_FINITE)
async def test_async_media_wait(pinkit_emulator: Emulator, value: float) -> None:
    async with pinkit_emulator.async_client() as client:
        with pytest.raises(pinkit.InvalidInputError, match="timeout"):
            await client.media.wait("1", timeout=value)
    assert pinkit_emulator.requests == []


@pytest.mark.parametrize("value", BAD)
def test_create_video(pinkit_emulator: Emulator, tmp_path: Path, value: Any) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64)
    with pinkit_emulator.client() as client:
        with pytest.raises(pinkit.InvalidInputError, match="timeout"):
            client.pins.create_video("1", video, timeout=value)
    assert pinkit_emulator.requests == []


def test_zero_media_wait_is_one_look(pinkit_emulator: Emulator) -> None:
    with pinkit_emulator.client() as client:
        media_id = client.media.register().media_id
        with pytest.raises(pinkit.MediaProcessingError, match="after 0s"):
            client.media.wait(media_id, timeout=0)


@pytest.mark.parametrize("header", ["nan", "inf", "-inf", "1e999"])
def test_a_non_finite_retry_after_is_no_wait(header: str) -> None:
    assert retry_after({"retry-after": header}, SYSTEM_CLOCK) is None
    assert retry_after({"retry-after-ms": header}, SYSTEM_CLOCK) is None
