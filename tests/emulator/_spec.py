"""Checking emulator responses against the official spec's response schemas."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator

from pinkit._operations import by_id
from pinkit.emulator import RequestRecord

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SPEC = ROOT.parent / "shared" / "pinterest-openapi" / "openapi.json"


def spec_path() -> Path:
    return Path(os.environ.get("PINKIT_OPENAPI_SPEC") or DEFAULT_SPEC)


@cache
def load_spec() -> dict[str, Any] | None:
    path = spec_path()
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def response_schema(spec: dict[str, Any], operation_id: str, status: int) -> dict[str, Any] | None:
    op = by_id(operation_id)
    responses = spec["paths"][op.path][op.method.lower()]["responses"]
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        raise AssertionError(f"{operation_id} documents no response for {status}")
    content = response.get("content", {}).get("application/json")
    return None if content is None else content["schema"]


def validate_record(spec: dict[str, Any], record: RequestRecord) -> list[str]:
    """Problems with one recorded response (empty when it matches the spec)."""
    if record.operation_id is None:  # not a spec path: at least the Error shape
        body = record.response_json()
        ok = isinstance(body, dict) and {"code", "message"} <= set(body)
        return [] if ok else [f"{record.path}: not an Error body: {body!r}"]
    schema = response_schema(spec, record.operation_id, record.status)
    if schema is None:
        if record.response_body:
            return [f"{record.operation_id} {record.status}: body where the spec has none"]
        return []
    wrapped = {"allOf": [schema], "components": spec["components"]}
    validator = OAS30Validator(wrapped)
    return [
        f"{record.operation_id} {record.status}: {err.message} at {list(err.absolute_path)}"
        for err in validator.iter_errors(record.response_json())
    ]
