"""The client refuses input that breaks the spec's limits for the operation it is about to call,
before any request (the emulator over HTTP records none)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import pinkit
from pinkit._base import Authorization
from pinkit._redact import Secret
from pinkit.emulator import Emulator

IMAGE = pinkit.ImageURL("https://example.com/a.jpg")

Call = Callable[[pinkit.Client], Any]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.boards.sections.create("1", "x" * 181),
            "name is 181 characters; Pinterest allows at most 180",
        ),
        (
            lambda c: c.boards.sections.update("1", "2", "x" * 181),
            "name is 181 characters; Pinterest allows at most 180",
        ),
        (lambda c: c.boards.sections.create("1", "  "), "name must not be empty"),
        (lambda c: c.pins.create("1", IMAGE, title="x" * 101), "title is 101 characters"),
        (lambda c: c.pins.update("1", alt_text="x" * 501), "alt_text is 501 characters"),
        (lambda c: c.pins.update("1", link="https://e.x/" + "a" * 2048), "at most 2048"),
        (lambda c: c.pins.update("1", title=5), "title must be a string"),
        (lambda c: c.pins.save("1", "12a"), "board_id must be a string of digits"),
        (
            lambda c: c.pins.create("1", IMAGE, parent_pin_id="1\n"),
            "parent_pin_id must be a string of digits, got '1\\n'",
        ),
        (
            lambda c: c.pins.create("1", {"source_type": "multiple_image_urls", "items": []}),
            "media_source.items must have at least 2 items",
        ),
        (lambda c: c.pins.create("1", {"source_type": "hologram"}), "media_source.source_type"),
        (lambda c: c.boards.create("x", is_ads_only="yes"), "is_ads_only must be true or false"),
        (lambda c: c.boards.create("x", privacy="hidden"), "privacy must be one of"),
        (lambda c: c.boards.update("1", privacy="protected"), "one of PUBLIC, SECRET"),
        (lambda c: list(c.boards.list(privacy="odd")), "privacy must be one of ALL"),
    ],
)
def test_refused_before_any_request(pinkit_emulator: Emulator, call: Call, message: str) -> None:
    with pinkit_emulator.client() as client, pytest.raises(pinkit.InvalidInputError) as exc:
        call(client)
    assert message in str(exc.value)
    assert pinkit_emulator.requests == []


def test_what_the_spec_allows_goes_through(pinkit_emulator: Emulator) -> None:
    with pinkit_emulator.client() as client:
        board = client.boards.create("x" * 181)  # a board's name has no limit in the spec
        assert board.id
        section = client.boards.sections.create(board.id, "y" * 180)
        assert section.name == "y" * 180
        assert list(client.boards.list(privacy="public_and_secret"))
    assert [r.status for r in pinkit_emulator.requests] == [201, 201, 200]


@pytest.mark.parametrize("bad", ["\u0661\u0662\u0663", "\uff11\uff12", "123\n", "", "12a", 12])
def test_ids_are_ascii_digits(pinkit_emulator: Emulator, bad: Any) -> None:
    with pinkit_emulator.client() as client:
        for call in (
            lambda: client.boards.get(bad),
            lambda: client.pins.get(bad),
            lambda: client.pins.create(bad, IMAGE),
            lambda: client.boards.sections.list(bad),
            lambda: client.media.get(bad),
            lambda: pinkit.VideoID(bad, cover_image_key_frame_time=0),
        ):
            with pytest.raises(pinkit.InvalidInputError, match="digits"):
                call()
    assert pinkit_emulator.requests == []


def test_carousel_and_cover_limits_come_from_the_spec() -> None:
    urls = [f"https://example.com/{n}.jpg" for n in range(6)]
    assert pinkit.ImageURLs(urls[:2]) and pinkit.ImageURLs(urls[:5])
    for count in (1, 6):
        with pytest.raises(pinkit.InvalidInputError, match="2 to 5 images"):
            pinkit.ImageURLs(urls[:count])
    with pytest.raises(pinkit.InvalidInputError, match=">= 0 seconds"):
        pinkit.VideoID("1", cover_image_key_frame_time=-1)


# Digits to Python's str.isdigit and \d, but not IDs: Arabic-Indic, fullwidth, a trailing
# newline (which \d+$ lets through), and other near misses.
NOT_IDS = ["\u0661\u0662\u0663", "\uff11\uff12", "123\n", "1\u00b2", " 12", "12 ", "", "-1", "1.0"]

ID_CALLS: list[tuple[str, Call]] = [
    ("boards.get", lambda c, v: c.boards.get(v)),
    ("boards.update", lambda c, v: c.boards.update(v, name="x")),
    ("boards.delete", lambda c, v: c.boards.delete(v)),
    ("boards.list_pins", lambda c, v: list(c.boards.list_pins(v))),
    ("sections.list", lambda c, v: list(c.boards.sections.list(v))),
    ("sections.create", lambda c, v: c.boards.sections.create(v, "x")),
    ("sections.update board", lambda c, v: c.boards.sections.update(v, "1", "x")),
    ("sections.update section", lambda c, v: c.boards.sections.update("1", v, "x")),
    ("sections.delete", lambda c, v: c.boards.sections.delete("1", v)),
    ("sections.list_pins", lambda c, v: list(c.boards.sections.list_pins("1", v))),
    ("pins.get", lambda c, v: c.pins.get(v)),
    ("pins.update", lambda c, v: c.pins.update(v, title="x")),
    ("pins.delete", lambda c, v: c.pins.delete(v)),
    ("pins.save pin", lambda c, v: c.pins.save(v, "1")),
    ("pins.save board", lambda c, v: c.pins.save("1", v)),
    ("pins.create board", lambda c, v: c.pins.create(v, IMAGE)),
    ("pins.create section", lambda c, v: c.pins.create("1", IMAGE, board_section_id=v)),
    ("pins.create_video", lambda c, v: c.pins.create_video(v, "clip.mp4")),
    ("media.get", lambda c, v: c.media.get(v)),
    ("media.wait", lambda c, v: c.media.wait(v)),
    ("video id", lambda c, v: pinkit.VideoID(v, cover_image_key_frame_time=0)),
    ("user_account.get", lambda c, v: c.user_account.get(ad_account_id=v)),
    # An empty ad_account_id means none (the environment's, if set): a newline is no ID.
    ("client ad_account_id", lambda c, v: pinkit.Client("pina_x", ad_account_id=v or "\n")),
]


@pytest.fixture(scope="module")
def shared_client() -> Iterator[tuple[Emulator, pinkit.Client]]:
    with Emulator() as emulator, emulator.client() as client:
        yield emulator, client


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize(("name", "call"), ID_CALLS, ids=[name for name, _ in ID_CALLS])
def test_every_id_is_ascii_digits(
    shared_client: tuple[Emulator, pinkit.Client],
    name: str,
    call: Callable[[pinkit.Client, str], Any],
    value: str,
) -> None:
    emulator, client = shared_client
    emulator.clear_requests()
    with pytest.raises(pinkit.InvalidInputError) as exc:
        call(client, value)
    assert "digits" in str(exc.value)
    assert emulator.requests == []


def test_a_token_no_header_may_carry_is_refused(pinkit_emulator: Emulator) -> None:
    with pinkit.Client("pina_two words", base_url=pinkit_emulator.base_url) as client:
        with pytest.raises(pinkit.InvalidInputError, match="no HTTP header may carry"):
            client.user_account.get()
    assert pinkit_emulator.requests == []


def test_each_token_is_checked_once_and_a_rotated_one_anew() -> None:
    authorization = Authorization()
    assert authorization.value(Secret("pina_first")) == "Bearer pina_first"
    assert authorization.value(Secret("pina_first")) == "Bearer pina_first"
    with pytest.raises(pinkit.InvalidInputError):
        authorization.value(Secret("pina_second\r\nX-Evil: 1"))
    assert authorization.value(Secret("pina_third")) == "Bearer pina_third"
    assert "pina_third" not in repr(authorization)
