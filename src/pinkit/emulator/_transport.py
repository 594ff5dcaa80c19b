"""Run the emulator in-process, without sockets, behind an httpx2 **sync** transport.

httpx2 only ships ``ASGITransport`` for async clients. This transport runs an event loop in a
daemon helper thread that hosts an anyio ``BlockingPortal``, reads each request body up front,
and runs the request through ``ASGITransport`` in that loop, so a sync ``httpx2.Client`` talks
to the ASGI app directly. The thread is a daemon so a transport someone forgot to close cannot
keep the interpreter from exiting.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

import anyio
import httpx2
from anyio.from_thread import BlockingPortal

__all__ = ["SyncASGITransport"]


class SyncASGITransport(httpx2.BaseTransport):
    def __init__(self, app: Any) -> None:
        self._asgi = httpx2.ASGITransport(app=app)
        self._lock = threading.Lock()
        self._portal: BlockingPortal | None = None
        self._thread: threading.Thread | None = None

    def _get_portal(self) -> BlockingPortal:
        with self._lock:
            if self._portal is None:
                ready: queue.Queue[BlockingPortal] = queue.Queue()
                self._thread = threading.Thread(
                    target=anyio.run, args=(_host_portal, ready), daemon=True, name="pinkit-asgi"
                )
                self._thread.start()
                self._portal = ready.get()
            return self._portal

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()  # turns any sync body into a replayable stream ASGITransport can await
        status, headers, content = self._get_portal().call(self._send, request)
        return httpx2.Response(status, headers=headers, content=content, request=request)

    async def _send(self, request: httpx2.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._asgi.handle_async_request(request)
        content = await response.aread()
        return response.status_code, response.headers.raw, content

    def close(self) -> None:
        with self._lock:
            portal, thread = self._portal, self._thread
            self._portal = self._thread = None
        if portal is not None and thread is not None:
            portal.call(portal.stop)
            thread.join(timeout=10)


async def _host_portal(ready: queue.Queue[BlockingPortal]) -> None:
    async with BlockingPortal() as portal:
        ready.put(portal)
        await portal.sleep_until_stopped()
