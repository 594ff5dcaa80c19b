"""The example app with pause points, for the fault tests (uvicorn's factory:
``tests.web.app_hooks:create_app``).

``CONNECT_APP_TEST_HOOKS`` names a folder. A worker that reaches a point whose file
``pause-<point>`` is in it takes the file (so one worker pauses, once), writes
``paused-<point>.<pid>`` and stops there until the test kills it (``kill -9``):

- ``before-refresh``: holding the user's row lock, about to send the refresh request;
- ``before-commit``: Pinterest has answered with rotated tokens, not yet written;
- ``after-commit``: the rotated tokens are committed, the request not yet answered.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx2
from fastapi import FastAPI

from examples.connect_app.app import create_app as create_example_app
from pinkit.web import RowLock

POINTS = ("before-refresh", "before-commit", "after-commit")


def pause(point: str) -> None:
    folder = Path(os.environ["CONNECT_APP_TEST_HOOKS"])
    pid = os.getpid()
    try:
        os.rename(folder / f"pause-{point}", folder / f"taken-{point}.{pid}")
    except FileNotFoundError:
        return
    (folder / f"paused-{point}.{pid}").touch()
    time.sleep(120)  # the whole worker, if it is the event loop's thread: it is killed anyway


def install() -> None:
    send = httpx2.AsyncClient.send

    async def send_with_pause(self: httpx2.AsyncClient, request: httpx2.Request, **kw: Any) -> Any:
        if request.url.path.endswith("/oauth/token") and b"refresh_token" in request.content:
            pause("before-refresh")
        return await send(self, request, **kw)

    save = RowLock.save

    def save_with_pauses(self: RowLock, values: dict[str, Any]) -> None:
        pause("before-commit")
        save(self, values)
        pause("after-commit")

    httpx2.AsyncClient.send = send_with_pause  # type: ignore[method-assign]
    RowLock.save = save_with_pauses  # type: ignore[method-assign]


def create_app() -> FastAPI:
    install()
    return create_example_app()
