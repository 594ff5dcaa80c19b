"""Derive pinkit's operation and constraint tables from Pinterest's OpenAPI description.

``_operations.json`` (operationId, method, path, rate-limit category, security, sandbox flag) and
``_constraints.json`` (per operation: the path and query parameters and the JSON request body,
with the limits the spec gives) ship in the package, so the client and the emulator know every
operation and its limits without the spec file. Tests regenerate both from the spec and fail on
any difference.

Usage: python scripts/gen_operations.py [SPEC] [--check]
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from _generated import ROOT, write_or_check  # scripts/ is first on sys.path when run

TABLE = ROOT / "src" / "pinkit" / "_operations.json"
CONSTRAINTS = ROOT / "src" / "pinkit" / "_constraints.json"
DEFAULT_SPEC = ROOT.parent / "shared" / "pinterest-openapi" / "openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")
JSON = "application/json"


def build_table(spec: dict[str, Any]) -> dict[str, Any]:
    operations = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            operations.append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "tag": (op.get("tags") or [""])[0],
                    "category": op.get("x-ratelimit-category"),
                    "security": [
                        [[scheme, sorted(scopes)] for scheme, scopes in sorted(req.items())]
                        for req in op.get("security", [])
                    ],
                    "sandbox": op.get("x-sandbox") == "enabled",
                }
            )
    operations.sort(key=lambda o: (o["path"], o["method"]))
    oauth = spec["components"]["securitySchemes"]["pinterest_oauth2"]
    scopes = sorted(oauth["flows"]["authorizationCode"]["scopes"])
    return {"spec_version": spec["info"]["version"], "scopes": scopes, "operations": operations}


def render(table: dict[str, Any]) -> str:
    return json.dumps(table, indent=1, sort_keys=True) + "\n"


# -- constraints ------------------------------------------------------------------------------
#: Schema keywords kept as they are; the rest of a schema is documentation (descriptions,
#: examples, titles) or structure handled below.
_KEEP = (
    "type",
    "format",
    "enum",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "nullable",
    "readOnly",
    "default",
)
_FLAGS = ("nullable", "readOnly", "exclusiveMinimum", "exclusiveMaximum")
_SCHEMAS = "#/components/schemas/"
_PARAMETERS = "#/components/parameters/"


def _simple(value: Any) -> bool:
    """Defaults worth keeping: scalars and short lists of scalars."""
    if isinstance(value, list):
        return len(value) <= 20 and all(_simple(v) and not isinstance(v, list) for v in value)
    return value is None or isinstance(value, bool | int | float | str)


class Constraints:
    """Normalizes the request side of the spec: ``$ref`` to a component schema stays a
    reference by name (``{"ref": "PinCreate"}``, the schema stored once under ``schemas``),
    ``allOf`` is merged into one schema, ``oneOf``/``anyOf`` stay lists of alternatives, and a
    discriminator maps each tag value to a schema name. A node holding ``ref`` and other
    keywords means both apply (``{"ref": "BoardPrivacy", "default": "PUBLIC"}``)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.components: dict[str, Any] = spec["components"]["schemas"]
        self.schemas: dict[str, dict[str, Any]] = {}
        self.parameters: dict[str, dict[str, Any]] = {}
        self._busy: set[str] = set()

    # references
    def pointer(self, node: dict[str, Any]) -> dict[str, Any]:
        """A ``$ref`` to anything but a schema (parameters, request bodies), followed."""
        while "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    @staticmethod
    def schema_name(ref: str) -> str:
        if ref.startswith(_SCHEMAS):
            return ref[len(_SCHEMAS) :]
        if "/" in ref:
            raise ValueError(f"unsupported schema reference {ref!r}")
        return ref  # a discriminator mapping may name the schema directly

    def use(self, name: str) -> None:
        """Put component schema ``name`` in the table (a reference to a schema that is being
        normalized, i.e. a recursive schema, stays a reference)."""
        if name in self.schemas or name in self._busy:
            return
        self._busy.add(name)
        self.schemas[name] = self.node(self.components[name])
        self._busy.discard(name)

    def resolved(self, node: dict[str, Any]) -> dict[str, Any]:
        """A normalized node with its top-level reference replaced by the schema's content."""
        while "ref" in node:
            name = node["ref"]
            if name not in self.schemas:
                if name in self._busy:
                    raise ValueError(f"{name}: allOf through a recursive reference")
                self.use(name)
            local = {k: v for k, v in node.items() if k != "ref"}
            node = self.merge(self.schemas[name], local) if local else self.schemas[name]
        return node

    # schemas
    def node(self, schema: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in schema:
            name = self.schema_name(schema["$ref"])
            self.use(name)
            return {"ref": name}
        out: dict[str, Any] = {}
        for key in _KEEP:
            if key not in schema:
                continue
            value = schema[key]
            if (key in _FLAGS and value is not True) or (key == "default" and not _simple(value)):
                continue
            out[key] = value
        if "properties" in schema:
            props = {name: self.node(sub) for name, sub in sorted(schema["properties"].items())}
            out["properties"] = props
        required = set(schema.get("required", []))
        # readOnly properties are never sent, so their `required` is the response's alone.
        required -= {n for n, sub in out.get("properties", {}).items() if sub.get("readOnly")}
        if required:
            out["required"] = sorted(required)
        extra = schema.get("additionalProperties")
        if extra is False:
            out["additionalProperties"] = False
        elif isinstance(extra, dict) and extra:
            out["additionalProperties"] = self.node(extra)
        if "items" in schema:
            out["items"] = self.node(schema["items"])
        for key in ("oneOf", "anyOf"):
            if key in schema:
                out[key] = [self.node(sub) for sub in schema[key]]
        if "discriminator" in schema:
            out["discriminator"] = self.discriminator(schema)
        if "allOf" in schema:
            out = self.all_of(out, [self.node(sub) for sub in schema["allOf"]])
        return out

    def discriminator(self, schema: dict[str, Any]) -> dict[str, Any]:
        alternatives = schema.get("oneOf", []) + schema.get("anyOf", [])
        if not alternatives:
            raise ValueError("a discriminator without oneOf/anyOf is not supported")
        disc = schema["discriminator"]
        mapping = {v: self.schema_name(t) for v, t in disc.get("mapping", {}).items()}
        for alt in alternatives:  # implicit mapping: the schema's own name
            if "$ref" in alt and self.schema_name(alt["$ref"]) not in mapping.values():
                mapping[self.schema_name(alt["$ref"])] = self.schema_name(alt["$ref"])
        for name in mapping.values():
            self.use(name)
        return {"propertyName": disc["propertyName"], "mapping": dict(sorted(mapping.items()))}

    def all_of(self, own: dict[str, Any], members: list[dict[str, Any]]) -> dict[str, Any]:
        structural = {"properties", "required", "additionalProperties", "items", "oneOf", "anyOf"}
        if len(members) == 1 and "ref" in members[0] and not structural & set(own):
            return {**own, **members[0]}  # a reference with annotations (nullable, default)
        merged = own
        for member in members:
            merged = self.merge(merged, self.resolved(member))
        return merged

    def merge(self, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        """Both ``a`` and ``b`` hold (allOf): one schema with the stricter of each limit."""
        if "ref" in a or "ref" in b:
            if a == b:
                return a
            a, b = self.resolved(a), self.resolved(b)
        out = dict(a)
        for key, value in b.items():
            if key not in out or out[key] == value:
                out[key] = value
                continue
            mine = out[key]
            if key == "properties":
                props = dict(mine)
                for name, sub in value.items():
                    props[name] = self.merge(props[name], sub) if name in props else sub
                out[key] = dict(sorted(props.items()))
            elif key == "required":
                out[key] = sorted(set(mine) | set(value))
            elif key in ("maxLength", "maxItems", "maximum", "maxProperties"):
                out[key] = min(mine, value)
            elif key in ("minLength", "minItems", "minimum", "minProperties"):
                out[key] = max(mine, value)
            elif key == "enum":
                out[key] = [v for v in mine if v in value]
            elif key in _FLAGS:
                out[key] = True
            elif key == "default":
                pass
            elif key == "additionalProperties":
                out[key] = False if False in (mine, value) else self.merge(mine, value)
            elif key == "items":
                out[key] = self.merge(mine, value)
            else:
                raise ValueError(f"allOf: cannot merge {key} {mine!r} with {value!r}")
        return out

    # operations
    def parameter(self, raw: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """``(name, entry)`` of a path or query parameter. A component parameter is stored
        once under ``parameters``; the operation's entry refers to it by name (``{"ref": ...}``).
        """
        param = self.pointer(raw)
        if param["in"] not in ("path", "query"):
            return None
        ref = raw.get("$ref", "")
        if ref.startswith(_PARAMETERS):
            name = ref[len(_PARAMETERS) :]
            if name not in self.parameters:
                self.parameters[name] = self.parameter_entry(param)
            return param["name"], {"ref": name}
        return param["name"], self.parameter_entry(param)

    def parameter_entry(self, param: dict[str, Any]) -> dict[str, Any]:
        schema = self.node(param.get("schema", {}))
        entry: dict[str, Any] = {"in": param["in"], "schema": schema}
        if param.get("required") or param["in"] == "path":
            entry["required"] = True
        kind = self.resolved(schema).get("type")
        if kind in ("array", "object") or "style" in param or "explode" in param:
            style = param.get("style", "form" if param["in"] == "query" else "simple")
            entry["style"] = style
            entry["explode"] = param.get("explode", style == "form")
        return entry

    def operation(self, path: str, item: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for raw in item.get("parameters", []) + op.get("parameters", []):
            found = self.parameter(raw)
            if found is not None:
                params[found[0]] = found[1]
        for name in re.findall(r"\{([^}]+)\}", path):
            entry = params.get(name, {})
            if self.parameters.get(entry.get("ref", ""), entry).get("in") != "path":
                raise ValueError(f"{op['operationId']}: no path parameter {name!r}")
        out: dict[str, Any] = {"parameters": dict(sorted(params.items()))}
        raw_params = [
            self.pointer(p) for p in item.get("parameters", []) + op.get("parameters", [])
        ]
        limits = date_limits(op, raw_params)
        if limits:
            out["date_limits"] = limits
        if "requestBody" in op:
            body = self.pointer(op["requestBody"])
            content = body.get("content", {})
            entry: dict[str, Any] = {"content": sorted(content)}
            if body.get("required"):
                entry["required"] = True
            if JSON in content:
                entry["schema"] = self.node(content[JSON].get("schema", {}))
            out["body"] = entry
        return out


_PULL = re.compile(
    r"If (granularity|level) is (not )?([A-Z_]+), you can pull data from up to (\d+) days "
    r"before the current date in UTC time(?:, with a maximum time range of (\d+) days)?"
)
_BACK = re.compile(r"Cannot be more than (\d+) days back from today")
_RANGE = re.compile(r"Cannot be more than (\d+) days past start_date")


def date_limits(op: dict[str, Any], params: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """How far back and how long a date range may be, from the operation's prose: "If
    granularity is HOUR, you can pull data from up to 8 days before the current date ..., with
    a maximum time range of 3 days", or the date parameters' "Cannot be more than 90 days back
    from today" and "... 90 days past start_date". A limit with a ``when`` applies only to
    requests whose field has (or, with ``not``, has not) that value."""
    limits = []
    for field, negate, value, back, span in _PULL.findall(op.get("description", "")):
        when = {"field": field, "value": value, "not": bool(negate)}
        limits.append(
            {"when": when, "back_days": int(back), "range_days": int(span) if span else None}
        )
    texts = " ".join(str(p.get("description", "")) for p in params)
    back, span = _BACK.search(texts), _RANGE.search(texts)
    if back or span:
        limits.append(
            {
                "when": None,
                "back_days": int(back.group(1)) if back else None,
                "range_days": int(span.group(1)) if span else None,
            }
        )
    return limits


def build_constraints(spec: dict[str, Any]) -> dict[str, Any]:
    normalizer = Constraints(spec)
    operations = {}
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is not None:
                operations[op["operationId"]] = normalizer.operation(path, item, op)
    return {
        "spec_version": spec["info"]["version"],
        "operations": dict(sorted(operations.items())),
        "parameters": dict(sorted(normalizer.parameters.items())),
        "schemas": dict(sorted(normalizer.schemas.items())),
    }


def render_constraints(table: dict[str, Any]) -> str:
    """Compact JSON, one operation or schema a line (small, and a spec update diffs well)."""

    def lines(entries: dict[str, Any]) -> str:
        return ",\n".join(
            f"{json.dumps(k)}: {json.dumps(v, sort_keys=True, separators=(',', ':'))}"
            for k, v in entries.items()
        )

    return (
        f'{{"spec_version": {json.dumps(table["spec_version"])},\n'
        f'"operations": {{\n{lines(table["operations"])}\n}},\n'
        f'"parameters": {{\n{lines(table["parameters"])}\n}},\n'
        f'"schemas": {{\n{lines(table["schemas"])}\n}}}}\n'
    )


def outputs(spec: dict[str, Any]) -> dict[Path, str]:
    """Every generated file and its text."""
    return {
        TABLE: render(build_table(spec)),
        CONSTRAINTS: render_constraints(build_constraints(spec)),
    }


def main(argv: list[str]) -> int:
    args = [a for a in argv if a != "--check"]
    spec_path = Path(args[0] if args else os.environ.get("PINKIT_OPENAPI_SPEC", DEFAULT_SPEC))
    files = outputs(json.loads(spec_path.read_text(encoding="utf-8")))
    return write_or_check(files, argv, "scripts/gen_operations.py")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
