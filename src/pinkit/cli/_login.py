"""The OAuth authorization-code dance, minus the token exchange.

``LoopbackListener`` is a one-shot HTTP server bound to 127.0.0.1 only: it serves in a thread
(so a browser command that waits for the whole redirect chain cannot deadlock us), answers
exactly one request on the redirect path, checks ``state``, and stops. Each connection gets a
thread of its own: browsers open spare connections they may never use (Chromium preconnects),
and one idle socket must not keep the redirect waiting on another. ``parse_redirect`` does
the same checks for a redirect URL pasted by the user (``--no-browser``).
"""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..errors import InvalidInputError, PinterestError

__all__ = ["LoginError", "LoopbackListener", "parse_redirect", "split_loopback_redirect"]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
IDLE_CONNECTION_TIMEOUT = 10.0  # seconds a connection may stay silent before it is dropped


class LoginError(PinterestError):
    """The authorization did not complete (denied, state mismatch, timeout)."""


@dataclass(frozen=True)
class Callback:
    code: str | None = None
    error: str | None = None


def _first(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def check_callback(query: dict[str, list[str]], expected_state: str) -> Callback:
    """The code from a redirect's query, or the reason it is not acceptable."""
    state = _first(query, "state")
    if state != expected_state:
        return Callback(error="state mismatch: this redirect does not belong to this login")
    error = _first(query, "error")
    if error == "access_denied":
        return Callback(error="access was denied on the consent page (access_denied)")
    if error:
        detail = _first(query, "error_description") or error
        return Callback(error=f"authorization refused: {detail}")
    code = _first(query, "code")
    if not code:
        return Callback(error="the redirect carried no authorization code")
    return Callback(code=code)


def parse_redirect(url: str, expected_state: str) -> str:
    """The code in a pasted redirect URL (or bare query string)."""
    url = url.strip()
    if not url:
        raise InvalidInputError("no redirect URL given")
    parts = urlsplit(url)
    # A full URL, or just its query (``code=...&state=...``) copied from the address bar.
    query_text = parts.query if parts.query else ("" if "://" in url else url.lstrip("?"))
    query = parse_qs(query_text)
    if "code" not in query and "error" not in query and "state" not in query:
        raise InvalidInputError(
            "that does not look like the redirect URL (it should contain code= and state=)"
        )
    result = check_callback(query, expected_state)
    if result.code is None:
        raise LoginError(result.error or "login failed")
    return result.code


def split_loopback_redirect(redirect_uri: str) -> tuple[str, int, str]:
    """(host, port, path) of an ``http://127.0.0.1|localhost:PORT/path`` redirect URI."""
    parts = urlsplit(redirect_uri)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise InvalidInputError(
            f"the loopback listener needs an http://127.0.0.1:PORT/ or http://localhost:PORT/ "
            f"redirect URI, not {redirect_uri!r}; use --no-browser to paste the redirect instead"
        )
    try:
        port = parts.port
    except ValueError:
        port = None
    if not port:
        raise InvalidInputError(f"the redirect URI {redirect_uri!r} needs an explicit port")
    return parts.hostname or "127.0.0.1", port, parts.path or "/"


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>pinkit</title></head>
<body style="font-family: sans-serif; margin: 3em"><h1>{title}</h1><p>{text}</p></body></html>
"""


class LoopbackListener:
    """Receives the OAuth redirect on 127.0.0.1; use as a context manager."""

    def __init__(self, port: int, path: str, expected_state: str) -> None:
        self.path = path
        self.expected_state = expected_state
        self._done = threading.Event()
        self._claimed = threading.Lock()
        self._result: Callback | None = None
        listener = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "pinkit"
            sys_version = ""
            disable_nagle_algorithm = True  # the answer goes out in several writes
            timeout = IDLE_CONNECTION_TIMEOUT

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != listener.path or not listener._claimed.acquire(blocking=False):
                    self._reply(404, "Not found", "pinkit is waiting for the OAuth redirect.")
                    return
                result = check_callback(parse_qs(parts.query), listener.expected_state)
                if result.code:
                    self._reply(
                        200,
                        "Logged in",
                        "pinkit received the authorization. You can close this window.",
                    )
                else:
                    reason = result.error or "login failed"
                    self._reply(
                        400,
                        "Login failed",
                        f"{reason}. You can close this window and run pinkit auth login again.",
                    )
                listener._finish(result)

            def _reply(self, status: int, title: str, text: str) -> None:
                body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the query holds the code: never log it

        try:
            self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        except OSError as exc:
            raise LoginError(
                f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
                "choose another --port (it must match the app's redirect URI)"
            ) from None
        self._server.timeout = 0.2
        self._server.daemon_threads = True  # an idle connection never holds up the exit
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._serve, name="pinkit-login", daemon=True)

    def _finish(self, result: Callback) -> None:
        self._result = result
        self._done.set()

    def _serve(self) -> None:
        while not self._done.is_set():
            self._server.handle_request()

    def __enter__(self) -> LoopbackListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=2)
        self._server.server_close()

    def wait(self, timeout: float) -> str:
        """The authorization code; raises ``LoginError`` on refusal or timeout."""
        deadline = time.monotonic() + timeout
        # Short waits keep Ctrl-C responsive on every platform.
        while not self._done.wait(min(0.25, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                raise LoginError(f"no authorization received within {timeout:g}s")
        result = self._result
        if result is None or result.code is None:
            raise LoginError(result.error if result and result.error else "login failed")
        return result.code
