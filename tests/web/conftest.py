"""Fixtures of the web-app kit's tests: a database of each kind, keys, worker processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pinkit.emulator import Emulator
from pinkit.web import generate_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that uses it runs on a SQLite file and on a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tokens.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def keys() -> list[str]:
    return [generate_key()]


@pytest.fixture
def emu(pinkit_emulator: Emulator) -> Emulator:
    """An emulator served over HTTP (worker processes reach it too), every answer of which is
    checked against the spec at the end."""
    return pinkit_emulator


def run_workers(job: str, args: list[dict[str, Any]], tmp_path: Path) -> list[dict[str, Any]]:
    """Start one ``tests.web.workers`` process per ``args``; once every one is ready, start
    them all at once; their results, in order."""
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.web.workers", job, json.dumps({**a, "go": str(go)})],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for a in args
    ]
    try:
        deadline = time.monotonic() + 90
        while len(list(tmp_path.glob("go.ready.*"))) < len(procs):
            failed = [p for p in procs if p.poll() not in (None, 0)]
            if failed:
                raise AssertionError(f"a worker failed to start: {failed[0].communicate()[1]}")
            if time.monotonic() > deadline:
                raise AssertionError("the workers were not ready within 90 s")
            time.sleep(0.02)
        go.touch()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, f"a worker failed:\n{err}"
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
