"""Pins: created from every ``media_source`` type, read, listed, moved between boards and
sections, deleted, saved; the images pins were created from.

A pin is a ``pin`` document owned by its board's owner, with ``board`` and ``board_section``
references (indexed, not JSON), so board and section pin lists are keyset range scans and moving
a pin or deleting a section rewrites no JSON. ``board_id`` and ``board_section_id`` are rendered
from those references. Who may see a pin is who may see its board.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from ..._common import CODE_INVALID, invalid, is_numeric_id, iso
from ..._errors import ApiError
from ..._params import Listing
from ..._registry import Rules
from ..._store import ID_BASE, Doc
from ..boards.rules import CODE_NOT_PERMITTED, NOT_PERMITTED, BoardRules
from ..media.rules import MediaRules
from ..user_account.rules import UserRules

__all__ = ["IMAGE", "PIN", "PinRules", "image_sizes"]

PIN, IMAGE = "pin", "image"
IMAGES_PATH = "/_emulator/images/"
CODE_PIN_NOT_FOUND = 50
INVALID_URL = (
    "Whoops! It looks like you entered an invalid URL. Try creating a Pin again with a valid URL."
)
CONTENT_TYPES = {"image/jpeg": (b"\xff\xd8\xff", "jpg"), "image/png": (b"\x89PNG\r\n\x1a\n", "png")}
#: What a saved pin copies from the pin it saves.
CONTENT_FIELDS = (
    "title",
    "description",
    "link",
    "alt_text",
    "dominant_color",
    "creative_type",
    "media",
    "is_standard",
)
TEXT_FIELDS = ("title", "description", "alt_text", "link")
#: A 1x1 PNG: the "scraped" image of a pin_url pin, and a video's key frame.
_PLACEHOLDER_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def image_sizes(url: str) -> dict[str, Any]:
    """``ImageSize``: every size points at ``url`` (heights of the width-only sizes unknown)."""
    return {
        "150x150": {"width": 150, "height": 150, "url": url},
        "400x300": {"width": 400, "height": 300, "url": url},
        "600x": {"width": 600, "height": None, "url": url},
        "1200x": {"width": 1200, "height": None, "url": url},
    }


def _dominant_color(seed: str) -> str:
    return "#" + hashlib.sha256(seed.encode()).hexdigest()[:6].upper()


def _valid_url(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


def _url(value: Any, field: str) -> str:
    if not _valid_url(value):
        raise ApiError(400, f"{INVALID_URL} ({field})", code=CODE_INVALID)
    return str(value)


def _thumbnail(pin: dict[str, Any]) -> str | None:
    media = pin.get("media") or {}
    images = media.get("images")
    if images is None and media.get("items"):
        images = media["items"][0].get("images")
    url = (images or {}).get("150x150", {}).get("url")
    return None if url is None else str(url)


class PinRules(Rules):
    @property
    def boards(self) -> BoardRules:
        return self.area(BoardRules)

    # -- reading ------------------------------------------------------------------------------
    def visible(self, user_id: str, pin_id: Any, *, write: bool = False) -> tuple[Doc, Doc]:
        """The pin and its board: 404 code 50 if ``user_id`` cannot see it, 403 to write
        someone else's."""
        doc = self.tx.get_doc(PIN, pin_id) if is_numeric_id(pin_id) else None
        board = self.boards.get(doc.ref("board") or "") if doc is not None else None
        if doc is None or board is None or not self.boards.can_read(user_id, board):
            raise ApiError(404, "Pin not found.", code=CODE_PIN_NOT_FOUND)
        if write and doc.owner != user_id:
            raise ApiError(403, NOT_PERMITTED, code=CODE_NOT_PERMITTED)
        return doc, board

    def count_of(self, user_id: str) -> int:
        return self.tx.count(PIN, owner=user_id)

    def board_summary(self, board_id: str) -> dict[str, Any]:
        """What a board's answer says of its pins: the true count and up to 4 thumbnails."""
        thumbnails = [
            _thumbnail(pin.data) for pin in self.tx.list(PIN, where={"board": board_id}, limit=4)
        ]
        urls = [t for t in thumbnails if t]
        return {
            "pin_count": self.tx.count(PIN, where={"board": board_id}),
            "media": {"image_cover_url": urls[0] if urls else None, "pin_thumbnail_urls": urls},
        }

    def view(self, doc: Doc, viewer: str, users: dict[str, str] | None = None) -> dict[str, Any]:
        """A ``Pin`` as ``viewer`` sees it."""
        pin = dict(doc.data)
        pin["board_id"] = doc.ref("board")
        if doc.ref("board_section") is not None:
            pin["board_section_id"] = doc.ref("board_section")
        pin["board_owner"] = {"username": self.area(UserRules).username_of(doc.owner, users)}
        pin["is_owner"] = doc.owner == viewer
        return pin

    def json_renderer(self, viewer: str) -> Callable[[Doc], str]:
        """:meth:`view` as JSON text spliced onto the stored text (no decode, no encode): the
        fields that live in references go in front of the stored object's own fields."""
        owners: dict[str | None, str] = {}  # owner -> its JSON text, computed once per page
        users = self.area(UserRules)

        def render(doc: Doc) -> str:
            owner = owners.get(doc.owner)
            if owner is None:
                name = json.dumps(users.username_of(doc.owner))
                mine = "true" if doc.owner == viewer else "false"
                owner = owners[doc.owner] = (
                    f'"board_owner":{{"username":{name}}},"is_owner":{mine},'
                )
            # IDs are digit strings (no escaping needed); a pin always has a board.
            section = doc.ref("board_section")
            in_section = "" if section is None else f'"board_section_id":"{section}",'
            return f'{{"board_id":"{doc.ref("board")}",{in_section}{owner}{doc.text[1:]}'

        return render

    @staticmethod
    def _creative_filter(creative_types: Sequence[str]) -> Callable[[Doc], bool] | None:
        if not creative_types:
            return None
        wanted = set(creative_types)
        return lambda doc: doc.data.get("creative_type") in wanted

    def on_board(self, board_id: str, creative_types: Sequence[str] = ()) -> Listing:
        return Listing(PIN, where={"board": board_id}, keep=self._creative_filter(creative_types))

    def in_section(self, section_id: str) -> Listing:
        return Listing(PIN, where={"board_section": section_id})

    def of_user(
        self,
        user_id: str,
        *,
        pin_filter: str | None = None,
        include_protected_pins: bool = False,
        pin_type: str | None = None,
        creative_types: Sequence[str] = (),
    ) -> Listing:
        """The user's pins (``pins/list``), with the spec's filters."""
        by_type = self._creative_filter(creative_types)
        privacy: dict[str, str] = {}

        def board_privacy(board_id: str | None) -> str:
            if board_id is None:
                return ""
            if board_id not in privacy:
                board = self.boards.get(board_id)
                privacy[board_id] = str(board.data.get("privacy", "")) if board else ""
            return privacy[board_id]

        def keep(doc: Doc) -> bool:
            if pin_filter == "has_been_promoted" and not doc.data.get("has_been_promoted"):
                return False
            board = board_privacy(doc.ref("board"))
            if board == "PROTECTED" and not include_protected_pins:
                return False
            if pin_type == "PRIVATE" and board != "SECRET":
                return False
            if pin_filter == "exclude_repins" and doc.data.get("parent_pin_id"):
                return False
            if pin_filter == "exclude_native" and not doc.data.get("parent_pin_id"):
                return False
            return by_type is None or by_type(doc)

        return Listing(PIN, owner=user_id, keep=keep)

    # -- writing ------------------------------------------------------------------------------
    def _section_of(self, board: Doc, section_id: Any) -> str | None:
        return None if section_id is None else self.boards.section(board, section_id).id

    def _text_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        """The text fields present in ``body`` (None clears a field); links must be URLs."""
        out = {name: body[name] for name in TEXT_FIELDS if name in body}
        if out.get("link") is not None and not _valid_url(out["link"]):
            raise ApiError(400, INVALID_URL, code=CODE_INVALID)
        return out

    def create(self, user_id: str, body: dict[str, Any]) -> Doc:
        fields = self._text_fields(body)
        if body.get("board_id") is None:  # PinCreate marks nothing required; Pinterest does
            raise invalid("board_id is required.")
        board = self.boards.visible(user_id, body["board_id"], write=True)
        section = self._section_of(board, body.get("board_section_id"))
        source = body.get("media_source")
        media, creative_type = self._media(user_id, source, fields.get("link"))
        pin_id = self.tx.new_id()
        data: dict[str, Any] = {
            "id": pin_id,
            "created_at": iso(self.now),
            **{k: v for k, v in fields.items() if v is not None},
            "creative_type": creative_type,
            "media": media,
            "dominant_color": body.get("dominant_color")
            or _dominant_color(json.dumps(media, sort_keys=True)),
            "is_standard": bool((source or {}).get("is_standard", True)),
            "has_been_promoted": False,
        }
        if body.get("parent_pin_id") is not None:
            data["parent_pin_id"] = body["parent_pin_id"]
        refs = {"board": board.id, "board_section": section}
        self.tx.insert(PIN, data, owner=board.owner, id=pin_id, refs=refs)
        self.boards.touch(board.id)
        return self._reload(pin_id)

    def _reload(self, pin_id: str) -> Doc:
        doc = self.tx.get_doc(PIN, pin_id)
        assert doc is not None
        return doc

    def update(self, user_id: str, doc: Doc, board: Doc, body: dict[str, Any]) -> Doc:
        """Change texts, move the pin to another board or section, relabel carousel slots."""
        fields = self._text_fields(body)
        section = doc.ref("board_section")
        if body.get("board_id") is not None and body["board_id"] != board.id:
            board = self.boards.visible(user_id, body["board_id"], write=True)
            section = None  # the old section belongs to the old board
        if "board_section_id" in body:
            section = self._section_of(board, body["board_section_id"])
        # Absent fields are left out of answers: None clears a field by removing it.
        data = {k: v for k, v in dict(doc.data, **fields).items() if v is not None}
        if body.get("carousel_slots") is not None:
            _apply_carousel_slots(data, body["carousel_slots"])
        refs = {"board": board.id, "board_section": section}
        self.tx.put(PIN, doc.id, data, owner=board.owner, refs=refs)
        if doc.ref("board") != board.id:
            self.boards.touch(doc.ref("board"))
        self.boards.touch(board.id)
        return self._reload(doc.id)

    def delete(self, doc: Doc) -> None:
        self.tx.delete(PIN, doc.id)
        self.boards.touch(doc.ref("board"))

    def save(self, user_id: str, source: Doc, board_id: Any, section_id: Any) -> Doc:
        """Save ``source`` to one of ``user_id``'s boards (or a section, which names its board)."""
        if board_id is None and section_id is None:
            raise invalid("board_id or board_section_id is required.")
        if board_id is not None:
            board = self.boards.visible(user_id, board_id, write=True)
            section = self._section_of(board, section_id)
        else:
            found = self.boards.find_section(section_id)
            board = self.boards.visible(user_id, found.ref("board"), write=True)
            section = found.id
        pin_id = self.tx.new_id()
        data: dict[str, Any] = {
            "id": pin_id,
            "created_at": iso(self.now),
            **{k: source.data[k] for k in CONTENT_FIELDS if k in source.data},
            "parent_pin_id": source.id,
            "has_been_promoted": False,
        }
        refs = {"board": board.id, "board_section": section}
        self.tx.insert(PIN, data, owner=board.owner, id=pin_id, refs=refs)
        self.boards.touch(board.id)
        return self._reload(pin_id)

    def mark_promoted(self, doc: Doc) -> None:
        """The pin is in an ad now (``has_been_promoted``; ``pins/list`` filters on it)."""
        if not doc.data.get("has_been_promoted"):
            self.tx.put(PIN, doc.id, dict(doc.data, has_been_promoted=True), owner=doc.owner)

    def delete_on_board(self, board_id: str) -> None:
        self.tx.delete_all(PIN, where={"board": board_id})

    def take_out_of_section(self, section_id: str) -> None:
        self.tx.set_ref(PIN, "board_section", None, where={"board_section": section_id})

    # -- media sources ------------------------------------------------------------------------
    def _media(self, user_id: str, source: Any, link: str | None) -> tuple[dict[str, Any], str]:
        """``(PinMedia, creative_type)`` for a ``media_source``; 400 for anything invalid."""
        if not isinstance(source, dict):
            raise invalid("media_source is required.")
        kind = source.get("source_type")
        if kind == "image_url":
            url = _url(source.get("url"), "url")
            return {"media_type": "image", "images": image_sizes(url)}, "REGULAR"
        if kind == "image_base64":
            url = self._stored_image(source.get("content_type"), source.get("data"), "media_source")
            return {"media_type": "image", "images": image_sizes(url)}, "REGULAR"
        if kind in ("multiple_image_urls", "multiple_image_base64"):
            return self._carousel(kind, source), "CAROUSEL"
        if kind == "video_id":
            return self._video(user_id, source), "VIDEO"
        if kind == "pin_url":
            if link is None:
                raise invalid("a pin_url media source needs the pin's link.")
            url = self._keep_image(_PLACEHOLDER_PNG, "image/png", "png")
            return {"media_type": "image", "images": image_sizes(url)}, "REGULAR"
        raise invalid(f"media_source.source_type {kind!r} is not supported.")

    def _stored_image(self, content_type: Any, data: Any, field: str) -> str:
        """Validate a base64 JPEG/PNG, keep it in the store, return its emulator-hosted URL."""
        if content_type not in CONTENT_TYPES:
            raise invalid(f"{field}: content_type must be image/jpeg or image/png.")
        try:
            raw = base64.b64decode(str(data), validate=True)
        except (binascii.Error, ValueError):
            raise invalid(f"{field}: data is not valid base64.") from None
        magic, ext = CONTENT_TYPES[content_type]
        if not raw.startswith(magic):
            raise invalid(f"{field}: data is not a {content_type} image.")
        return self._keep_image(raw, content_type, ext)

    def _keep_image(self, raw: bytes, content_type: str, ext: str) -> str:
        name = f"{hashlib.sha256(raw).hexdigest()[:32]}.{ext}"
        if self.tx.get_doc(IMAGE, name) is None:
            encoded = base64.b64encode(raw).decode("ascii")
            self.tx.insert(IMAGE, {"content_type": content_type, "data": encoded}, id=name)
        return f"{self.state.origin}{IMAGES_PATH}{name}"

    def image(self, name: str) -> tuple[bytes, str] | None:
        """An image pins were created from: ``(bytes, content type)``."""
        image = self.tx.get(IMAGE, name)
        if image is None:
            return None
        return base64.b64decode(image["data"]), str(image["content_type"])

    def _carousel(self, kind: str, source: dict[str, Any]) -> dict[str, Any]:
        items = source["items"]  # 2 to 5 objects: the spec's minItems and maxItems
        index = source.get("index")
        if index is not None and not 0 <= index < len(items):
            raise invalid("media_source.index must point at one of the items.")
        out = []
        for n, item in enumerate(items):
            field = f"media_source.items[{n}]"
            if kind == "multiple_image_urls":
                url = _url(item.get("url"), f"{field}.url")
            else:
                url = self._stored_image(item.get("content_type"), item.get("data"), field)
            entry: dict[str, Any] = {"item_type": "image", "images": image_sizes(url)}
            for name in ("title", "description", "link"):
                if item.get(name) is not None:
                    if name == "link":
                        _url(item[name], f"{field}.link")
                    entry[name] = item[name]
            out.append(entry)
        return {"media_type": "multiple_images", "items": out}

    def _video(self, user_id: str, source: dict[str, Any]) -> dict[str, Any]:
        media_id = source.get("media_id")
        media = self.area(MediaRules)
        try:
            upload = media.owned(user_id, media_id)
        except ApiError:
            raise invalid("media_source.media_id is not a media upload of this user.") from None
        status = media.status(upload)
        if status != "succeeded":
            raise invalid(f"the video upload {media_id} is {status}, not succeeded.")
        if source.get("cover_image_url") is not None:
            cover = _url(source["cover_image_url"], "media_source.cover_image_url")
        elif source.get("cover_image_data") is not None:
            cover = self._stored_image(
                source.get("cover_image_content_type"), source["cover_image_data"], "cover image"
            )
        elif source.get("cover_image_key_frame_time") is not None:
            cover = self._keep_image(_PLACEHOLDER_PNG, "image/png", "png")  # "the key frame"
        else:
            raise invalid(
                "a video pin needs a cover: cover_image_url, cover_image_data with "
                "cover_image_content_type, or cover_image_key_frame_time."
            )
        # duration, height, width and video_url are left out: the emulator decodes no video.
        return {"media_type": "video", "cover_image_url": cover, "images": image_sizes(cover)}

    # -- bulk seeding (a test control) --------------------------------------------------------
    def seed(self, user_id: str, count: int, board_id: str | None) -> str:
        """Add ``count`` image pins to ``board_id`` (a new board of ``user_id`` when None) in
        one ``executemany``; returns the board's ID."""
        if board_id is None:
            board = self.boards.create(user_id, name="Seeded pins")
        else:
            found = self.boards.get(board_id)
            if found is None:
                raise ApiError(404, f"no board {board_id}")
            board = found
        first = self.tx.reserve_seqs(count)
        # One JSON template, filled by string formatting: json.dumps per pin would dominate.
        template = json.dumps(
            {
                "created_at": iso(self.now),
                "creative_type": "REGULAR",
                "dominant_color": "#COLOR_",
                "has_been_promoted": False,
                "id": "PIN_ID_",
                "is_standard": True,
                "media": {
                    "images": image_sizes("https://images.emulator.example/seed/PIN_ID_.jpg"),
                    "media_type": "image",
                },
                "title": "Seeded pin NUMBER_",
            },
            separators=(",", ":"),
        )
        template = template.replace("{", "{{").replace("}", "}}")
        template = template.replace("PIN_ID_", "{pin_id}").replace("COLOR_", "{color:06X}")
        template = template.replace("NUMBER_", "{number}")
        rows = (
            (
                pin_id,
                board.owner,
                seq,
                template.format(pin_id=pin_id, color=seq % 0xFFFFFF, number=seq - first + 1),
            )
            for seq in range(first, first + count)
            for pin_id in (str(ID_BASE + seq),)
        )
        self.tx.insert_many(PIN, rows, refs={"board": board.id})
        self.boards.touch(board.id)
        return board.id


def _apply_carousel_slots(data: dict[str, Any], slots: Any) -> None:
    items = (data.get("media") or {}).get("items")
    if not isinstance(slots, list) or not items or len(slots) > len(items):
        raise invalid("carousel_slots must be a list with at most one slot per carousel image.")
    media = dict(data["media"])
    media["items"] = [dict(item) for item in items]
    for n, slot in enumerate(slots):
        for name in ("title", "description", "link"):
            if isinstance(slot.get(name), str):
                media["items"][n][name] = slot[name]
    data["media"] = media
