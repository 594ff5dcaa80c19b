"""The signed fields of a registered upload (S3 policy, credential, session token, signature)
are credentials: reprs mask them like tokens, while the upload still sends them intact."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from rich.pretty import Pretty

import pinkit
from pinkit.emulator import Emulator

SIGNED = ("policy", "x-amz-credential", "x-amz-security-token", "x-amz-signature")


def _video(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 4096)
    return path


def _rich(value: object) -> str:
    out = io.StringIO()
    Console(file=out, width=400, color_system=None).print(Pretty(value))
    return out.getvalue()


def _shown(upload: pinkit.MediaUpload) -> list[str]:
    return [repr(upload), str(upload), f"{upload}", f"{upload!r}", _rich(upload)]


@pytest.mark.parametrize("how", ["register", "upload"])
def test_signed_fields_are_masked(pinkit_emulator: Emulator, tmp_path: Path, how: str) -> None:
    with pinkit_emulator.client() as client:
        if how == "register":
            upload = client.media.register()
        else:
            upload = client.media.upload(_video(tmp_path))
            assert client.media.get(upload.media_id).status in ("processing", "succeeded")
    params = upload.upload_parameters
    assert params is not None
    for field in SIGNED:
        secret = params[field]
        assert len(secret) > 8
        for text in _shown(upload):
            assert secret not in text, (field, text)
    for text in _shown(upload):
        assert upload.media_id in text
        assert f"'key': '{params['key']}'" in text  # the object key is no secret
        assert "x-amz-signature" in text
    assert upload.to_dict()["upload_parameters"] == params  # the values stay usable


@pytest.mark.anyio
async def test_async_upload_repr(pinkit_emulator: Emulator, tmp_path: Path) -> None:
    async with pinkit_emulator.async_client() as client:
        upload = await client.media.upload(_video(tmp_path))
    params = upload.upload_parameters
    assert params is not None
    assert all(params[field] not in repr(upload) for field in SIGNED)
