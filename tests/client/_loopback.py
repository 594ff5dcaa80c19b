"""Small HTTP servers on loopback for the client tests that need a server to misbehave in ways
the emulator does not: answer one byte at a time, or with bodies no real API would send.

``LoopbackServer(answer)`` accepts connections in a thread; for each request it reads the head
and body, records them, and hands the socket to ``answer(conn, request)``, which writes
whatever it likes. Connections are handled one thread each, so a slow answer holds up nobody.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["LoopbackServer", "Received", "json_answer", "trickle_answer"]


@dataclass
class Received:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""


Answer = Callable[[socket.socket, Received], None]


@dataclass
class LoopbackServer:
    answer: Answer
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen()
        self._server.settimeout(0.05)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self.port = self._server.getsockname()[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.base_url = f"{self.origin}/v5"

    def __enter__(self) -> LoopbackServer:
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for conn in list(self._conns):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._server.close()

    @property
    def stopped(self) -> threading.Event:
        return self._stop

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                continue
            self._conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        buffer = b""
        try:
            while not self._stop.is_set():
                while b"\r\n\r\n" not in buffer:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                while len(buffer) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                body, buffer = buffer[:length], buffer[length:]
                request = Received(method, target, headers, body)
                self.received.append(request)
                self.answer(conn, request)
        except OSError:
            return


def json_answer(body: bytes, status: int = 200) -> Answer:
    """Answer every request with ``body`` as JSON, all at once."""

    def answer(conn: socket.socket, request: Received) -> None:
        head = (
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        conn.sendall(head.encode() + body)

    return answer


def trickle_answer(
    body: bytes = b'{"ok": true}', *, every: float = 0.5, status: str = "200 OK", head: bool = True
) -> Answer:
    """Answer with one byte every ``every`` seconds, from the status line to the body's end
    (with ``head=False``, the status line and headers go at once and only the body trickles)."""

    def answer(conn: socket.socket, request: Received) -> None:
        start = (
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        if not head:
            conn.sendall(start)
        whole = start + body if head else body
        for i in range(len(whole)):
            conn.sendall(whole[i : i + 1])
            time.sleep(every)

    return answer
