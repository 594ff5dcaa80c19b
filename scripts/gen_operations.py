"""Derive pinkit's operation table from Pinterest's OpenAPI description.

The table (operationId, method, path, rate-limit category, security, sandbox flag) ships in the
package so the client and the emulator know every operation without the spec file. A test
regenerates it from the spec and fails on any difference.

Usage: python scripts/gen_operations.py [SPEC] [--check]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "src" / "pinkit" / "_operations.json"
DEFAULT_SPEC = ROOT.parent / "shared" / "pinterest-openapi" / "openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")


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


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    spec_path = Path(args[0] if args else os.environ.get("PINKIT_OPENAPI_SPEC", DEFAULT_SPEC))
    text = render(build_table(json.loads(spec_path.read_text(encoding="utf-8"))))
    if check:
        if TABLE.read_text(encoding="utf-8") != text:
            print(f"{TABLE.name} is out of date; run scripts/gen_operations.py", file=sys.stderr)
            return 1
        return 0
    TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
