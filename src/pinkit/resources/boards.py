from __future__ import annotations

from typing import Any

from .._resource import Call, Host, M, PageCall, Resource, endpoint, no_content, paginated
from .._validate import check_fields, check_id
from ..errors import InvalidInputError
from ..models import Board, BoardSection, Pin


def _privacy(value: str | None, operation_id: str, *, query: bool = False) -> str | None:
    """``value`` in upper case, if it is one of the privacy values the spec allows for the
    operation (in its body, or in its query with ``query``)."""
    if value is None:
        return None
    from .._constraints import field, param  # loaded on first use: `import pinkit` stays fast

    spec = param(operation_id, "privacy") if query else field(operation_id, "privacy")
    allowed = spec.enum or ()
    upper = value.upper()
    if upper not in allowed:
        raise InvalidInputError(f"privacy must be one of {', '.join(allowed)}, got {value!r}")
    return upper


def _section_path(board_id: str, section_id: str) -> str:
    return f"/boards/{check_id('board_id', board_id)}/sections/{check_id('section_id', section_id)}"


class BoardSectionsAPI(Resource[M]):
    """Sections inside a board."""

    @paginated
    def list(
        self, board_id: str, *, page_size: int | None = None, max_items: int | None = None
    ) -> PageCall[BoardSection]:
        """Every section of ``board_id``."""
        path = f"/boards/{check_id('board_id', board_id)}/sections"
        return PageCall(path, None, page_size, max_items, item=BoardSection)

    @endpoint
    def create(self, board_id: str, name: str) -> Call[BoardSection]:
        """Add a section called ``name`` to ``board_id``."""
        return Call(
            "POST",
            f"/boards/{check_id('board_id', board_id)}/sections",
            json=check_fields("board_sections/create", {"name": name}),
            parse=BoardSection.model_validate,
        )

    @endpoint
    def update(self, board_id: str, section_id: str, name: str) -> Call[BoardSection]:
        """Rename a section."""
        return Call(
            "PATCH",
            _section_path(board_id, section_id),
            json=check_fields("board_sections/update", {"name": name}),
            parse=BoardSection.model_validate,
        )

    @endpoint
    def delete(self, board_id: str, section_id: str) -> Call[None]:
        """Delete a section of a board."""
        return Call("DELETE", _section_path(board_id, section_id), parse=no_content)

    @paginated
    def list_pins(
        self,
        board_id: str,
        section_id: str,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> PageCall[Pin]:
        """Every pin in a section."""
        path = f"{_section_path(board_id, section_id)}/pins"
        return PageCall(path, None, page_size, max_items, item=Pin)


class BoardsAPI(Resource[M]):
    """The user's boards; ``.sections`` for the sections inside them."""

    def __init__(self, client: Host) -> None:
        super().__init__(client)
        self.sections: BoardSectionsAPI[M] = BoardSectionsAPI(client)

    @paginated
    def list(
        self,
        *,
        privacy: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> PageCall[Board]:
        """Every board of the user; ``privacy`` (PUBLIC, PROTECTED, SECRET, or ALL and
        PUBLIC_AND_SECRET) filters them."""
        params = {"privacy": _privacy(privacy, "boards/list", query=True)}
        return PageCall("/boards", params, page_size, max_items, item=Board)

    @endpoint
    def get(self, board_id: str) -> Call[Board]:
        """One board, with its pin and follower counts."""
        return Call("GET", f"/boards/{check_id('board_id', board_id)}", parse=Board.model_validate)

    @endpoint
    def create(
        self,
        name: str,
        *,
        description: str | None = None,
        privacy: str | None = None,
        is_ads_only: bool | None = None,
    ) -> Call[Board]:
        """Create a board; ``privacy`` is PUBLIC (the default), PROTECTED or SECRET."""
        body = check_fields(
            "boards/create",
            {
                "name": name,
                "description": description,
                "privacy": _privacy(privacy, "boards/create"),
                "is_ads_only": is_ads_only,
            },
        )
        return Call("POST", "/boards", json=body, parse=Board.model_validate)

    @endpoint
    def update(self, board_id: str, /, **fields: Any) -> Call[Board]:
        """Change ``name``, ``description`` or ``privacy`` (PUBLIC or SECRET)."""
        if "privacy" in fields:
            fields["privacy"] = _privacy(fields["privacy"], "boards/update")
        body = check_fields("boards/update", fields)
        if not body:
            raise InvalidInputError("nothing to update: give name, description or privacy")
        return Call(
            "PATCH",
            f"/boards/{check_id('board_id', board_id)}",
            json=body,
            parse=Board.model_validate,
        )

    @endpoint
    def delete(self, board_id: str) -> Call[None]:
        """Delete one of the user's boards."""
        return Call("DELETE", f"/boards/{check_id('board_id', board_id)}", parse=no_content)

    @paginated
    def list_pins(
        self, board_id: str, *, page_size: int | None = None, max_items: int | None = None
    ) -> PageCall[Pin]:
        """Every pin on ``board_id``, in sections or not."""
        path = f"/boards/{check_id('board_id', board_id)}/pins"
        return PageCall(path, None, page_size, max_items, item=Pin)
