"""Video media uploads (tag ``media``): register, get, list. The upload itself goes to the
emulator's S3 stand-in (``pinkit.emulator._upload``), as it goes to S3 at Pinterest.

Lifecycle of a ``media`` document: ``registered`` until the file arrives, then ``processing``
for ``processing_seconds`` of emulator time, then ``succeeded`` (or ``failed`` when the bytes
are not an ISO-BMFF video, or when ``configure_media(outcome="failed")`` is in force). The
outcome and the time it is reached are fixed at upload; the status is computed on read, so
``clock.advance`` moves it along.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timezone
from typing import Any

from .._errors import ApiError
from .._params import paginate_docs
from .._registry import Context, Reply, handler
from .._store import Tx
from ._common import MEDIA, created, is_numeric_id

__all__ = [
    "DEFAULT_MEDIA_CONFIG",
    "UPLOAD_PARAMETERS",
    "POLICY_TTL",
    "media_config",
    "media_status",
    "set_media_config",
]

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


def media_config(tx: Tx) -> dict[str, Any]:
    raw = tx.meta_get(_CONFIG_KEY)
    return dict(DEFAULT_MEDIA_CONFIG) if raw is None else dict(json.loads(raw))


def set_media_config(
    tx: Tx, processing_seconds: float | None = None, outcome: str | None = None
) -> dict[str, Any]:
    config = media_config(tx)
    if processing_seconds is not None:
        if processing_seconds < 0:
            raise ValueError("processing_seconds must be >= 0")
        config["processing_seconds"] = float(processing_seconds)
    if outcome is not None:
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
        config["outcome"] = outcome
    tx.meta_set(_CONFIG_KEY, json.dumps(config))
    return config


def media_status(data: dict[str, Any], now: float) -> str:
    if data.get("uploaded_at") is None:
        return "registered"
    if now < float(data["ready_at"]):
        return "processing"
    return str(data["outcome"])


def _render(data: dict[str, Any], now: float) -> dict[str, Any]:
    return {
        "media_id": data["media_id"],
        "media_type": data["media_type"],
        "status": media_status(data, now),
    }


def _upload_parameters(media_id: str, user_id: str, now: float) -> dict[str, str]:
    stamp = datetime.fromtimestamp(int(now), timezone.utc)
    digest = hashlib.sha256(media_id.encode()).hexdigest()
    key = f"uploads/{digest[:2]}/{digest[2:4]}/{digest[4:6]}/{user_id}:video:{media_id}:"
    key += str(secrets.randbelow(10**19))
    expiration = datetime.fromtimestamp(int(now) + POLICY_TTL, timezone.utc)
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


def media_id_from_key(key: str) -> str | None:
    parts = key.split(":")
    return parts[2] if len(parts) == 4 and is_numeric_id(parts[2]) else None


@handler("media/create")
def create(ctx: Context) -> Reply:
    # The body is {"media_type": "video"}, the spec's only type: checked before the handler.
    media_id = ctx.tx.new_id()
    params = _upload_parameters(media_id, ctx.user_id, ctx.now)
    data = {
        "media_id": media_id,
        "media_type": "video",
        "upload_parameters": params,
        "expires_at": ctx.now + POLICY_TTL,
        "registered_at": ctx.now,
    }
    ctx.tx.insert(MEDIA, data, owner=ctx.user_id, id=media_id)
    return created(
        {
            "media_id": media_id,
            "media_type": "video",
            "upload_url": f"{ctx.origin}{UPLOAD_PATH}",
            "upload_parameters": params,
        }
    )


@handler("media/get")
def get(ctx: Context) -> Reply:
    media_id = ctx.path_params["media_id"]
    doc = ctx.tx.get_doc(MEDIA, media_id) if is_numeric_id(media_id) else None
    if doc is None or doc.owner != ctx.user_id:
        raise ApiError(404, "Media upload not found.", code=404)
    return _render(doc.data, ctx.now)


@handler("media/list")
def list_media(ctx: Context) -> Reply:
    return paginate_docs(
        ctx, MEDIA, owner=ctx.user_id, render=lambda doc: _render(doc.data, ctx.now)
    )
