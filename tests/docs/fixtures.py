"""What ``<!-- example: needs=NAME,... -->`` gives an example before it runs.

Each fixture adds the names a reader would already have at that point of a page (``board``,
``pin``...) to the example's namespace and, for shell examples, environment variables
(``$BOARD_ID``...). They are made as a user would make them: through ``pinkit.Client()`` on the
example's environment (the emulator, through ``PINTEREST_*``), or, for what only Pinterest's
web site makes (a consent, a conversion token), through the emulator's controls.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pinkit
from pinkit.emulator import Emulator

#: A file with an ISO-BMFF header (``ftyp`` at byte 4): a video as pinkit and Pinterest see it.
VIDEO_BYTES = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(4096)
#: The smallest PNG: signature, IHDR (1x1, RGBA), IDAT, IEND.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e527de940000000049454e44ae426082"
)


@dataclass
class Setup:
    """One example's world: the emulator, and what the example sees."""

    emulator: Emulator
    namespace: dict[str, Any]
    env: dict[str, str]
    cwd: Path
    _client: pinkit.Client | None = field(default=None, repr=False)

    def client(self) -> pinkit.Client:
        """A client made the way the examples make theirs (the environment is set)."""
        if self._client is None:
            self._client = pinkit.Client()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


Fixture = Callable[[Setup], None]
FIXTURES: dict[str, Fixture] = {}


def fixture(fn: Fixture) -> Fixture:
    FIXTURES[fn.__name__] = fn
    return fn


@fixture
def board(setup: Setup) -> None:
    """``board``: a PUBLIC board of the user ("Recipes"); ``$BOARD_ID``."""
    made = setup.client().boards.create("Recipes", description="Weeknight dinners")
    setup.namespace["board"] = made
    setup.env["BOARD_ID"] = made.id


@fixture
def pin(setup: Setup) -> None:
    """``board`` and ``pin`` (an image pin on it); ``$BOARD_ID``, ``$PIN_ID``."""
    if "board" not in setup.namespace:
        board(setup)
    made = setup.client().pins.create(
        setup.namespace["board"].id,
        pinkit.ImageURL("https://example.com/carbonara.jpg"),
        title="Carbonara",
    )
    setup.namespace["pin"] = made
    setup.env["PIN_ID"] = made.id


@fixture
def campaign(setup: Setup) -> None:
    """``campaign``, ``ad_group`` and ``ad``: ``pin`` (made if missing) promoted 30 days ago
    with USD 20.00 a day, so they have 30 days of metrics; ``$CAMPAIGN_ID``, ``$AD_GROUP_ID``,
    ``$AD_ID``."""
    if "pin" not in setup.namespace:
        pin(setup)
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)
    promoted = setup.client().ads.promote_pin(
        pin_id=setup.namespace["pin"].id, daily_budget="20.00", start_time=start
    )
    assert isinstance(promoted, pinkit.PromotedPin)
    for name in ("campaign", "ad_group", "ad"):
        entity = getattr(promoted, name)
        setup.namespace[name] = entity
        setup.env[f"{name.upper()}_ID"] = entity.id


@fixture
def video(setup: Setup) -> None:
    """``clip.mp4`` and ``launch.mp4`` in the working directory."""
    for name in ("clip.mp4", "launch.mp4"):
        (setup.cwd / name).write_bytes(VIDEO_BYTES)


@fixture
def image(setup: Setup) -> None:
    """``photo.png`` in the working directory."""
    (setup.cwd / "photo.png").write_bytes(PNG_BYTES)


@fixture
def consent(setup: Setup) -> None:
    """``redirect_url``: where Pinterest sends the browser once the user approved the
    consent page at ``url`` (the name the previous example made)."""
    setup.namespace["redirect_url"] = setup.emulator.authorize(setup.namespace["url"])


@fixture
def conversion_token(setup: Setup) -> None:
    """``PINTEREST_ACCESS_TOKEN`` is a conversion access token, as Ads Manager makes them."""
    setup.env["PINTEREST_ACCESS_TOKEN"] = setup.emulator.issue_conversion_token()
    setup.env.pop("PINTEREST_REFRESH_TOKEN", None)


@fixture
def orders(setup: Setup) -> None:
    """``orders.jsonl`` in the working directory: checkout events, one JSON object a line."""
    now = int(dt.datetime.now(dt.timezone.utc).timestamp())
    with (setup.cwd / "orders.jsonl").open("w", encoding="utf-8") as out:
        for i in range(250):
            event = {
                "event_name": "checkout",
                "action_source": "web",
                "event_time": now - 60 * i,
                "event_id": f"order-{i}",
                "user_data": {"em": f"buyer{i}@example.com"},
                "custom_data": {"currency": "USD", "value": "19.99", "order_id": f"order-{i}"},
            }
            out.write(json.dumps(event) + "\n")


@fixture
def customers(setup: Setup) -> None:
    """``customers.csv`` (name, email) and ``customers.txt`` (one address a line): 500
    customers, as an advertiser's export would give them."""
    people = [(f"Customer {i}", f"Customer.{i}@Example.com") for i in range(500)]
    rows = ["name,email"] + [f"{name},{email}" for name, email in people]
    (setup.cwd / "customers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = [email for _, email in people]
    (setup.cwd / "customers.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@fixture
def publish_csv(setup: Setup) -> None:
    """``spring.csv``: three image pins for ``board`` (made if missing)."""
    if "board" not in setup.namespace:
        board(setup)
    board_id = setup.namespace["board"].id
    rows = ["board,title,image_url"] + [
        f"{board_id},Spring idea {i},https://example.com/spring-{i}.jpg" for i in range(1, 4)
    ]
    (setup.cwd / "spring.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


@fixture
def spark(setup: Setup) -> None:
    """``spark``: the test run's local SparkSession (tests/_spark.py: started once, its Python
    workers on this interpreter), and ``$REDIS_URL``: a real Redis, emptied."""
    from tests._spark import shared_redis_url, spark_session

    setup.namespace["spark"] = spark_session()
    setup.env["REDIS_URL"] = shared_redis_url()
