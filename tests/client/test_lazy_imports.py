"""Making a client costs little more than making its connection pool: the resources, their
pydantic models and the spec's constraint table load on first use (bench/startup.py measures
the time; this keeps the imports from creeping back)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pydantic", "pinkit.models", "pinkit.resources", "pinkit._constraints", "rich")


def _modules_after(code: str) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(run.stdout.split())


def test_making_clients_loads_nothing_heavy() -> None:
    made = _modules_after("import pinkit\npinkit.Client('pina_x')\npinkit.AsyncClient('pina_x')")
    assert "pinkit._client" in made
    assert sorted(m for m in made if m.startswith(HEAVY)) == []


def test_resources_load_on_first_use() -> None:
    loaded = _modules_after("import pinkit\nc = pinkit.Client('pina_x')\nc.boards")
    assert "pinkit.resources.boards" in loaded
    assert "pydantic" in loaded


def test_a_sync_client_needs_no_asyncio() -> None:
    # asyncio costs start-up time that a synchronous program never uses.
    assert "asyncio" not in _modules_after("import pinkit\npinkit.Client('pina_x')")
