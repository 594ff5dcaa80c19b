"""The ``Concurrently`` flow step: a stream of flows run a few at a time, in both runners."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from pinkit._clock import SYSTEM_CLOCK
from pinkit._flow import Concurrently, Flow, Locks, Sleep, run_async, run_sync


class Broken(Exception):
    pass


def scenario(limit: int, fail_at: int | None = None) -> tuple[Flow[Any], dict[str, Any]]:
    seen: dict[str, Any] = {"pulled_in": set(), "ran": [], "running": 0, "most": 0}
    lock = threading.Lock()

    def one(i: int) -> Flow[None]:
        with lock:
            seen["running"] += 1
            seen["most"] = max(seen["most"], seen["running"])
        yield Sleep(0.005)
        with lock:
            seen["running"] -= 1
            seen["ran"].append(i)
        if i == fail_at:
            raise Broken(i)

    def flows() -> Iterator[Flow[None]]:
        for i in range(12):
            seen["pulled_in"].add(threading.get_ident())
            yield one(i)

    def outer() -> Flow[str]:
        try:
            yield Concurrently(flows(), limit)
        except Broken as exc:
            return f"caught {exc}"
        return "done"

    return outer(), seen


@pytest.mark.parametrize("limit", [1, 4])
def test_sync(limit: int) -> None:
    flow, seen = scenario(limit)
    with httpx2.Client() as http:
        assert run_sync(flow, http, Locks(), SYSTEM_CLOCK) == "done"
    assert sorted(seen["ran"]) == list(range(12))
    assert seen["pulled_in"] == {threading.get_ident()}  # the source stays in its thread
    assert 1 <= seen["most"] <= limit


def test_sync_error_reaches_the_flow() -> None:
    flow, seen = scenario(3, fail_at=2)
    with httpx2.Client() as http:
        assert run_sync(flow, http, Locks(), SYSTEM_CLOCK) == "caught 2"
    assert len(seen["ran"]) < 12


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_async() -> None:
    flow, seen = scenario(4)
    async with httpx2.AsyncClient() as http:
        assert await run_async(flow, http, Locks(), SYSTEM_CLOCK) == "done"
    assert sorted(seen["ran"]) == list(range(12)) and 1 < seen["most"] <= 4
    failing, _ = scenario(4, fail_at=5)
    async with httpx2.AsyncClient() as http:
        assert await run_async(failing, http, Locks(), SYSTEM_CLOCK) == "caught 5"
