"""Speed of the spec's compiled validators (``pinkit._constraints``): a typical pins/create
body, a 1,000-event conversion batch and a list query, in CPU time (best of ``--repeat``).

Usage: python bench/validation.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import time
import timeit
from collections.abc import Callable
from typing import Any

from pinkit._constraints import check_body, check_params

PIN = {
    "board_id": "1234567890123",
    "title": "Weeknight pasta",
    "description": "A quick dinner for two. " * 8,
    "link": "https://example.com/recipes/pasta",
    "alt_text": "A bowl of pasta",
    "media_source": {"source_type": "image_url", "url": "https://example.com/images/pasta.jpg"},
}
EVENT: dict[str, Any] = {
    "event_name": "checkout",
    "action_source": "web",
    "event_time": 1_700_000_000,
    "event_id": "e-123",
    "event_source_url": "https://example.com/checkout",
    "opt_out": False,
    "partner_name": "ss-partner",
    "user_data": {
        "em": ["411e44ce1261728ffd2c0686e44e3fffe413c0e2c5adc498bc7da883d476b9c8"],
        "client_ip_address": "216.3.128.12",
        "client_user_agent": "Mozilla/5.0",
    },
    "custom_data": {
        "currency": "USD",
        "value": "72.39",
        "content_ids": ["red-pan"],
        "num_items": 2,
        "order_id": "my_order_id",
        "contents": [{"item_price": "1325.12", "quantity": 6}],
    },
    "language": "en",
}
EVENTS = {"data": [EVENT] * 1000}
QUERY = {"page_size": ["100"], "privacy": ["PUBLIC_AND_SECRET"], "ad_account_id": ["123"]}


def rate(func: Callable[[], object], number: int, repeat: int) -> float:
    best = min(timeit.repeat(func, number=number, repeat=repeat, timer=time.process_time))
    return number / best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    assert check_body("pins/create", PIN) == []
    assert check_body("events/create", EVENTS) == []
    assert check_params("boards/list", {}, QUERY) == []
    pins = rate(lambda: check_body("pins/create", PIN), 20_000, repeat)
    events = rate(lambda: check_body("events/create", EVENTS), 20, repeat) * 1000
    params = rate(lambda: check_params("boards/list", {}, QUERY), 20_000, repeat)
    print(f"check_body pins/create       {pins:12,.0f} bodies/s")
    print(f"check_body events/create     {events:12,.0f} events/s (1,000 a batch)")
    print(f"check_params boards/list     {params:12,.0f} queries/s")


if __name__ == "__main__":
    main()
