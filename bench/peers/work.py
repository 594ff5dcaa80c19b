"""One measured run: one client doing one workload, in a process of its own.

``python work.py SPEC`` (SPEC: JSON with ``client``, ``workload``, ``base_url``, ``token``,
``board_id``, ``ad_account_id``, ``n``, ``tag`` and the workload's sizes) prints one JSON line:
``{"cpu": s, "wall": s, "rss_mb": MB, "count": items}``. The run first warms up (connection,
lazy imports, first parse) outside the measured part, so the figures are the work itself; CPU
is the whole process's (every thread), peak RSS its ``VmHWM`` in ``/proc``.

It runs in each peer's own virtual environment, so it imports nothing at module level but
the standard library: every client is imported inside its own class. A client that cannot do
a workload raises ``Unsupported`` with the reason, which the runner reports.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

Spec = dict[str, Any]
Work = Callable[[], int]  # does the work, returns how many items it handled


class Unsupported(Exception):
    """The client has no way to do this workload."""


def peak_rss_mb() -> float:
    """``VmHWM`` (this process's own peak resident set), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# -- conversion events: pinkit gets raw PII, the others the same events hashed beforehand ----

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"


def email(i: int) -> str:
    return f"buyer.{i}@example.com"


def raw_event(i: int, now: int) -> dict[str, Any]:
    return {
        "event_name": "checkout",
        "action_source": "web",
        "event_time": now,
        "event_id": f"bench-{i}",
        "user_data": {
            "em": email(i),
            "client_ip_address": "203.0.113.7",
            "client_user_agent": USER_AGENT,
        },
        "custom_data": {"currency": "USD", "value": "19.99", "order_id": f"order-{i}"},
    }


class Hashed:
    """The events' SHA-256 e-mail digests, computed before the measured part."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.now = int(time.time()) - 60
        self.digests = [hashlib.sha256(email(i).encode()).hexdigest() for i in range(n)]

    def event(self, i: int) -> dict[str, Any]:
        event = raw_event(i, self.now)
        event["user_data"]["em"] = [self.digests[i]]
        return event

    def batches(self, size: int = 1000) -> Iterator[list[dict[str, Any]]]:
        for start in range(0, self.n, size):
            yield [self.event(i) for i in range(start, min(self.n, start + size))]


def consume(items: Any) -> int:
    """Iterate over ``items`` as a caller would (one item at a time); how many there were."""
    count = 0
    for _ in items:
        count += 1
    return count


class Client:
    """A client under test: ``prepare(workload)`` sets up and warms up, returns the work."""

    asynchronous = False

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.base_url: str = spec["base_url"]
        self.token: str = spec["token"]

    def prepare(self, workload: str) -> Any:
        method = getattr(self, workload, None)
        if method is None:
            raise Unsupported(f"{type(self).__name__} has no way to do {workload}")
        return method()

    def name(self, i: int) -> str:
        return f"bench {self.spec['tag']} {i}"


# -- pinkit ------------------------------------------------------------------------------------


#: Pinterest's Standard universal limit kept (a limit set by the user, which the server's raised
#: headers cannot raise): 100 calls a second, as against the real API.
PACED = {"universal": (100, 1.0)}


class Pinkit(Client):
    """``pinkit.Client`` as a user makes it: default rate limiter (which follows the limits the
    emulator's headers state, all raised), default retries."""

    def __init__(self, spec: Spec) -> None:
        super().__init__(spec)
        import pinkit

        self.client = pinkit.Client(self.token, base_url=self.base_url)
        self.client.user_account.get()

    def get(self) -> Work:
        get, n = self.client.user_account.get, self.spec["n"]

        def work() -> int:
            for _ in range(n):
                get()
            return n

        return work

    def get_unpaced(self) -> Work:
        import pinkit

        self.client = pinkit.Client(self.token, base_url=self.base_url, rate_limits=False)
        self.client.user_account.get()
        return self.get()

    def get_paced(self) -> Work:
        import pinkit

        self.client = pinkit.Client(self.token, base_url=self.base_url, rate_limits=PACED)
        self.client.user_account.get()
        return self.get()

    def request(self) -> Work:
        request, n = self.client.request, self.spec["n"]

        def work() -> int:
            for _ in range(n):
                request("GET", "/user_account")
            return n

        return work

    def page_typed(self) -> Work:
        board, size = self.spec["board_id"], self.spec["page_size"]
        next(iter(self.client.boards.list_pins(board, page_size=1, max_items=1)))
        return lambda: consume(self.client.boards.list_pins(board, page_size=size))

    def page_dicts(self) -> Work:
        path, size = f"/boards/{self.spec['board_id']}/pins", self.spec["page_size"]
        next(iter(self.client.paginate(path, page_size=1, max_items=1)))
        return lambda: consume(self.client.paginate(path, page_size=size))

    def create(self) -> Work:
        create, n = self.client.boards.create, self.spec["n"]
        create(name=self.name(-1))

        def work() -> int:
            for i in range(n):
                create(name=self.name(i))
            return n

        return work

    def create_unpaced(self) -> Work:
        import pinkit

        self.client = pinkit.Client(self.token, base_url=self.base_url, rate_limits=False)
        return self.create()

    def conversions(self) -> Work:
        now = int(time.time()) - 60
        return self._send_bulk(lambda i: raw_event(i, now))

    def conversions_hashed(self) -> Work:
        """The peers' work: the same events with their e-mail digests made beforehand, which
        ``send_bulk`` passes through (checked as digests, not hashed again)."""
        return self._send_bulk(Hashed(self.spec["n"] + 1).event)  # one more for the warm-up

    def _send_bulk(self, event: Callable[[int], dict[str, Any]]) -> Work:
        """``send_bulk`` of ``n`` events made by ``event(i)``, once beforehand to warm up."""
        account, n = self.spec["ad_account_id"], self.spec["n"]
        self.client.conversions.send_bulk(account, [event(n)])

        def work() -> int:
            summary = self.client.conversions.send_bulk(account, (event(i) for i in range(n)))
            assert summary.processed == n, summary
            return summary.processed

        return work


class PinkitAsync(Client):
    """``pinkit.AsyncClient``, default rate limiter."""

    asynchronous = True

    async def open(self) -> None:
        import pinkit

        self.client = pinkit.AsyncClient(self.token, base_url=self.base_url)
        await self.client.user_account.get()

    async def get(self) -> Any:
        get, n = self.client.user_account.get, self.spec["n"]

        async def work() -> int:
            for _ in range(n):
                await get()
            return n

        return work

    async def concurrent(self) -> Any:
        get, n, tasks = self.client.user_account.get, self.spec["n"], self.spec["tasks"]
        return lambda: gather(get, n, tasks)

    async def concurrent_unpaced(self) -> Any:
        import pinkit

        self.client = pinkit.AsyncClient(self.token, base_url=self.base_url, rate_limits=False)
        await self.client.user_account.get()
        return await self.concurrent()

    async def concurrent_paced(self) -> Any:
        import pinkit

        self.client = pinkit.AsyncClient(self.token, base_url=self.base_url, rate_limits=PACED)
        await self.client.user_account.get()
        return await self.concurrent()

    async def page_typed(self) -> Any:
        board, size = self.spec["board_id"], self.spec["page_size"]
        async for _ in self.client.boards.list_pins(board, page_size=1, max_items=1):
            pass

        async def work() -> int:
            count = 0
            async for _ in self.client.boards.list_pins(board, page_size=size):
                count += 1
            return count

        return work

    async def create(self) -> Any:
        create, n = self.client.boards.create, self.spec["n"]
        await create(name=self.name(-1))

        async def work() -> int:
            for i in range(n):
                await create(name=self.name(i))
            return n

        return work

    async def conversions(self) -> Any:
        account, n = self.spec["ad_account_id"], self.spec["n"]
        now = int(time.time()) - 60
        await self.client.conversions.send_bulk(account, [raw_event(n, now)])

        async def work() -> int:
            events = (raw_event(i, now) for i in range(n))
            summary = await self.client.conversions.send_bulk(account, events)
            assert summary.processed == n, summary
            return summary.processed

        return work


async def gather(call: Callable[[], Any], n: int, tasks: int) -> int:
    """``n`` calls of ``call`` by ``tasks`` concurrent tasks."""
    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    await asyncio.gather(*(worker() for _ in range(tasks)))
    return n


# -- the floor: raw httpx2 and requests, headers set once ----------------------------------------


class Pacing:
    """What pinkit's limiter does at Pinterest's universal limit (100 calls a second, a full
    bucket of 100 to start): a raw client that sleeps alike pays the same for its sleeps (each
    wake-up finds the CPU's caches cold), so the ``*_paced`` rows are the like-for-like floor of
    a client that keeps the limit."""

    def __init__(self, rate: float = 100.0, capacity: float = 100.0) -> None:
        self.rate, self.capacity, self.tokens = rate, capacity, capacity
        self.updated = time.monotonic()

    def wait(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class RawHttpx2(Client):
    """``httpx2.Client`` with its headers set once; answers parsed with ``.json()``."""

    def __init__(self, spec: Spec) -> None:
        super().__init__(spec)
        import httpx2

        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        self.http = httpx2.Client(headers=headers, timeout=60)
        self.call("GET", "/user_account")

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, self.base_url + path, **kwargs)
        response.raise_for_status()
        return response.json()

    def get(self) -> Work:
        call, n = self.call, self.spec["n"]

        def work() -> int:
            for _ in range(n):
                call("GET", "/user_account")
            return n

        return work

    def get_paced(self) -> Work:
        call, n = self.call, self.spec["n"]

        def work() -> int:
            pacing = Pacing()
            for _ in range(n):
                if (wait := pacing.wait()) > 0:
                    time.sleep(wait)
                call("GET", "/user_account")
            return n

        return work

    def page_dicts(self) -> Work:
        path, size = f"/boards/{self.spec['board_id']}/pins", self.spec["page_size"]
        self.call("GET", path, params={"page_size": 1})

        def work() -> int:
            count, params = 0, {"page_size": size}
            while True:
                page = self.call("GET", path, params=params)
                count += consume(page["items"])
                if not page.get("bookmark"):
                    return count
                params["bookmark"] = page["bookmark"]

        return work

    def create(self) -> Work:
        n = self.spec["n"]
        self.call("POST", "/boards", json={"name": self.name(-1)})

        def work() -> int:
            for i in range(n):
                self.call("POST", "/boards", json={"name": self.name(i)})
            return n

        return work

    def conversions(self) -> Work:
        path, events = f"/ad_accounts/{self.spec['ad_account_id']}/events", Hashed(self.spec["n"])
        self.call("POST", path, json={"data": [events.event(0)]})

        def work() -> int:
            return sum(
                self.call("POST", path, json={"data": batch})["num_events_processed"]
                for batch in events.batches()
            )

        return work


class RawHttpx2Async(Client):
    """``httpx2.AsyncClient`` with its headers set once."""

    asynchronous = True

    async def open(self) -> None:
        import httpx2

        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        self.http = httpx2.AsyncClient(headers=headers, timeout=60)
        await self.call()

    async def call(self) -> Any:
        response = await self.http.get(self.base_url + "/user_account")
        response.raise_for_status()
        return response.json()

    async def get(self) -> Any:
        n = self.spec["n"]

        async def work() -> int:
            for _ in range(n):
                await self.call()
            return n

        return work

    async def concurrent(self) -> Any:
        return lambda: gather(self.call, self.spec["n"], self.spec["tasks"])

    async def concurrent_paced(self) -> Any:
        async def paced_call() -> Any:
            if (wait := pacing.wait()) > 0:
                await asyncio.sleep(wait)
            return await self.call()

        pacing = Pacing()
        return lambda: gather(paced_call, self.spec["n"], self.spec["tasks"])


class Requests(RawHttpx2):
    """``requests.Session`` with its headers set once."""

    def __init__(self, spec: Spec) -> None:
        Client.__init__(self, spec)
        import requests

        self.http = requests.Session()  # type: ignore[assignment]
        self.http.headers.update(
            {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        )
        self.call("GET", "/user_account")

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, self.base_url + path, timeout=60, **kwargs)
        response.raise_for_status()
        return response.json()


# -- the official SDK (pinterest-api-sdk): its models, and the generated client under them ----


class Official(Client):
    """The SDK's high-level models (``Board``, ``Pin``, ``Conversion``). It takes its host from
    ``PINTEREST_API_URI``, which the runner sets before the first import."""

    def __init__(self, spec: Spec) -> None:
        super().__init__(spec)
        from pinterest.client import PinterestSDKClient

        self.client = PinterestSDKClient.create_client_with_token(self.token)

    def get(self) -> Work:
        raise Unsupported("no user-account model (only the generated client has the call)")

    def page_typed(self) -> Work:
        from pinterest.organic.boards import Board

        board_id, size = self.spec["board_id"], self.spec["page_size"]
        Board(board_id, client=self.client).list_pins(page_size=1)

        def work() -> int:
            pins, bookmark = Board(board_id, client=self.client).list_pins(page_size=size)
            count = consume(pins)
            while bookmark is not None:
                pins, bookmark = bookmark.get_next()
                count += consume(pins)
            return count

        return work

    def create(self) -> Work:
        from pinterest.organic.boards import Board

        n = self.spec["n"]
        Board.create(name=self.name(-1), client=self.client)

        def work() -> int:
            for i in range(n):
                Board.create(name=self.name(i), client=self.client)  # a POST, then a GET
            return n

        return work

    def conversions(self) -> Work:
        from pinterest.ads.conversion_events import Conversion

        account, hashed = self.spec["ad_account_id"], Hashed(self.spec["n"])

        def send(batch: list[dict[str, Any]]) -> int:
            events = [Conversion.create_conversion_event(**event) for event in batch]
            response = Conversion.send_conversion_events(account, events, client=self.client)
            return int(response.num_events_processed)

        send([hashed.event(0)])
        return lambda: sum(send(batch) for batch in hashed.batches())


class Generated(Client):
    """The OpenAPI-generated client the SDK is built on (``Pinterest-Generated-Client``)."""

    def __init__(self, spec: Spec) -> None:
        super().__init__(spec)
        from openapi_generated.pinterest_client import ApiClient, Configuration

        self.api = ApiClient(Configuration(host=self.base_url, access_token=self.token))

    def get(self) -> Work:
        from openapi_generated.pinterest_client.api.user_account_api import UserAccountApi

        get, n = UserAccountApi(self.api).user_account_get, self.spec["n"]
        get()

        def work() -> int:
            for _ in range(n):
                get()
            return n

        return work

    def _pages(self, **options: Any) -> Callable[[], Iterator[tuple[list[Any], str | None]]]:
        from openapi_generated.pinterest_client.api.boards_api import BoardsApi

        list_pins = BoardsApi(self.api).boards_list_pins
        board_id, size = self.spec["board_id"], self.spec["page_size"]
        raw = options.get("_preload_content") is False

        def page(**params: Any) -> tuple[list[Any], str | None]:
            answer = list_pins(board_id, **params, **options)
            if raw:
                body = json.loads(answer.data)
                return body["items"], body.get("bookmark")
            return answer["items"], answer.get("bookmark")

        def pages() -> Iterator[tuple[list[Any], str | None]]:
            items, bookmark = page(page_size=size)
            yield items, bookmark
            while bookmark:
                items, bookmark = page(page_size=size, bookmark=bookmark)
                yield items, bookmark

        next(iter(pages()))
        return pages

    def page_typed(self) -> Work:
        pages = self._pages()
        return lambda: sum(consume(items) for items, _ in pages())

    def page_dicts(self) -> Work:
        pages = self._pages(_preload_content=False)
        return lambda: sum(consume(items) for items, _ in pages())

    def create(self) -> Work:
        from openapi_generated.pinterest_client.api.boards_api import BoardsApi
        from openapi_generated.pinterest_client.model.board import Board

        create, n = BoardsApi(self.api).boards_create, self.spec["n"]
        create(Board(name=self.name(-1)))

        def work() -> int:
            for i in range(n):
                create(Board(name=self.name(i)))
            return n

        return work

    def conversions(self) -> Work:
        from openapi_generated.pinterest_client.api.conversion_events_api import (
            ConversionEventsApi,
        )
        from openapi_generated.pinterest_client.model.conversion_events import ConversionEvents
        from openapi_generated.pinterest_client.model.conversion_events_custom_data import (
            ConversionEventsCustomData,
        )
        from openapi_generated.pinterest_client.model.conversion_events_data import (
            ConversionEventsData,
        )
        from openapi_generated.pinterest_client.model.conversion_events_user_data import (
            ConversionEventsUserData,
        )

        create = ConversionEventsApi(self.api).events_create
        account, hashed = self.spec["ad_account_id"], Hashed(self.spec["n"])

        def model(event: dict[str, Any]) -> Any:
            return ConversionEventsData(
                **{k: v for k, v in event.items() if k not in ("user_data", "custom_data")},
                user_data=ConversionEventsUserData(**event["user_data"]),
                custom_data=ConversionEventsCustomData(**event["custom_data"]),
            )

        def send(batch: list[dict[str, Any]]) -> int:
            body = ConversionEvents(data=[model(event) for event in batch])
            return int(create(account, body).num_events_processed)

        send([hashed.event(0)])
        return lambda: sum(send(batch) for batch in hashed.batches())


# -- python-pinterest (sns-sdks): typed or JSON answers, sync and async -------------------------


def sns_api(cls: Any, spec: Spec) -> Any:
    """An sns ``Api``/``AsyncApi`` pointed at the emulator (its URL is a class constant)."""
    api = cls(access_token=spec["token"], timeout=60)
    api.DEFAULT_API_URL = spec["base_url"] + "/"  # the instance attribute shadows the constant
    return api


class Sns(Client):
    """python-pinterest's ``Api``."""

    def __init__(self, spec: Spec) -> None:
        super().__init__(spec)
        from pinterest import Api

        self.api = sns_api(Api, spec)
        self.api.user_account.get()

    def get(self) -> Work:
        get, n = self.api.user_account.get, self.spec["n"]

        def work() -> int:
            for _ in range(n):
                get()
            return n

        return work

    def _paging(self, return_json: bool) -> Work:
        list_pins, board_id = self.api.boards.list_pins, self.spec["board_id"]
        size = self.spec["page_size"]
        list_pins(board_id, page_size=1, return_json=return_json)

        def work() -> int:
            page = list_pins(board_id, page_size=size, return_json=return_json)
            count = 0
            while True:
                items, bookmark = (
                    (page["items"], page.get("bookmark"))
                    if return_json
                    else (page.items, page.bookmark)
                )
                count += consume(items)
                if not bookmark:
                    return count
                page = list_pins(
                    board_id, page_size=size, bookmark=bookmark, return_json=return_json
                )

        return work

    def page_typed(self) -> Work:
        return self._paging(return_json=False)

    def page_dicts(self) -> Work:
        return self._paging(return_json=True)

    def create(self) -> Work:
        create, n = self.api.boards.create, self.spec["n"]
        create(name=self.name(-1))

        def work() -> int:
            for i in range(n):
                create(name=self.name(i))
            return n

        return work

    def conversions(self) -> Work:
        # No conversions call: its generic request() is the only way.
        path = f"ad_accounts/{self.spec['ad_account_id']}/events"
        hashed = Hashed(self.spec["n"])

        def send(batch: list[dict[str, Any]]) -> int:
            response = self.api.request("POST", path, json={"data": batch})
            return int(self.api.parse_response(response)["num_events_processed"])

        send([hashed.event(0)])
        return lambda: sum(send(batch) for batch in hashed.batches())


class SnsAsync(Client):
    """python-pinterest's ``AsyncApi``."""

    asynchronous = True

    async def open(self) -> None:
        from pinterest import AsyncApi

        self.api = sns_api(AsyncApi, self.spec)
        await self.api.user_account.get()

    async def get(self) -> Any:
        get, n = self.api.user_account.get, self.spec["n"]

        async def work() -> int:
            for _ in range(n):
                await get()
            return n

        return work

    async def concurrent(self) -> Any:
        return lambda: gather(self.api.user_account.get, self.spec["n"], self.spec["tasks"])


CLIENTS: dict[str, type[Client]] = {
    "pinkit": Pinkit,
    "pinkit-async": PinkitAsync,
    "httpx2": RawHttpx2,
    "httpx2-async": RawHttpx2Async,
    "requests": Requests,
    "official-sdk": Official,
    "generated": Generated,
    "sns": Sns,
    "sns-async": SnsAsync,
}


def measure(work: Work) -> dict[str, float]:
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    count = work()
    return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall, "count": count}


async def measure_async(client: Any, workload: str) -> dict[str, float]:
    await client.open()
    work = await client.prepare(workload)
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    count = await work()
    return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall, "count": count}


def main() -> None:
    spec: Spec = json.loads(sys.argv[1])
    cls = CLIENTS[spec["client"]]
    try:
        if cls.asynchronous:
            result = asyncio.run(measure_async(cls(spec), spec["workload"]))
        else:
            result = measure(cls(spec).prepare(spec["workload"]))
    except Unsupported as reason:
        print(json.dumps({"unsupported": str(reason)}))
        return
    result["rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
