"""Video media: register -> S3-style multipart upload -> processing -> succeeded / failed, and
video pins that need a succeeded upload."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from pinkit.emulator import Emulator

from .conftest import bearer
from .test_boards import board

VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(4096)
NOT_VIDEO = b"GIF89a" + bytes(100)


@pytest.fixture
def s3(server: Emulator) -> Iterator[httpx2.Client]:
    """A client with no Pinterest credentials, for the upload URL."""
    transport = None if server.running else server.transport()
    with httpx2.Client(transport=transport) as client:
        yield client


def register(api: httpx2.Client) -> dict[str, Any]:
    response = api.post("/media", json={"media_type": "video"})
    assert response.status_code == 201, response.text
    return dict(response.json())


def upload(s3: httpx2.Client, media: dict[str, Any], content: bytes = VIDEO) -> httpx2.Response:
    return s3.post(
        media["upload_url"],
        data=media["upload_parameters"],
        files={"file": ("clip.mp4", content, "video/mp4")},
    )


def status(api: httpx2.Client, media_id: str) -> str:
    return str(api.get(f"/media/{media_id}").json()["status"])


def test_register_upload_process(api: httpx2.Client, s3: httpx2.Client, server: Emulator) -> None:
    media = register(api)
    assert media["media_type"] == "video"
    assert media["media_id"].isdigit()
    assert media["upload_url"] == f"{server.origin}/_emulator/media-upload/"
    assert set(media["upload_parameters"]) == {
        "Content-Type",
        "key",
        "policy",
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-signature",
    }
    assert status(api, media["media_id"]) == "registered"
    done = upload(s3, media)
    assert done.status_code == 204, done.text
    assert "authorization" not in {k.lower() for k in done.request.headers}
    assert status(api, media["media_id"]) == "processing"
    server.clock.advance(2.5)
    assert status(api, media["media_id"]) == "succeeded"
    listed = api.get("/media").json()
    assert listed["items"] == [
        {"media_id": media["media_id"], "media_type": "video", "status": "succeeded"}
    ]
    assert api.get("/media/999").status_code == 404
    assert api.post("/media", json={"media_type": "image"}).status_code == 400


def test_upload_refuses_a_pinterest_token(api: httpx2.Client, server: Emulator) -> None:
    """Like S3 (one auth mechanism per request): a leaked bearer token is an error."""
    media = register(api)
    token = server.issue_token().access_token
    transport = None if server.running else server.transport()
    with httpx2.Client(transport=transport, headers=bearer(token)) as client:
        leaked = upload(client, media)
    assert leaked.status_code == 400
    assert "Only one auth mechanism" in leaked.text
    assert status(api, media["media_id"]) == "registered"


def test_upload_policy_errors(api: httpx2.Client, s3: httpx2.Client) -> None:
    media = register(api)
    params = media["upload_parameters"]
    for name in ("policy", "x-amz-signature", "key", "Content-Type"):
        missing = {k: v for k, v in params.items() if k != name}
        response = s3.post(media["upload_url"], data=missing, files={"file": ("a", VIDEO)})
        assert response.status_code == 403, name
        assert response.headers["content-type"].startswith("application/xml")
        assert "<Code>AccessDenied</Code>" in response.text
    wrong = dict(params, policy=params["policy"][::-1])
    assert s3.post(media["upload_url"], data=wrong, files={"file": ("a", VIDEO)}).status_code == 403
    # The file first, the fields after it: S3 wants the file last.
    file_first: list[tuple[str, Any]] = [("file", ("clip.mp4", VIDEO, "video/mp4"))]
    file_first += [(k, (None, v)) for k, v in params.items()]
    response = s3.post(media["upload_url"], files=file_first)
    assert response.status_code == 400
    assert "<Code>InvalidArgument</Code>" in response.text
    assert s3.post(media["upload_url"], data=params).status_code == 400  # no file at all
    assert s3.post(media["upload_url"], content=b"x").status_code == 400  # not multipart
    assert status(api, media["media_id"]) == "registered"


def test_non_video_bytes_fail(api: httpx2.Client, s3: httpx2.Client, server: Emulator) -> None:
    media = register(api)
    assert upload(s3, media, NOT_VIDEO).status_code == 204
    assert status(api, media["media_id"]) == "processing"
    server.clock.advance(3)
    assert status(api, media["media_id"]) == "failed"


def test_configure_media(api: httpx2.Client, s3: httpx2.Client, server: Emulator) -> None:
    server.configure_media(processing_seconds=10, outcome="failed")
    media = register(api)
    upload(s3, media)
    server.clock.advance(5)
    assert status(api, media["media_id"]) == "processing"
    server.clock.advance(6)
    assert status(api, media["media_id"]) == "failed"
    server.configure_media(processing_seconds=0)
    instant = register(api)
    upload(s3, instant)
    assert status(api, instant["media_id"]) == "succeeded"
    with pytest.raises(ValueError, match="outcome"):
        server.configure_media(outcome="maybe")


def test_configure_media_over_http(emu: Emulator) -> None:
    control = f"{emu.origin}/_emulator/media/config"
    assert httpx2.get(control).json() == {"processing_seconds": 2.0, "outcome": "succeeded"}
    changed = httpx2.post(control, json={"outcome": "failed"}).json()
    assert changed == {"processing_seconds": 2.0, "outcome": "failed"}
    assert httpx2.post(control, json={"outcome": "later"}).status_code == 400
    emu.reset()
    assert httpx2.get(control).json()["outcome"] == "succeeded"


def test_video_pin_needs_a_succeeded_upload(
    api: httpx2.Client, s3: httpx2.Client, server: Emulator
) -> None:
    made = board(api)
    media = register(api)

    def create(**source: Any) -> httpx2.Response:
        body = {"source_type": "video_id", "media_id": media["media_id"], **source}
        return api.post("/pins", json={"board_id": made["id"], "media_source": body})

    cover = {"cover_image_url": "https://images.example/cover.jpg"}
    assert create(**cover).status_code == 400  # registered
    upload(s3, media)
    assert create(**cover).status_code == 400  # processing
    server.clock.advance(2)
    assert create().status_code == 400  # no cover
    video = create(**cover)
    assert video.status_code == 201, video.text
    body = video.json()
    assert body["creative_type"] == "VIDEO"
    assert body["media"]["media_type"] == "video"
    assert body["media"]["cover_image_url"] == cover["cover_image_url"]
    assert create(cover_image_key_frame_time=3).status_code == 201
    assert create(cover_image_key_frame_time=-1).status_code == 400

    # Someone else's media cannot be used.
    stranger = server.issue_token(user_id=server.create_user("stranger")).access_token
    with server.http_client(headers=bearer(stranger)) as them:
        their_board = board(them, "theirs")
        source = {"source_type": "video_id", "media_id": media["media_id"], **cover}
        theft = them.post("/pins", json={"board_id": their_board["id"], "media_source": source})
        assert theft.status_code == 400
        assert them.get(f"/media/{media['media_id']}").status_code == 404

    failed = register(api)
    upload(s3, failed, NOT_VIDEO)
    server.clock.advance(2)
    source = {"source_type": "video_id", "media_id": failed["media_id"], **cover}
    assert (
        api.post("/pins", json={"board_id": made["id"], "media_source": source}).status_code == 400
    )


def test_large_upload_streams(emu: Emulator) -> None:
    token = emu.issue_token().access_token
    with httpx2.Client(base_url=emu.base_url, headers=bearer(token)) as api:
        media = register(api)
        big = VIDEO + b"\r\n--" + bytes(3 * 1024 * 1024)  # boundary-like bytes inside the file
        with httpx2.Client() as s3:
            assert upload(s3, media, big).status_code == 204
        emu.clock.advance(2)
        assert status(api, media["media_id"]) == "succeeded"
        with emu.store_read() as tx:
            stored = tx.get("media", media["media_id"])
        assert stored is not None
        assert stored["size"] == len(big)
