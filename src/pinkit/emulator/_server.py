"""Serving the app over real HTTP: in a background thread (tests) or blocking (the CLI).

Both bind their socket themselves with ``IPPROTO_TCP`` and ``TCP_NODELAY``: asyncio only turns
Nagle's algorithm off on accepted sockets whose listening socket says it is TCP, and with Nagle
on, a request written in two parts waits about 40 ms for a delayed ACK.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

__all__ = ["ThreadedServer", "bind_socket"]


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` with Nagle's algorithm off."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


class ThreadedServer:
    """uvicorn on 127.0.0.1 and a free port (bound by us, so the port is known before start)."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._sock = bind_socket(host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        # loop="asyncio": a server in a thread of the caller's process leaves its event-loop
        # policy alone (uvicorn releases before 0.36 install uvloop's globally)
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", access_log=False, loop="asyncio"
        )
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
