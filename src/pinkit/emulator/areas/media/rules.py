"""Video media uploads: registration with S3-style signed upload parameters, what the upload
bucket accepts, and processing on the emulator clock.

A ``media`` document's life is a jobs-engine :class:`Timeline`: ``registered`` until the file
arrives, then ``processing`` for ``processing_seconds`` of emulator time, then ``succeeded`` (or
``failed`` when the bytes are not an ISO-BMFF video, or when ``configure_media(outcome=
"failed")`` is in force). The timeline is fixed at upload and read on every status request, so
``clock.advance`` moves it along.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from ..._common import is_numeric_id
from ..._errors import ApiError, EmulatorError
from ..._jobs import Timeline
from ..._params import Listing
from ..._registry import Rules
from ..._store import Doc

__all__ = [
    "DEFAULT_MEDIA_CONFIG",
    "MEDIA",
    "OUTCOMES",
    "UPLOAD_PARAMETERS",
    "UPLOAD_PATH",
    "MediaRules",
    "UploadRefused",
]

MEDIA = "media"
UPLOAD_PATH = "/_emulator/media-upload/"
POLICY_TTL = 3600  # seconds an upload policy stays valid (S3 POST policies expire)
DEFAULT_MEDIA_CONFIG: dict[str, Any] = {"processing_seconds": 2.0, "outcome": "succeeded"}
OUTCOMES = ("succeeded", "failed")
UPLOAD_PARAMETERS = (
    "Content-Type",
    "key",
    "policy",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-signature",
)
_CONFIG_KEY = "media_config"
_SIGNING_KEY = b"pinkit-emulator-media-upload"


class UploadRefused(Exception):
    """What S3 would answer instead of 204: ``status``, an S3 error ``code`` and a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def is_video(head: bytes) -> bool:
    """An ISO-BMFF file (mp4, mov, m4v) starts with a box whose type at byte 4 is ``ftyp``."""
    return len(head) >= 12 and head[4:8] == b"ftyp"


def _media_id_from_key(key: str) -> str | None:
    parts = key.split(":")
    return parts[2] if len(parts) == 4 and is_numeric_id(parts[2]) else None


class MediaRules(Rules):
    # -- configuration (a test control) -------------------------------------------------------
    def config(self) -> dict[str, Any]:
        raw = self.tx.meta_get(_CONFIG_KEY)
        return dict(DEFAULT_MEDIA_CONFIG) if raw is None else dict(json.loads(raw))

    def configure(self, processing_seconds: float, outcome: str) -> dict[str, Any]:
        if outcome not in OUTCOMES:
            raise EmulatorError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        config = {"processing_seconds": processing_seconds, "outcome": outcome}
        self.tx.meta_set(_CONFIG_KEY, json.dumps(config))
        return config

    # -- operations ---------------------------------------------------------------------------
    def register(self, user_id: str) -> dict[str, Any]:
        """A new upload: the ``media/create`` answer (where and how to send the file)."""
        media_id = self.tx.new_id()
        params = self._upload_parameters(media_id, user_id)
        data = {
            "media_id": media_id,
            "media_type": "video",
            "upload_parameters": params,
            "expires_at": self.now + POLICY_TTL,
            "timeline": Timeline.start("registered", self.now).to_json(),
        }
        self.tx.insert(MEDIA, data, owner=user_id, id=media_id)
        return {
            "media_id": media_id,
            "media_type": "video",
            "upload_url": f"{self.state.origin}{UPLOAD_PATH}",
            "upload_parameters": params,
        }

    def owned(self, user_id: str, media_id: Any) -> Doc:
        doc = self.tx.get_doc(MEDIA, media_id) if is_numeric_id(media_id) else None
        if doc is None or doc.owner != user_id:
            raise ApiError(404, "Media upload not found.", code=404)
        return doc

    def status(self, doc: Doc) -> str:
        return Timeline.from_json(doc.data["timeline"]).status(self.now)

    def view(self, doc: Doc) -> dict[str, Any]:
        data = doc.data
        return {
            "media_id": data["media_id"],
            "media_type": data["media_type"],
            "status": self.status(doc),
        }

    def of_user(self, user_id: str) -> Listing:
        return Listing(MEDIA, owner=user_id)

    def accept_upload(self, fields: Mapping[str, str], size: int, head: bytes) -> None:
        """Record a file posted to the upload bucket, as S3 checks a POST policy: every
        signed field present and unchanged, the policy not expired, a non-empty file.
        ``UploadRefused`` otherwise."""
        media_id = _media_id_from_key(fields.get("key", ""))
        doc = self.tx.get_doc(MEDIA, media_id) if media_id else None
        if doc is None:
            raise UploadRefused(403, "AccessDenied", "Invalid according to Policy: unknown key.")
        issued: dict[str, Any] = doc.data["upload_parameters"]
        for name in UPLOAD_PARAMETERS:
            got = fields.get(name.lower())
            if got is None:
                raise UploadRefused(
                    403, "AccessDenied", f"Bucket POST must contain a field named '{name}'."
                )
            if got != issued[name]:
                raise UploadRefused(
                    403,
                    "AccessDenied",
                    "Invalid according to Policy: Policy Condition failed: "
                    f'["eq", "${name}", "{issued[name]}"]',
                )
        if self.now > float(doc.data["expires_at"]):
            raise UploadRefused(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
        if size == 0:
            raise UploadRefused(
                400, "EntityTooSmall", "Your proposed upload is smaller than the minimum."
            )
        config = self.config()
        ok = is_video(head) and config["outcome"] == "succeeded"
        timeline = Timeline.start("registered", float(doc.data["timeline"][0][0]))
        timeline = timeline.then("processing", at=self.now).then(
            "succeeded" if ok else "failed", after=float(config["processing_seconds"])
        )
        data = dict(doc.data, timeline=timeline.to_json(), size=size)
        self.tx.put(MEDIA, doc.id, data, owner=doc.owner)

    def _upload_parameters(self, media_id: str, user_id: str) -> dict[str, str]:
        stamp = datetime.fromtimestamp(int(self.now), timezone.utc)
        digest = hashlib.sha256(media_id.encode()).hexdigest()
        key = f"uploads/{digest[:2]}/{digest[2:4]}/{digest[4:6]}/{user_id}:video:{media_id}:"
        key += str(secrets.randbelow(10**19))
        expiration = datetime.fromtimestamp(int(self.now) + POLICY_TTL, timezone.utc)
        credential = f"ASIAEMULATOR{secrets.token_hex(4).upper()}/{stamp:%Y%m%d}/us-east-1/s3/"
        credential += "aws4_request"
        policy_doc = {
            "expiration": expiration.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conditions": [
                {"bucket": "pinkit-emulator-media-upload"},
                {"key": key},
                {"Content-Type": "multipart/form-data"},
                {"x-amz-algorithm": "AWS4-HMAC-SHA256"},
                {"x-amz-credential": credential},
                {"x-amz-date": f"{stamp:%Y%m%dT%H%M%SZ}"},
                ["content-length-range", 1, 2 * 1024**3],
            ],
        }
        policy = base64.b64encode(json.dumps(policy_doc).encode()).decode("ascii")
        signature = hmac.new(_SIGNING_KEY, policy.encode(), hashlib.sha256).hexdigest()
        return {
            "Content-Type": "multipart/form-data",
            "key": key,
            "policy": policy,
            "x-amz-algorithm": "AWS4-HMAC-SHA256",
            "x-amz-credential": credential,
            "x-amz-date": f"{stamp:%Y%m%dT%H%M%SZ}",
            "x-amz-security-token": base64.b64encode(secrets.token_bytes(48)).decode("ascii"),
            "x-amz-signature": signature,
        }
