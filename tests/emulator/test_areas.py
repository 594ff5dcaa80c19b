"""The areas are declared once: every control is an ``Emulator`` method and a route, and the
docs' table of controls is generated from the same declarations."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from pinkit.emulator import Emulator, EmulatorError
from pinkit.emulator._controls import BoundControl, control
from pinkit.emulator._core_controls import CORE_CONTROLS
from pinkit.emulator._registry import Area, Handler, Registry
from pinkit.emulator.areas import AREAS

ROOT = Path(__file__).resolve().parents[2]
CONTROLS = [*CORE_CONTROLS, *Registry(AREAS).controls]
PROPERTIES = {"requests"}  # a read-only view: ``emu.requests``


def test_every_control_is_an_emulator_method() -> None:
    bound = {
        name: value.control
        for name, value in vars(Emulator).items()
        if isinstance(value, BoundControl)
    }
    declared = {c.name: c for c in CONTROLS if c.name not in PROPERTIES}
    assert bound == declared
    for name in declared:
        method = getattr(Emulator(), name)
        assert method.__doc__
        assert "backend" not in inspect.signature(method).parameters


def test_every_control_has_a_route(inproc: Emulator) -> None:
    paths = {(c.method, c.path) for c in CONTROLS}
    assert len(paths) == len(CONTROLS)
    samples = {"ad_account_id": inproc.default_ad_account_id}
    with httpx2.Client(transport=inproc.transport(), base_url=inproc.origin) as http:
        for c in CONTROLS:
            if c.method == "GET":
                query = {p.name: samples[p.name] for p in c.params if p.required}
                answer = http.get(f"/_emulator{c.path}", params=query)
                assert answer.status_code == 200, c.name


def test_the_docs_table_is_generated() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_registry_refuses_a_broken_area_list() -> None:
    def nothing(ctx: object) -> dict[str, str]:
        return {}

    twice = Area("twice", handlers=[Handler("user_account/get", nothing)])  # type: ignore[arg-type]
    with pytest.raises(EmulatorError, match="answered twice"):
        Registry([*AREAS, twice])
    unknown = Area("unknown", handlers=[Handler("no/such_op", nothing)])  # type: ignore[arg-type]
    with pytest.raises(EmulatorError, match="not an operationId"):
        Registry([*AREAS, unknown])
    with pytest.raises(EmulatorError, match="unknown area"):
        Registry([*AREAS, Area("late", seed_after=("nowhere",))])


def test_a_control_checks_its_arguments_from_its_annotations() -> None:
    @control("POST", "/example")
    def example(
        backend: object, count: int, ratio: float = 1.0, names: list[str] | None = None
    ) -> int:
        return count

    assert example.call(None, 3) == 3  # type: ignore[arg-type]
    for bad in ({"count": "3"}, {"count": True}, {"count": 1, "ratio": float("nan")}):
        with pytest.raises(EmulatorError):
            example.call(None, **bad)  # type: ignore[arg-type]
    with pytest.raises(EmulatorError):
        example.call(None, 1, names=["a", 2])  # type: ignore[arg-type, list-item]
