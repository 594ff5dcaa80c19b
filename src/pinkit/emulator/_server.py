"""Serving the app over real HTTP: in a background thread (tests) or blocking (the CLI)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

__all__ = ["ThreadedServer", "serve"]


class ThreadedServer:
    """uvicorn on 127.0.0.1 and a free port (bound by us, so the port is known before start)."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host, self.port = self._sock.getsockname()[:2]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            name=f"pinkit-emulator-{self.port}",
            daemon=True,
        )

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the pinkit emulator server did not start")
            time.sleep(0.005)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._sock.close()


def serve(host: str = "127.0.0.1", port: int = 8080, state_path: str | Path | None = None) -> None:
    """Run the emulator until interrupted (``pinkit emulator serve``).

    With ``state_path`` the state lives in that SQLite file: it survives restarts and can be
    shared with other processes (CLI runs, a second server).
    """
    from ._app import create_app
    from ._backend import Backend

    app = create_app(Backend(state_path))
    uvicorn.run(app, host=host, port=port, log_level="info", lifespan="off")
