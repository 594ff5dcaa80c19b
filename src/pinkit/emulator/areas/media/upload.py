"""The emulator's stand-in for Pinterest's S3 upload bucket: ``POST /_emulator/media-upload/``.

It behaves like an S3 POST-policy upload: ``multipart/form-data`` with every ``upload_parameters``
field of ``media/create`` (exact values) followed by the ``file`` field; no Pinterest
authentication: like S3, which allows one auth mechanism per request, an ``Authorization`` header
is refused (``400 InvalidArgument``), so a client that leaks its bearer token to the bucket is
caught; ``204`` on success; S3-style XML errors (``403 AccessDenied`` for a missing or wrong field
or an expired policy, ``400`` for a malformed body or a ``file`` that is not the last field).

The body is parsed as it streams in: the file's bytes are counted and only its first bytes kept
(to tell a video from anything else by its ISO-BMFF ``ftyp`` box), so a 2 GB upload costs no
memory or disk. What the bucket accepts is the media rules' decision.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..._backend import Backend
from .rules import UPLOAD_PATH, MediaRules, UploadRefused

__all__ = ["UPLOAD_ROUTES"]

MAX_FIELD = 64 * 1024
MAX_HEADERS = 16 * 1024
HEAD_BYTES = 16


class MultipartError(Exception):
    pass


@dataclass
class Upload:
    fields: list[tuple[str, str]] = field(default_factory=list)
    """Every non-file field, in order, including those after the file."""
    file_seen: bool = False
    fields_after_file: list[str] = field(default_factory=list)
    files: int = 0
    head: bytes = b""
    size: int = 0


def _s3_error(status: int, code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        "<RequestId>EMULATOR</RequestId><HostId>pinkit-emulator</HostId></Error>"
    )
    return Response(body, status_code=status, media_type="application/xml")


def _boundary(content_type: str) -> bytes:
    kind, _, rest = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        raise MultipartError("the request must be multipart/form-data")
    for param in rest.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "boundary" and value:
            return value.strip('"').encode("latin-1")
    raise MultipartError("multipart/form-data without a boundary")


def _part_name(headers: bytes) -> tuple[str, bool]:
    """``(field name, is a file)`` from a part's headers."""
    for line in headers.decode("utf-8", "replace").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() != "content-disposition":
            continue
        params: dict[str, str] = {}
        for item in value.split(";")[1:]:
            key, _, val = item.strip().partition("=")
            params[key.lower()] = val.strip('"')
        if "name" in params:
            return params["name"], "filename" in params or params["name"] == "file"
    raise MultipartError("a part without Content-Disposition name")


async def parse_stream(chunks: AsyncIterator[bytes], boundary: bytes) -> Upload:
    """Parse a multipart body as it arrives; the ``file`` part is counted, not kept."""
    upload = Upload()
    delimiter = b"\r\n--" + boundary
    buffer = bytearray(b"\r\n")  # so the first boundary looks like every other one
    state = "preamble"
    name, is_file, value = "", False, bytearray()

    async def more() -> bool:
        async for chunk in chunks:
            if chunk:
                buffer.extend(chunk)
                return True
        return False

    def finish_part() -> None:
        if is_file:
            upload.files += 1
            upload.file_seen = True
        elif upload.file_seen:
            upload.fields_after_file.append(name)
            upload.fields.append((name, value.decode("utf-8", "replace")))
        else:
            upload.fields.append((name, value.decode("utf-8", "replace")))

    while True:
        if state == "preamble":
            at = buffer.find(delimiter)
            if at < 0:
                del buffer[: max(0, len(buffer) - len(delimiter))]
                if not await more():
                    raise MultipartError("no multipart boundary in the body")
                continue
            del buffer[: at + len(delimiter)]
            state = "after_delimiter"
        elif state == "after_delimiter":
            if len(buffer) < 2 and not await more():
                raise MultipartError("the body ends inside a boundary")
            if len(buffer) < 2:
                continue
            if buffer[:2] == b"--":
                return upload
            if buffer[:2] != b"\r\n":
                raise MultipartError("malformed multipart boundary")
            del buffer[:2]
            state = "headers"
        elif state == "headers":
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > MAX_HEADERS:
                    raise MultipartError("part headers too large")
                if not await more():
                    raise MultipartError("the body ends inside part headers")
                continue
            name, is_file = _part_name(bytes(buffer[:end]))
            del buffer[: end + 4]
            value = bytearray()
            state = "body"
        else:  # body
            at = buffer.find(delimiter)
            usable = at if at >= 0 else max(0, len(buffer) - len(delimiter))
            if usable:
                data = bytes(buffer[:usable])
                del buffer[:usable]
                if is_file:
                    if len(upload.head) < HEAD_BYTES:
                        upload.head += data[: HEAD_BYTES - len(upload.head)]
                    upload.size += len(data)
                else:
                    value.extend(data)
                    if len(value) > MAX_FIELD:
                        raise MultipartError(f"form field {name!r} is too large")
            if at >= 0:
                del buffer[: len(delimiter)]
                finish_part()
                state = "after_delimiter"
            elif not await more():
                raise MultipartError("the body ends inside a part")


async def upload_endpoint(request: Request) -> Response:
    backend: Backend = request.app.state.backend
    if "authorization" in request.headers:
        return _s3_error(
            400,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm form field, "
            "not an Authorization header, is supported for POST uploads.",
        )
    try:
        boundary = _boundary(request.headers.get("content-type", ""))
        upload = await parse_stream(request.stream(), boundary)
    except MultipartError as err:
        return _s3_error(
            400,
            "MalformedPOSTRequest",
            f"The body of your POST request is not well-formed multipart/form-data: {err}.",
        )
    if upload.files != 1:
        return _s3_error(
            400, "InvalidArgument", "POST requires exactly one file upload per request."
        )
    if upload.fields_after_file:
        after = ", ".join(upload.fields_after_file)
        return _s3_error(
            400,
            "InvalidArgument",
            f"The file must be the last field of the form; found {after} after it.",
        )
    fields = {name.lower(): value for name, value in upload.fields}

    def record() -> Response:
        try:
            with backend.write() as state:
                state.rules(MediaRules).accept_upload(fields, upload.size, upload.head)
        except UploadRefused as refused:
            return _s3_error(refused.status, refused.code, refused.message)
        return Response(status_code=204)

    return await run_in_threadpool(record)


UPLOAD_ROUTES = [
    Route(UPLOAD_PATH, upload_endpoint, methods=["POST"]),
    Route(UPLOAD_PATH.rstrip("/"), upload_endpoint, methods=["POST"]),
]
