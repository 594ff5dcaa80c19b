from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class PinterestModel(BaseModel):
    """Base of every response model.

    Pinterest adds response fields often: unknown ones are kept (``model_extra``) rather than
    rejected, and every field is optional because the API leaves absent fields out.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=False)

    def to_dict(self) -> dict[str, Any]:
        """The fields Pinterest sent (and any set since), without unset ones."""
        return self.model_dump(mode="json", exclude_unset=True)
