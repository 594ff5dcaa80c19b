"""The ad_groups area's declaration."""

from ..._registry import Area
from .handlers import HANDLERS

__all__ = ["AREA"]

AREA = Area(name="ad_groups", handlers=HANDLERS)
