"""Boards and board sections: who may see and change them, privacy, ad-only boards, section
names unique per board.

Access rules (Pinterest's, simplified): a user reads their own boards and the PUBLIC boards of
others; a SECRET or PROTECTED board of someone else does not exist for the caller (404 code 40).
Writing to something you can see but do not own is a 403.

A board is a ``board`` document owned by its user; a section is a ``board_section`` document
with a ``board`` reference. Pins (their own area) point at both.
"""

from __future__ import annotations

from typing import Any

from ..._common import is_numeric_id, iso
from ..._errors import ApiError
from ..._params import Listing
from ..._registry import Rules
from ..._store import Doc

__all__ = ["BOARD", "SECTION", "BoardRules"]

BOARD, SECTION = "board", "board_section"
PRIVACY_FILTERS: dict[str, tuple[str, ...]] = {
    "ALL": ("PUBLIC", "PROTECTED", "SECRET"),
    "PUBLIC_AND_SECRET": ("PUBLIC", "SECRET"),
}
AD_ONLY_NAME = "Ad-only Pins"
NOT_PERMITTED = "You are not permitted to access that resource."
BOARD_NOT_FOUND = "Board not found."
SECTION_NOT_FOUND = "Sorry! We couldn't find this board section."
CODE_BOARD_NOT_FOUND, CODE_SECTION_NOT_FOUND, CODE_NOT_PERMITTED = 40, 2031, 29


class BoardRules(Rules):
    # -- boards -------------------------------------------------------------------------------
    def can_read(self, user_id: str, board: Doc) -> bool:
        return board.owner == user_id or board.data.get("privacy") == "PUBLIC"

    def visible(self, user_id: str, board_id: Any, *, write: bool = False) -> Doc:
        """The board ``board_id`` if ``user_id`` may see it (404 code 40 otherwise) and, with
        ``write``, owns it (403 code 29 otherwise)."""
        doc = self.tx.get_doc(BOARD, board_id) if is_numeric_id(board_id) else None
        if doc is None or not self.can_read(user_id, doc):
            raise ApiError(404, BOARD_NOT_FOUND, code=CODE_BOARD_NOT_FOUND)
        if write and doc.owner != user_id:
            raise ApiError(403, NOT_PERMITTED, code=CODE_NOT_PERMITTED)
        return doc

    def get(self, board_id: str) -> Doc | None:
        return self.tx.get_doc(BOARD, board_id)

    def create(
        self,
        owner: str,
        *,
        name: str,
        description: str | None = None,
        privacy: str = "PUBLIC",
        is_ads_only: bool = False,
    ) -> Doc:
        if not name.strip():
            raise ApiError(400, "Invalid parameters: name is required and must not be blank.")
        if is_ads_only:  # the spec: ad-only boards become PROTECTED and are named "Ad-only Pins"
            privacy, name = "PROTECTED", AD_ONLY_NAME
        board_id = self.tx.new_id()
        data: dict[str, Any] = {
            "id": board_id,
            "name": name,
            **({"description": description} if description is not None else {}),
            "privacy": privacy,
            "is_ads_only": is_ads_only,
            "created_at": iso(self.now),
            "board_pins_modified_at": iso(self.now),
        }
        self.tx.insert(BOARD, data, owner=owner, id=board_id)
        return self._reload(board_id)

    def _reload(self, board_id: str) -> Doc:
        doc = self.tx.get_doc(BOARD, board_id)
        assert doc is not None
        return doc

    def of_user(self, user_id: str, privacy: str = "ALL") -> Listing:
        allowed = PRIVACY_FILTERS.get(privacy, (privacy,))
        return Listing(BOARD, owner=user_id, keep=lambda d: d.data.get("privacy") in allowed)

    def count_of(self, user_id: str) -> int:
        return self.tx.count(BOARD, owner=user_id)

    def update(self, board: Doc, changes: dict[str, Any]) -> Doc:
        """Apply ``name``, ``description`` (None removes it) and ``privacy`` changes."""
        data = dict(board.data)
        if "name" in changes:
            if not str(changes["name"]).strip():
                raise ApiError(400, "Invalid parameters: name must not be blank.")
            data["name"] = changes["name"]
        if "description" in changes:
            data["description"] = changes["description"]
            if data["description"] is None:
                del data["description"]
        if "privacy" in changes:
            data["privacy"] = changes["privacy"]
        self.tx.put(BOARD, board.id, data, owner=board.owner)
        return self._reload(board.id)

    def delete(self, board: Doc) -> None:
        """Delete the board and its sections (its pins go with it: see the pins area)."""
        self.tx.delete_all(SECTION, where={"board": board.id})
        self.tx.delete(BOARD, board.id)

    def touch(self, board_id: str | None) -> None:
        """Record that the board's pins changed (``board_pins_modified_at``)."""
        doc = self.tx.get_doc(BOARD, board_id) if board_id else None
        if doc is not None:
            data = dict(doc.data, board_pins_modified_at=iso(self.now))
            self.tx.put(BOARD, doc.id, data, owner=doc.owner)

    # -- sections -----------------------------------------------------------------------------
    def section(self, board: Doc, section_id: Any) -> Doc:
        """Section ``section_id`` of ``board``; 404 code 2031 when it is not on that board."""
        doc = self.tx.get_doc(SECTION, section_id) if is_numeric_id(section_id) else None
        if doc is None or doc.ref("board") != board.id:
            raise ApiError(404, SECTION_NOT_FOUND, code=CODE_SECTION_NOT_FOUND)
        return doc

    def find_section(self, section_id: Any) -> Doc:
        """A section by ID alone (saving a pin to a section names no board)."""
        doc = self.tx.get_doc(SECTION, section_id) if is_numeric_id(section_id) else None
        if doc is None or doc.ref("board") is None:
            raise ApiError(404, SECTION_NOT_FOUND, code=CODE_SECTION_NOT_FOUND)
        return doc

    def for_section_write(self, user_id: str, board_id: Any, action: str) -> Doc:
        board = self.visible(user_id, board_id)
        if board.owner != user_id:
            raise ApiError(403, f"Not authorized to {action}.", code=403)
        return board

    def _section_name(self, board: Doc, name: Any, *, except_id: str = "") -> str:
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "Invalid board section parameters.", code=400)
        folded = name.strip().casefold()
        for other in self.tx.list(SECTION, where={"board": board.id}):
            if other.id != except_id and str(other.data["name"]).strip().casefold() == folded:
                raise ApiError(
                    409, f"Board section conflict: this board already has a section named {name!r}."
                )
        return name

    def create_section(self, board: Doc, name: Any) -> dict[str, Any]:
        section_id = self.tx.new_id()
        section = {"id": section_id, "name": self._section_name(board, name)}
        self.tx.insert(SECTION, section, owner=board.owner, id=section_id, refs={"board": board.id})
        return section

    def sections(self, board: Doc) -> Listing:
        return Listing(SECTION, where={"board": board.id})

    def rename_section(self, board: Doc, section: Doc, name: Any) -> dict[str, Any]:
        data = dict(section.data, name=self._section_name(board, name, except_id=section.id))
        self.tx.put(SECTION, section.id, data, owner=section.owner)
        return data

    def delete_section(self, section: Doc) -> None:
        self.tx.delete(SECTION, section.id)
