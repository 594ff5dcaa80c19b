"""The official OpenAPI description, read from outside the repository, and the checks that
hold requests and responses to it.

Missing spec: a skip with a clear message, or a failure under ``CI=true``.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator

from pinkit._operations import by_id
from pinkit.emulator import RequestRecord
from tests._needs import unavailable

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT.parent / "shared" / "pinterest-openapi" / "openapi.json"


def spec_path() -> Path:
    return Path(os.environ.get("PINKIT_OPENAPI_SPEC") or DEFAULT_SPEC)


@cache
def _read(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def load_spec() -> dict[str, Any] | None:
    return _read(spec_path())


def require_spec() -> dict[str, Any]:
    spec = load_spec()
    if spec is None:
        unavailable(
            f"Pinterest OpenAPI spec not found at {spec_path()} (set PINKIT_OPENAPI_SPEC)",
            "the tests that check against the spec",
        )
    return spec


def validator(spec: dict[str, Any], schema: dict[str, Any]) -> OAS30Validator:
    """A validator for ``schema`` whose ``#/components/...`` references resolve in ``spec``."""
    return OAS30Validator({"allOf": [schema], "components": spec["components"]})


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _spec_op(spec: dict[str, Any], operation_id: str) -> dict[str, Any]:
    op = by_id(operation_id)
    return spec["paths"][op.path][op.method.lower()]  # type: ignore[no-any-return]


def response_schema(spec: dict[str, Any], operation_id: str, status: int) -> dict[str, Any] | None:
    responses = _spec_op(spec, operation_id)["responses"]
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        raise AssertionError(f"{operation_id} documents no response for {status}")
    content = response.get("content", {}).get("application/json")
    return None if content is None else content["schema"]  # type: ignore[no-any-return]


def response_problems(spec: dict[str, Any], record: RequestRecord) -> list[str]:
    """What is wrong with one recorded response (empty when it matches the spec)."""
    if record.operation_id is None:  # not a spec path: at least the Error shape
        body = record.response_json()
        ok = isinstance(body, dict) and {"code", "message"} <= set(body)
        return [] if ok else [f"{record.path}: not an Error body: {body!r}"]
    schema = response_schema(spec, record.operation_id, record.status)
    if schema is None:
        if record.response_body:
            return [f"{record.operation_id} {record.status}: body where the spec has none"]
        return []
    return [
        f"{record.operation_id} {record.status}: {err.message} at {list(err.absolute_path)}"
        for err in validator(spec, schema).iter_errors(record.response_json())
    ]


def _typed(schema: dict[str, Any], value: str) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        return int(value) if value.lstrip("-").isdigit() else value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    if kind == "array":
        return value.split(",")
    return value


def request_problems(spec: dict[str, Any], record: RequestRecord) -> list[str]:
    """What is wrong with one recorded request: unknown or invalid query parameters, a missing
    required one, or a JSON body that does not match the operation's request schema."""
    if record.operation_id is None:
        return [f"{record.method} {record.path}: not an operation of the spec"]
    op_id = record.operation_id
    spec_op = _spec_op(spec, op_id)
    params = [_resolve(spec, p) for p in spec_op.get("parameters", [])]
    query = {p["name"]: p for p in params if p["in"] == "query"}
    problems = []
    for name, value in record.query.multi_items():
        if name not in query:
            problems.append(f"{op_id}: query parameter {name!r} is not in the spec")
            continue
        schema = query[name].get("schema", {})
        problems += [
            f"{op_id}: {name}={value!r}: {e.message}"
            for e in validator(spec, schema).iter_errors(_typed(schema, value))
        ]
    for name, param in query.items():
        if param.get("required") and name not in record.query:
            problems.append(f"{op_id}: required query parameter {name!r} missing")
    body_spec = spec_op.get("requestBody", {}).get("content", {}).get("application/json")
    is_json = record.headers.get("content-type", "").startswith("application/json")
    if record.body and body_spec and is_json:
        problems += [
            f"{op_id}: body: {e.message}"
            for e in validator(spec, body_spec["schema"]).iter_errors(json.loads(record.body))
        ]
    return problems
