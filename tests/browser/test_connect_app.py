"""The example app (examples/connect_app) in Chromium: two local users in two browser contexts
connect their own Pinterest accounts on the emulator's consent page, a forged or someone
else's state is refused, Deny is explained, disconnecting revokes, and the checkout page's
Pinterest tag carries the event id the server sent.

One app (two uvicorn workers, SQLite) and one emulator serve the whole module; each test has
users of its own. The browser reaches no outside host: the tag's hosts are routed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

import pinkit
from pinkit.emulator import Emulator
from pinkit.web import Connections
from tests.example_app import ExampleApp
from tests.spec import load_spec, response_problems

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Route

# A stand-in for https://s.pinimg.com/ct/core.js: it plays the queue the base code left, and
# sends each event as the tag does, an image request to ct.pinterest.com/v3/.
STAND_IN_TAG = """(function () {
  var tid = null;
  function fire(name, data) {
    var q = new URLSearchParams({event: name, tid: tid});
    Object.keys(data || {}).forEach(function (k) { q.append('ed[' + k + ']', data[k]); });
    new Image().src = 'https://ct.pinterest.com/v3/?' + q.toString();
  }
  function handle(a) {
    if (a[0] === 'load') { tid = a[1]; }
    else if (a[0] === 'page') { fire('pagevisit', {}); }
    else if (a[0] === 'track') { fire(a[1], a[2]); }
  }
  (window.pintrk.queue || []).forEach(handle);
  window.pintrk = function () { handle(Array.prototype.slice.call(arguments)); };
})();"""
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """One emulator for the module, every answer checked against the spec at the end."""
    with Emulator() as emulator:
        yield emulator
        spec = load_spec()
        if spec is not None:
            problems = [p for r in emulator.requests for p in response_problems(spec, r)]
            assert not problems, "responses that do not match the spec:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def shop(emu: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExampleApp]:
    folder = tmp_path_factory.mktemp("connect-app")
    app = ExampleApp.start(emu, folder, database_url=f"sqlite:///{folder / 'tokens.db'}")
    yield app
    app.stop()


@pytest.fixture
def contexts(chromium: Browser) -> Iterator[list[BrowserContext]]:
    """Two browsers, in effect: contexts share no cookies."""
    made = [chromium.new_context(), chromium.new_context()]
    for context in made:
        context.set_default_timeout(10_000)
    yield made
    for context in made:
        context.close()


def sign_in(context: BrowserContext, shop: ExampleApp, name: str) -> Page:
    page = context.new_page()
    page.goto(shop.url)
    page.fill("#username", name)
    page.click("#signin")
    assert page.inner_text("#user") == f"Signed in as {name}"
    return page


def pinterest_as(context: BrowserContext, emu: Emulator, user_id: str) -> None:
    """This browser is signed in to (the emulator's) Pinterest as ``user_id``."""
    context.add_cookies([{"name": "pinkit_emulator_user", "value": user_id, "url": emu.origin}])


def to_consent(page: Page, emu: Emulator) -> str:
    page.click("#connect")
    page.wait_for_url(f"{emu.authorize_url}**")
    return page.url


def approve(page: Page, shop: ExampleApp) -> None:
    page.click("#approve")
    page.wait_for_url(f"{shop.url}/boards")


def boards_on(page: Page) -> list[str]:
    return [re.sub(r" \(\d+ pins\)$", "", b) for b in page.locator(".board").all_inner_texts()]


def board_for(emu: Emulator, name: str, user_id: str | None = None) -> str:
    token = emu.issue_token(user_id=user_id).access_token
    with emu.client(access_token=token) as client:
        board = client.boards.create(name)
    assert board.id is not None
    return board.id


def test_two_users_connect_and_each_sees_only_their_boards(
    emu: Emulator, shop: ExampleApp, contexts: list[BrowserContext]
) -> None:
    bob_pinterest = emu.create_user("bob_pins")
    alice_board = board_for(emu, "Alice's garden")
    board_for(emu, "Bob's bikes", bob_pinterest)
    alice, bob = (sign_in(c, shop, n) for c, n in zip(contexts, ("alice", "bob"), strict=True))

    to_consent(alice, emu)
    assert alice.inner_text("#username") == "emulator_user"
    approve(alice, shop)

    to_consent(bob, emu)
    assert bob.inner_text("#username") == "emulator_user"  # this browser's Pinterest user...
    bob.fill("#signin-username", "bob_pins")  # ...is not Bob: "Not you?"
    bob.click("#signin-submit")
    assert bob.inner_text("#username") == "bob_pins"
    approve(bob, shop)

    assert boards_on(alice) == ["Alice's garden"]
    assert boards_on(bob) == ["Bob's bikes"]

    # a pin from the form, onto Alice's board
    alice.select_option("#pin-board", alice_board)
    alice.fill("#pin-image", "https://images.example.com/tulips.jpg")
    alice.fill("#pin-title", "Tulips")
    alice.click("#create-pin")
    assert re.fullmatch(r"Pin \d+ created\.", alice.inner_text("#notice"))
    assert alice.locator(".board").all_inner_texts() == ["Alice's garden (1 pins)"]
    bob.reload()
    assert bob.locator(".board").all_inner_texts() == ["Bob's bikes (0 pins)"]
    created = [r for r in emu.requests if r.operation_id == "pins/create"]
    assert len(created) == 1 and created[0].status == 201


def test_a_forged_state_and_another_users_state_are_refused(
    emu: Emulator, shop: ExampleApp, contexts: list[BrowserContext]
) -> None:
    carol, dave = (sign_in(c, shop, n) for c, n in zip(contexts, ("carol", "dave"), strict=True))
    exchanged = sum(r.operation_id == "oauth/token" for r in emu.requests)

    carol.goto(f"{shop.url}/pinterest/callback?code=stolen&state=forged-state")
    assert carol.inner_text("#message") == (
        "This Pinterest sign-in cannot be used here: unknown or already used login state: start "
        "the login again. Nothing was connected."
    )
    # Dave's own login, approved: its callback URL, carried into Carol's session
    dave_callback = emu.authorize(to_consent(dave, emu))
    response = carol.goto(dave_callback)
    assert response is not None and response.status == 400
    assert "this login was started by another user" in carol.inner_text("#message")
    assert sum(r.operation_id == "oauth/token" for r in emu.requests) == exchanged  # no code used
    carol.goto(f"{shop.url}/boards")
    assert "Connect your Pinterest account" in carol.inner_text("#reason")

    dave.goto(dave_callback)  # still good for Dave, once
    assert dave.url == f"{shop.url}/boards"
    dave.goto(dave_callback)
    assert "unknown or already used login state" in dave.inner_text("#message")


def test_deny_on_the_consent_page_is_explained(
    emu: Emulator, shop: ExampleApp, contexts: list[BrowserContext]
) -> None:
    erin = sign_in(contexts[0], shop, "erin")
    to_consent(erin, emu)
    erin.click("#deny")
    erin.wait_for_url(f"{shop.url}/pinterest/callback**")
    assert erin.inner_text("h1") == "Pinterest not connected"
    assert erin.inner_text("#message") == (
        "You declined to connect your Pinterest account, so nothing was shared with this app. "
        "You can connect it whenever you like."
    )
    assert erin.locator("#connect").inner_text() == "Try again"
    erin.goto(shop.url)
    assert erin.inner_text("#status") == "Pinterest is not connected."


def test_disconnect_revokes_and_the_boards_page_asks_to_connect_again(
    emu: Emulator, shop: ExampleApp, contexts: list[BrowserContext]
) -> None:
    pinterest_as(contexts[0], emu, emu.create_user("frank_pins"))
    frank = sign_in(contexts[0], shop, "frank")
    to_consent(frank, emu)
    approve(frank, shop)
    oauth_app = pinkit.OAuthApp(
        shop.client_id,
        shop.env["PINTEREST_CLIENT_SECRET"],
        f"{shop.url}/pinterest/callback",
        api_base_url=emu.base_url,
    )
    with Connections(
        shop.env["CONNECT_APP_DATABASE_URL"],
        oauth_app,
        encryption_keys=shop.env["PINKIT_TOKEN_KEYS"],
    ) as conns:
        tokens = conns.token_store("frank").load()

        frank.goto(shop.url)
        frank.click("#disconnect")
        assert frank.inner_text("#notice") == (
            "Disconnected: Pinterest revoked the app's access, and its tokens are gone."
        )
        assert not conns.status("frank").connected
    frank.goto(f"{shop.url}/boards")
    assert frank.inner_text("h1") == "Connect Pinterest"
    assert frank.locator("#connect").is_visible()

    revokes = [r for r in emu.requests if r.operation_id == "token/revoke"]
    assert len(revokes) == 2 and all(r.status == 200 for r in revokes)
    with emu.client(access_token=tokens.access_token, max_retries=0) as client:
        with pytest.raises(pinkit.AuthenticationError):
            client.user_account.get()
    with pytest.raises(pinkit.OAuthError):
        oauth_app.refresh(tokens.refresh_token or "")


def test_the_checkout_tag_carries_the_event_id_the_server_sent(
    emu: Emulator, shop: ExampleApp, contexts: list[BrowserContext]
) -> None:
    grace_pinterest = emu.create_user("grace_pins")
    account = emu.create_ad_account(owner=grace_pinterest)
    context = contexts[0]
    pixels: list[str] = []

    def tag_script(route: Route) -> None:
        route.fulfill(status=200, content_type="application/javascript", body=STAND_IN_TAG)

    def pixel(route: Route) -> None:
        pixels.append(route.request.url)
        route.fulfill(status=200, content_type="image/gif", body=PIXEL)

    context.route("https://s.pinimg.com/ct/core.js", tag_script)
    context.route("https://ct.pinterest.com/**", pixel)
    pinterest_as(context, emu, grace_pinterest)
    grace = sign_in(context, shop, "grace")
    to_consent(grace, emu)
    approve(grace, shop)

    grace.goto(f"{shop.url}/shop?epik=dj0yJnU9ZXBpay1vZi1ncmFjZQ")  # she came from an ad
    assert grace.inner_text("#click-id").endswith("dj0yJnU9ZXBpay1vZi1ncmFjZQ")
    grace.click("#to-checkout")
    grace.fill("#email", "Grace@Example.com")
    grace.fill("#value", "42.50")
    with grace.expect_request(lambda r: "event=checkout" in r.url):
        grace.click("#place-order")
    event_id = grace.inner_text("#event-id")
    assert grace.inner_text("#server-event") == (
        f"Server event for ad account {account}: 1 of 1 events processed."
    )

    checkout = [parse_qs(urlsplit(u).query) for u in pixels if "event=checkout" in u]
    assert len(checkout) == 1
    assert checkout[0]["ed[event_id]"] == [event_id]
    assert checkout[0]["tid"] == [shop.env.get("CONNECT_APP_TAG_ID", "2612345678901")]
    assert checkout[0]["ed[order_id]"] == [grace.inner_text("#order-id")]
    events = emu.conversion_events(account)
    assert len(events) == 1  # the emulator counts one event: the server's
    assert events[0]["event_id"] == event_id
    assert events[0]["user_data"]["click_id"] == "dj0yJnU9ZXBpay1vZi1ncmFjZQ"
    assert events[0]["custom_data"]["value"] == "42.50"


def test_the_app_log_shows_no_token(emu: Emulator, shop: ExampleApp, chromium: Browser) -> None:
    """After the module's logins, refreshes and disconnects, nothing secret was written out."""
    text = shop.text()
    assert "Traceback" not in text
    assert not re.search(r"pin[arc]_[A-Za-z0-9]", text)
    assert shop.env["PINTEREST_CLIENT_SECRET"] not in text
    assert Path(shop.env["CONNECT_APP_DATABASE_URL"].removeprefix("sqlite:///")).exists()
