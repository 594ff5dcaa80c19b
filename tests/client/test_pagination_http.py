"""Pagination over real HTTP does not stop at an empty page that still carries a bookmark.

The emulator never sends such pages, so a small HTTP server on loopback serves them here: a
list of pages, each page's bookmark naming the next one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import pinkit


class PageServer:
    """Serves ``GET /v5/pins`` as ``pages`` (lists of pin IDs), one page per bookmark."""

    def __init__(self) -> None:
        self.pages: list[list[str]] = []
        self.bookmarks_asked: list[str | None] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                bookmark = parse_qs(url.query).get("bookmark", [None])[0]
                server.bookmarks_asked.append(bookmark)
                index = 0 if bookmark is None else int(bookmark.removeprefix("page-"))
                last = index == len(server.pages) - 1
                body = json.dumps(
                    {
                        "items": [{"id": pin_id} for pin_id in server.pages[index]],
                        "bookmark": None if last else f"page-{index + 1}",
                    }
                ).encode()
                self.send_response(200 if url.path == "/v5/pins" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v5"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> PageServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@pytest.fixture
def page_server() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


def with_gaps() -> list[list[str]]:
    """Items, then one empty page, then ten in a row (the most allowed), then more items."""
    return [["1", "2"], [], ["3"], *[[] for _ in range(10)], ["4", "5"], []]


def test_empty_pages_in_the_middle_are_skipped(page_server: PageServer) -> None:
    page_server.pages = with_gaps()
    with pinkit.Client("pina_x", base_url=page_server.base_url) as client:
        pins = list(client.pins.list())
        raw = [item["id"] for item in client.paginate("/pins", page_size=5)]
    assert [p.id for p in pins] == ["1", "2", "3", "4", "5"]
    assert all(isinstance(p, pinkit.Pin) for p in pins)
    assert raw == ["1", "2", "3", "4", "5"]
    assert len(page_server.bookmarks_asked) == 2 * len(page_server.pages)


def test_eleven_empty_pages_in_a_row_raise(page_server: PageServer) -> None:
    page_server.pages = [["1"], *[[] for _ in range(11)], ["2"]]
    seen: list[str | None] = []
    with pinkit.Client("pina_x", base_url=page_server.base_url) as client:
        with pytest.raises(pinkit.PaginationError, match="11 empty pages in a row"):
            seen.extend(pin.id for pin in client.pins.list())
    assert seen == ["1"]
    assert len(page_server.bookmarks_asked) == 12  # never asked for the page after


def test_max_items_still_stops_across_empty_pages(page_server: PageServer) -> None:
    page_server.pages = [["1"], [], ["2", "3"], ["4"]]
    with pinkit.Client("pina_x", base_url=page_server.base_url) as client:
        assert [p.id for p in client.pins.list(max_items=2)] == ["1", "2"]
    assert len(page_server.bookmarks_asked) == 3


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_async_empty_pages_in_the_middle_are_skipped(page_server: PageServer) -> None:
    page_server.pages = with_gaps()
    async with pinkit.AsyncClient("pina_x", base_url=page_server.base_url) as client:
        pins = [pin.id async for pin in client.pins.list()]
    assert pins == ["1", "2", "3", "4", "5"]


@pytest.mark.anyio
async def test_async_eleven_empty_pages_in_a_row_raise(page_server: PageServer) -> None:
    page_server.pages = [["1"], *[[] for _ in range(11)], ["2"]]
    seen: list[str | None] = []
    async with pinkit.AsyncClient("pina_x", base_url=page_server.base_url) as client:
        with pytest.raises(pinkit.PaginationError, match="11 empty pages in a row"):
            await collect(client.pins.list(), seen)
    assert seen == ["1"]


async def collect(pager: pinkit.AsyncPager[pinkit.Pin], into: list[str | None]) -> None:
    async for pin in pager:
        into.append(pin.id)
